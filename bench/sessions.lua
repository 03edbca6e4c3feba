-- wrk script for the memory runs: GET / with a different session's cookie on each request,
-- cycling through the sample of cookie values in $SAMPLE (cookie name $COOKIE_NAME), and counting
-- the answers that are not 200 (a 302 would mean the app did not find or open that session).
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  cookies = {}
  for line in io.lines(os.getenv("SAMPLE")) do
    if #line > 0 then table.insert(cookies, line) end
  end
  name = os.getenv("COOKIE_NAME")
  i = 0
  good = 0
  bad = 0
end

function request()
  i = i + 1
  return wrk.format("GET", nil, { ["Cookie"] = name .. "=" .. cookies[(i % #cookies) + 1] })
end

function response(status, headers, body)
  if status == 200 then good = good + 1 else bad = bad + 1 end
end

function done(summary, latency, requests)
  local g, b = 0, 0
  for _, t in ipairs(threads) do
    g = g + t:get("good")
    b = b + t:get("bad")
  end
  local n = 0
  for line in io.lines(os.getenv("SAMPLE")) do
    if #line > 0 then n = n + 1 end
  end
  io.write(string.format("sessions: %d answered 200, %d did not, over %d distinct sessions\n", g, b, n))
end
