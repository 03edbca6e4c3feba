-- wrk script for the sustained-load memory run: alternates GET /healthz and a signed-in GET /
-- (cookie in $COOKIE). wrk itself counts the requests and the answers that are not 2xx/3xx.
function init(args)
  cookie = os.getenv("COOKIE")
  sent = 0
end

function request()
  sent = sent + 1
  if sent % 2 == 0 then
    return wrk.format("GET", "/healthz")
  end
  return wrk.format("GET", "/", { ["Cookie"] = cookie })
end
