-- wrk script for bench/event_page.py: stops after a given number of responses and takes its
-- own timestamps, because wrk's own requests/s divides by the whole -d duration.
--
-- Arguments after "--": <responses> [post-ids]. With <post-ids> = N > 0 each request is a
-- POST of id=<1..N> (the /scan/ reference); otherwise wrk's prepared GET is sent unchanged.

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clk_id, bench_timespec *tp);
]]
local CLOCK_MONOTONIC = 1
local ts = ffi.new("bench_timespec")

local function now()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, ts)
  return tonumber(ts.tv_sec) + tonumber(ts.tv_nsec) * 1e-9
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

local limit, post_ids

function init(args)
  limit = tonumber(args[1]) or 1000
  post_ids = tonumber(args[2]) or 0
  responses, ok, bad, min_len, max_len = 0, 0, 0, -1, -1
  started = now()
  finished = started
  if post_ids > 0 then
    -- Defined only here, so wrk keeps its prepared request for the GET runs.
    local counter = 0
    request = function()
      counter = counter + 1
      -- A stride coprime with most sizes spreads the writes over all the rows.
      local id = (counter * 7919) % post_ids + 1
      return wrk.format(
        "POST", nil, { ["Content-Type"] = "application/x-www-form-urlencoded" }, "id=" .. id
      )
    end
  end
end

function response(status, headers, body)
  responses = responses + 1
  finished = now()
  if status == 200 then
    ok = ok + 1
  else
    bad = bad + 1
  end
  local length = #body
  if min_len < 0 or length < min_len then min_len = length end
  if length > max_len then max_len = length end
  if responses == limit then
    -- wrk's main thread sleeps out the whole -d; the runner answers this line with SIGINT.
    io.stderr:write("BENCH-STOP\n")
    io.stderr:flush()
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local t = threads[1]
  local e = summary.errors
  io.write(string.format(
    'BENCH {"responses": %d, "ok": %d, "bad": %d, "elapsed": %.6f, "min_len": %d, "max_len": %d, '
      .. '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, "wrk_requests": %d, '
      .. '"connect_errors": %d, "read_errors": %d, "write_errors": %d, "timeouts": %d}\n',
    t:get("responses"), t:get("ok"), t:get("bad"), t:get("finished") - t:get("started"),
    t:get("min_len"), t:get("max_len"),
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    summary.requests, e.connect, e.read, e.write, e.timeout
  ))
end
