-- Sets the request from the environment and prints one machine-readable line when wrk is done.
-- Static requests only: wrk then builds the request once, so the Lua layer costs nothing per call
-- (a paced run calls `delay` once per request).
local method = os.getenv("WRK_METHOD")
local body = os.getenv("WRK_BODY")
local headers = os.getenv("WRK_HEADERS")
if method ~= nil and method ~= "" then wrk.method = method end
if body ~= nil and body ~= "" then
  wrk.body = body
  wrk.headers["Content-Type"] = "application/json"
end

-- "Name: value" lines (credentials the harness seeded).
if headers ~= nil then
  for line in string.gmatch(headers, "[^\n]+") do
    local name, value = string.match(line, "^([^:]+):%s*(.*)$")
    if name ~= nil then wrk.headers[name] = value end
  end
end

-- A paced run: each connection waits a random think time (exponential, mean WRK_THINK_MS) before
-- each of its requests, the first included, so requests arrive spread out as from many independent
-- clients instead of each connection firing again the moment its answer lands.
local think = tonumber(os.getenv("WRK_THINK_MS") or "")
if think ~= nil and think > 0 then
  math.randomseed(os.time())
  function delay()
    return math.floor(-think * math.log(1 - math.random()))
  end
end

function done(summary, latency, requests)
  io.write(string.format(
    '@@wrk {"requests":%d,"durationUs":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"p50Us":%d,"p99Us":%d,"maxUs":%d}\n',
    summary.requests, summary.duration, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.status, summary.errors.timeout, latency:percentile(50), latency:percentile(99), latency.max))
end
