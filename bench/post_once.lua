-- wrk script of the gi-trace benchmark: POST every pre-signed body of a file exactly once.
--
--   wrk -t T -c C -d CAP --timeout 30s -s bench/post_once.lua URL BODIES T DONE_DIR
--
-- BODIES holds one JSON request body a line. Thread k (0-based) takes the lines k, k+T,
-- k+2T, ... as its own slice, so no body is sent twice. Once its slice is used up, a
-- connection gets an empty request: wrk writes nothing and the connection idles. When
-- every request of a thread is answered, the thread writes DONE_DIR/done-<k> and stops;
-- the driver (bench/http_load.py) then ends wrk with SIGINT instead of waiting for CAP.
-- done() prints one BENCH-THREAD line per thread and a BENCH-LATENCY line, parsed by
-- the driver. Times come from CLOCK_MONOTONIC, the clock of Python's time.monotonic().

local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
package.path = here .. "?.lua;" .. package.path
local shared = require("wrk_clock")
local now = shared.now
local threads = shared.threads
setup = shared.setup

-- Thread state (globals, so done() can read them with thread:get).
tid = 0
total, next_index, sent, answered, created = 0, 1, 0, 0, 0
first_sent, last_answer = 0, 0
statuses = {}
finished = false
local requests = {}
local done_dir = "."
local verified = false
local samples = 0

function init(args)
  local nthreads = tonumber(args[2])
  done_dir = args[3]
  local headers = {["Content-Type"] = "application/json", ["Accept"] = "application/json"}
  local index = 0
  for line in io.lines(args[1]) do
    if #line > 0 then
      if index % nthreads == tid then
        requests[#requests + 1] = wrk.format("POST", nil, headers, line)
      end
      index = index + 1
    end
  end
  total = #requests
end

function request()
  -- wrk calls request() once in thread 0 before the run, only to check the request's
  -- format; that call must not use up a body.
  if tid == 0 and not verified then
    verified = true
    return requests[1]
  end
  if next_index > total then
    return ""
  end
  local r = requests[next_index]
  next_index = next_index + 1
  sent = sent + 1
  if first_sent == 0 then
    first_sent = now()
  end
  return r
end

local function finish()
  finished = true
  local f = io.open(done_dir .. "/done-" .. tid, "w")
  if f then
    f:write(string.format("%d %d\n", answered, created))
    f:close()
  end
  wrk.thread:stop()
end

function response(status, headers, body)
  answered = answered + 1
  last_answer = now()
  if status == 201 then
    created = created + 1
  elseif samples < 3 then
    samples = samples + 1
    local f = io.open(done_dir .. "/errors-" .. tid, "a")
    if f then
      f:write(status .. " " .. string.sub(body or "", 1, 300):gsub("\n", " ") .. "\n")
      f:close()
    end
  end
  statuses[status] = (statuses[status] or 0) + 1
  if answered >= total and not finished then
    finish()
  end
end

function done(summary, latency, requests_stats)
  for _, thread in ipairs(threads) do
    local parts = {}
    for code, count in pairs(thread:get("statuses") or {}) do
      parts[#parts + 1] = code .. "=" .. count
    end
    io.write(string.format("BENCH-THREAD %d %d %d %d %d %.6f %.6f %s\n",
      thread:get("tid"), thread:get("total"), thread:get("sent"), thread:get("answered"),
      thread:get("created"), thread:get("first_sent"), thread:get("last_answer"),
      #parts > 0 and table.concat(parts, ",") or "-"))
  end
  io.write(string.format("BENCH-LATENCY %d %d %d %d %d\n", latency:percentile(50),
    latency:percentile(90), latency:percentile(99), latency.max, summary.requests))
  io.write(string.format("BENCH-ERRORS %d %d %d %d\n", summary.errors.connect,
    summary.errors.read, summary.errors.write, summary.errors.timeout))
end
