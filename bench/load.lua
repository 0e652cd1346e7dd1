-- wrk script of the benchmarks (bench/harness.py runs it): sends exactly a given number of
-- requests, stops once each has its answer, and takes its own timestamps, because wrk's own
-- requests/s divides by the whole -d duration.
--
-- Arguments after "--": <requests> <mode> [mode arguments]
--   get                        wrk's prepared GET, unchanged
--   scan <ids>                 POST id=<1..ids> (the /scan/ reference)
--   register <prefix> <orgs> [paths]
--                              POST a registration (JSON) with the email <prefix>-<n>@example.org,
--                              one of <orgs> organisations, and its own X-Forwarded-For address;
--                              with a file of URL paths (one a line), turn by turn to each
--   checkin <file> <prefix>    POST a scan of the file's next code ("code <c>" lines, or
--                              "code <c> <slug>" for a code of another event) for its event
--                              ("event <slug>"), turn by turn from its devices ("device <token>"),
--                              with the idempotency key <prefix>-<n>
--
-- A 503 ("busy, retry") is counted and sent again. wrk cannot tell which request a response
-- answers, so the retry is the next request of the series (a fresh number); it is sent at once.
-- The numbers of requests sent and answered are exact: a connection asks for its next request
-- in delay(), which holds it back (for an hour: until the run stops) once all are out.

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

-- Globals: done() runs in wrk's main Lua state and reads them from the thread with get().
local limit, mode, allowed, reserved = 0, "get", 0, 0
local make_request, read_kind
sent, statuses, kinds, positions = 0, {}, {}, {}

local function json_string(text)
  return '"' .. text:gsub('[%c"\\]', function(c) return string.format("\\u%04x", c:byte()) end) .. '"'
end

local function modes(args)
  if mode == "scan" then
    local ids = tonumber(args[3])
    local headers = { ["Content-Type"] = "application/x-www-form-urlencoded" }
    make_request = function(n)
      -- A stride coprime with most sizes spreads the writes over all the rows.
      return wrk.format("POST", nil, headers, "id=" .. ((n * 7919) % ids + 1))
    end
  elseif mode == "register" then
    local prefix, orgs = args[3], tonumber(args[4])
    local paths = {}
    if args[5] then
      for line in io.lines(args[5]) do
        if line ~= "" then table.insert(paths, line) end
      end
    end
    make_request = function(n)
      local body = '{"first_name": "Rush", "last_name": ' .. json_string("Attendee " .. n)
        .. ', "email": ' .. json_string(prefix .. "-" .. n .. "@example.org")
        .. ', "organisation_name": ' .. json_string("Benchmark organisation " .. (n % orgs + 1))
        .. ', "organisation_type": "ngo", "organisation_country": "BE"'
        .. ', "job_title": "Policy officer", "privacy_accepted": true}'
      local address = string.format("10.%d.%d.%d", math.floor(n / 65536) % 256,
        math.floor(n / 256) % 256, n % 256)
      local path = nil
      if #paths > 0 then path = paths[(n - 1) % #paths + 1] end
      return wrk.format("POST", path, {
        ["Content-Type"] = "application/json",
        ["X-Forwarded-For"] = address,
      }, body)
    end
    read_kind = function(body)
      local status = body:match('"status"%s*:%s*"([%w_]+)"')
      local position = body:match('"waitlist_position"%s*:%s*(%d+)')
      if position then table.insert(positions, tonumber(position)) end
      return status
    end
  elseif mode == "checkin" then
    local event, devices, codes, events = nil, {}, {}, {}
    for line in io.lines(args[3]) do
      local key, value = line:match("^(%a+) (.+)$")
      if key == "event" then event = value
      elseif key == "device" then table.insert(devices, value)
      elseif key == "code" then
        local code, slug = value:match("^(%S+)%s+(%S+)$")
        table.insert(codes, code or value)
        table.insert(events, slug or false)
      end
    end
    local prefix = args[4]
    make_request = function(n)
      local i = (n - 1) % #codes + 1
      local code = codes[i]
      local body = '{"event": ' .. json_string(events[i] or event) .. ', "code": ' .. json_string(code)
        .. ', "idempotency_key": ' .. json_string(prefix .. "-" .. n) .. "}"
      return wrk.format("POST", nil, {
        ["Content-Type"] = "application/json",
        ["Authorization"] = "Device " .. devices[(n - 1) % #devices + 1],
      }, body)
    end
    read_kind = function(body)
      return body:match('"result"%s*:%s*"([%w_]+)"')
    end
  end
end

function init(args)
  limit = tonumber(args[1]) or 1000
  mode = args[2] or "get"
  allowed = limit
  responses, final, busy, min_len, max_len = 0, 0, 0, -1, -1
  modes(args)
  if make_request then
    -- Defined only here, so wrk keeps its prepared request for the GET runs.
    request = function()
      sent = sent + 1
      return make_request(sent)
    end
  end
  started = now()
  finished = started
end

function delay()
  if reserved < allowed then
    reserved = reserved + 1
    return 0
  end
  return 3600000
end

function response(status, headers, body)
  responses = responses + 1
  finished = now()
  statuses[status] = (statuses[status] or 0) + 1
  if status == 503 then
    busy = busy + 1
    allowed = allowed + 1
  else
    final = final + 1
  end
  local length = #body
  if min_len < 0 or length < min_len then min_len = length end
  if length > max_len then max_len = length end
  if read_kind then
    local kind = read_kind(body) or "none"
    kinds[kind] = (kinds[kind] or 0) + 1
  end
  if final == limit then
    -- wrk's main thread sleeps out the whole -d; the runner answers this line with SIGINT.
    io.stderr:write("BENCH-STOP\n")
    io.stderr:flush()
    wrk.thread:stop()
  end
end

local function json_object(counts)
  local parts = {}
  for key, count in pairs(counts) do
    table.insert(parts, json_string(tostring(key)) .. ": " .. count)
  end
  return "{" .. table.concat(parts, ", ") .. "}"
end

function done(summary, latency, requests)
  local t = threads[1]
  local e = summary.errors
  io.write(string.format(
    'BENCH {"responses": %d, "final": %d, "busy": %d, "sent": %d, "elapsed": %.6f, '
      .. '"min_len": %d, "max_len": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, '
      .. '"wrk_requests": %d, "connect_errors": %d, "read_errors": %d, "write_errors": %d, '
      .. '"timeouts": %d, "statuses": %s, "kinds": %s, "positions": [%s]}\n',
    t:get("responses"), t:get("final"), t:get("busy"), t:get("sent"),
    t:get("finished") - t:get("started"), t:get("min_len"), t:get("max_len"),
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    summary.requests, e.connect, e.read, e.write, e.timeout,
    json_object(t:get("statuses")), json_object(t:get("kinds")),
    table.concat(t:get("positions"), ", ")
  ))
end
