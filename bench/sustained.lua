-- wrk script for the sustained-load memory run: alternates GET /healthz and a signed-in GET /
-- (cookie in $COOKIE), each thread stopping after $REQUESTS_PER_THREAD answers, and counts the
-- answers that are not 200.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  limit = tonumber(os.getenv("REQUESTS_PER_THREAD"))
  cookie = os.getenv("COOKIE")
  sent = 0
  answered = 0
  bad = 0
end

function request()
  sent = sent + 1
  if sent % 2 == 0 then
    return wrk.format("GET", "/healthz")
  end
  return wrk.format("GET", "/", { ["Cookie"] = cookie })
end

function response(status, headers, body)
  answered = answered + 1
  if status ~= 200 then bad = bad + 1 end
  if answered >= limit then wrk.thread:stop() end
end

function done(summary, latency, requests)
  local a, b = 0, 0
  for _, t in ipairs(threads) do
    a = a + t:get("answered")
    b = b + t:get("bad")
  end
  io.write(string.format("sustained: %d answered, %d not 200\n", a, b))
end
