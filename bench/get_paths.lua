-- wrk script of the gi-trace benchmark: GET a list of paths round robin, as JSON, for wrk's -d.
--
--   wrk -t T -c C -d SECONDS --timeout 30s -s bench/get_paths.lua URL PATHS T
--
-- PATHS holds one request path a line (a mix already shuffled by the driver). Thread k
-- starts at line 1 + k*N/T and goes round, so the threads do not march in step. Every
-- request has `Accept: application/json`. response() counts the status codes, and for
-- JSON verdicts the "verdict" and each reason "code" (scanned the body with a pattern:
-- the scan verdict's keys are fixed, see gi_trace/labels/verdict.py). done() prints, for
-- bench/http_load.py, one BENCH-THREAD line per thread in the format of post_once.lua
-- (the 200 answers in the "created" column), BENCH-VERDICTS and BENCH-REASONS lines per
-- thread, and the BENCH-LATENCY and BENCH-ERRORS lines. Times come from CLOCK_MONOTONIC.

local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
package.path = here .. "?.lua;" .. package.path
local shared = require("wrk_clock")
local now = shared.now
local threads = shared.threads
setup = shared.setup

-- Thread state (globals, so done() can read them with thread:get).
tid = 0
total, sent, answered, ok = 0, 0, 0, 0
first_sent, last_answer = 0, 0
statuses, verdicts, reasons = {}, {}, {}
local requests = {}
local next_index = 1
local verified = false

function init(args)
  local nthreads = tonumber(args[2])
  local headers = {["Accept"] = "application/json"}
  for line in io.lines(args[1]) do
    if #line > 0 then
      requests[#requests + 1] = wrk.format("GET", line, headers)
    end
  end
  total = #requests
  next_index = 1 + math.floor(tid * total / nthreads)
end

function request()
  -- wrk calls request() once in thread 0 before the run, only to check the request's
  -- format; that call is not a request sent.
  if tid == 0 and not verified then
    verified = true
    return requests[next_index]
  end
  local r = requests[next_index]
  next_index = next_index % total + 1
  sent = sent + 1
  if first_sent == 0 then
    first_sent = now()
  end
  return r
end

function response(status, headers, body)
  answered = answered + 1
  last_answer = now()
  statuses[status] = (statuses[status] or 0) + 1
  if status == 200 and body then
    ok = ok + 1
    local verdict = string.match(body, '"verdict": ?"(%u+)"')
    if verdict then
      verdicts[verdict] = (verdicts[verdict] or 0) + 1
    end
    for code in string.gmatch(body, '"code": ?"([%l%-]+)"') do
      reasons[code] = (reasons[code] or 0) + 1
    end
  end
end

local function counts(thread, name)
  local parts = {}
  for key, count in pairs(thread:get(name) or {}) do
    parts[#parts + 1] = key .. "=" .. count
  end
  return #parts > 0 and table.concat(parts, ",") or "-"
end

function done(summary, latency, requests_stats)
  for _, thread in ipairs(threads) do
    io.write(string.format("BENCH-THREAD %d %d %d %d %d %.6f %.6f %s\n",
      thread:get("tid"), thread:get("total"), thread:get("sent"), thread:get("answered"),
      thread:get("ok"), thread:get("first_sent"), thread:get("last_answer"),
      counts(thread, "statuses")))
    io.write(string.format("BENCH-VERDICTS %s\n", counts(thread, "verdicts")))
    io.write(string.format("BENCH-REASONS %s\n", counts(thread, "reasons")))
  end
  io.write(string.format("BENCH-LATENCY %d %d %d %d %d\n", latency:percentile(50),
    latency:percentile(90), latency:percentile(99), latency.max, summary.requests))
  io.write(string.format("BENCH-ERRORS %d %d %d %d\n", summary.errors.connect,
    summary.errors.read, summary.errors.write, summary.errors.timeout))
end
