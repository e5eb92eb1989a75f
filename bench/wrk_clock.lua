-- Shared by the gi-trace benchmark's wrk scripts (post_once.lua, get_paths.lua): a clock that
-- matches Python's time.monotonic(), and the numbering of wrk's threads.
--
--   local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
--   package.path = here .. "?.lua;" .. package.path
--   local shared = require("wrk_clock")

local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec_t;
int clock_gettime(int clk_id, bench_timespec_t *tp);
]]
local CLOCK_MONOTONIC = 1
local tspec = ffi.new("bench_timespec_t")

local shared = {threads = {}}

-- Seconds on CLOCK_MONOTONIC, the clock of Python's time.monotonic().
function shared.now()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, tspec)
  return tonumber(tspec.tv_sec) + tonumber(tspec.tv_nsec) / 1e9
end

-- wrk's setup(): give each thread its 0-based number `tid` and keep it for done().
function shared.setup(thread)
  thread:set("tid", #shared.threads)
  table.insert(shared.threads, thread)
end

return shared
