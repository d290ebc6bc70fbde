-- Shared by the workload scripts of bench/load.py (wrk 4): the bearer token, ids read from a
-- file (each thread takes its own share), unique Idempotency-Keys, the answers counted by
-- status, and one JSON line for load.py at the end.
--
-- Script arguments (after --): token, ids file, number of wrk threads, then one free value.

local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_usec; } bench_timeval;
  int gettimeofday(bench_timeval *tv, void *tz);
]]
local clock = ffi.new("bench_timeval")

-- Microseconds of the wall clock: wrk's own duration is always -d, also when a thread stopped
-- early because its ids were used up.
function now_us()
  ffi.C.gettimeofday(clock, nil)
  return tonumber(clock.tv_sec) * 1000000 + tonumber(clock.tv_usec)
end

local threads = {}
local counter = 0

function setup(thread)
  thread:set("thread_no", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  token = args[1] or ""
  extra = args[4] or ""
  ids = {}
  local share = tonumber(args[3]) or 1
  if args[2] and args[2] ~= "" then
    local i = 0
    for line in io.lines(args[2]) do
      if line ~= "" then
        if i % share == thread_no then ids[#ids + 1] = line end
        i = i + 1
      end
    end
  end
  math.randomseed(os.time() * 1000 + thread_no * 7919)
  key_prefix = string.format("bench-%d-%d-%d", os.time(), thread_no, math.random(1, 1000000000))
  sent, ok, non2xx, fillers, position = 0, 0, 0, 0, 0
  codes_text, first_error = "", ""
  codes = {}
  exhausted = 0
  first_us, last_us = 0, 0
end

-- Headers with the bearer token and, for a POST, a fresh Idempotency-Key and a JSON body type.
function headers_for(method)
  if first_us == 0 then first_us = now_us() end
  local h = { ["Authorization"] = "Bearer " .. token }
  if method == "POST" then
    sent = sent + 1
    h["Idempotency-Key"] = key_prefix .. "-" .. sent
    h["Content-Type"] = "application/json"
  end
  return h
end

function random_id()
  return ids[math.random(#ids)]
end

-- The next id not used yet, or nil when this thread's share is used up (each used once).
function next_id()
  position = position + 1
  if position > #ids then
    exhausted = 1
    return nil
  end
  return ids[position]
end

-- What a thread sends once its ids are used up, while it stops: a cheap read, not counted
-- as the workload's (see fillers).
function filler()
  fillers = fillers + 1
  wrk.thread:stop()
  return wrk.format("GET", "/healthz")
end

function response(status, headers, body)
  last_us = now_us()
  if status >= 200 and status < 300 then
    ok = ok + 1
    return
  end
  non2xx = non2xx + 1
  codes[status] = (codes[status] or 0) + 1
  local parts = {}
  for code, n in pairs(codes) do parts[#parts + 1] = code .. "=" .. n end
  codes_text = table.concat(parts, ",")
  if first_error == "" then
    first_error = status .. " " .. string.sub(string.gsub(body or "", "[^%w%s%-_:.,/=()]", " "), 1, 300)
  end
end

function done(summary, latency, requests)
  local total = { ok = 0, non2xx = 0, fillers = 0, exhausted = 0 }
  local codes_all, first = {}, ""
  local started, ended = 0, 0
  for _, t in ipairs(threads) do
    local s, e = t:get("first_us") or 0, t:get("last_us") or 0
    if s > 0 and (started == 0 or s < started) then started = s end
    if e > ended then ended = e end
    for k, _ in pairs(total) do total[k] = total[k] + (t:get(k) or 0) end
    for code, n in string.gmatch(t:get("codes_text") or "", "(%d+)=(%d+)") do
      codes_all[code] = (codes_all[code] or 0) + tonumber(n)
    end
    if first == "" then first = string.gsub(t:get("first_error") or "", "%s+", " ") end
  end
  local parts = {}
  for code, n in pairs(codes_all) do parts[#parts + 1] = string.format('"%s":%d', code, n) end
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests":%d,"duration_us":%d,"ok":%d,"non2xx":%d,"codes":{%s},"fillers":%d,' ..
    '"exhausted_threads":%d,"active_us":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"mean_us":%.1f,"max_us":%d,' ..
    '"socket_errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d},"first_error":"%s"}\n',
    summary.requests, summary.duration, total.ok, total.non2xx, table.concat(parts, ","), total.fillers,
    total.exhausted, math.max(ended - started, 0), latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.mean, latency.max, e.connect, e.read, e.write, e.timeout, first))
end
