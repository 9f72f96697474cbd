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

-- A paced run: requests leave on a schedule of random arrivals (exponential gaps, mean
-- WRK_GAP_MS, a Poisson stream like many independent clients), whatever the answers take. Each
-- connection that is ready for its next request takes the next arrival and waits for its moment;
-- one behind schedule goes at once. (Think times per connection would instead slow the offered
-- load by the server's own latency.) wrk calls `delay` for every request, the first included,
-- on one Lua state per thread, and the harness runs one thread. Each thread keeps the moments it
-- scheduled (globals, so `done` can read them), for the count of arrivals the run actually offered.
local gap = tonumber(os.getenv("WRK_GAP_MS") or "")
local threads = {}
function setup(thread)
  table.insert(threads, thread)
end
if gap ~= nil and gap > 0 then
  local ffi = require("ffi")
  ffi.cdef[[
    typedef struct { long tv_sec; long tv_nsec; } wrk_report_timespec;
    int clock_gettime(int clock_id, wrk_report_timespec *tp);
  ]]
  local CLOCK_MONOTONIC = 1
  local ts = ffi.new("wrk_report_timespec")
  local function nowMs()
    ffi.C.clock_gettime(CLOCK_MONOTONIC, ts)
    return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
  end
  math.randomseed(os.time())
  local nextAt = nil
  moments = {}
  function delay()
    local now = nowMs()
    scheduleStart = scheduleStart or now
    nextAt = (nextAt or now) - gap * math.log(1 - math.random())
    moments[#moments + 1] = nextAt
    return math.max(0, math.floor(nextAt - now))
  end
end

-- How many arrivals a paced run's schedule made while it ran (-1 unpaced): a random stream's count
-- differs from rate × duration by about ±1/sqrt(n), so "kept up" is judged against this. Idle
-- connections hold arrivals beyond the end, which do not count; a run behind schedule at the end
-- had arrivals no connection was free to take, which do: (end − last taken) ÷ gap of them expected.
local function scheduled(durationMs)
  if gap == nil or gap <= 0 then return -1 end
  local count = 0
  for _, thread in ipairs(threads) do
    local start, taken = thread:get("scheduleStart"), thread:get("moments")
    if start ~= nil and taken ~= nil then
      local endAt = start + durationMs
      local last = start
      for _, moment in ipairs(taken) do
        if moment <= endAt then
          count = count + 1
          last = moment
        end
      end
      if last == (taken[#taken] or start) then count = count + (endAt - last) / gap end
    end
  end
  return count
end

function done(summary, latency, requests)
  io.write(string.format(
    '@@wrk {"requests":%d,"durationUs":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"p50Us":%d,"p99Us":%d,"maxUs":%d,"scheduled":%.1f}\n',
    summary.requests, summary.duration, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.status, summary.errors.timeout, latency:percentile(50), latency:percentile(99), latency.max,
    scheduled(summary.duration / 1000)))
end
