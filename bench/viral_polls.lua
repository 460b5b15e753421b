-- The live-count polls of many open pages, for wrk (bench/viral.py starts it).
--
--   wrk -t<shapes> -c<connections> -d<seconds>s -s bench/viral_polls.lua <base url> -- <polls/s per thread> <path> [<path> ...]
--
-- Each thread polls one page shape (a path with its ids and after), as static/js/article.js does:
-- with the ETag of the last answer it had in If-None-Match. A thread sends its polls on a
-- schedule, <polls/s per thread> evenly spaced, on whichever of its connections is free (wrk
-- itself would send as fast as answers come): the n-th waits until start + n / rate. A thread
-- that fell more than a second behind drops the backlog rather than bursting. done() prints one
-- line, VIRAL_POLLS, with the answers by status and the latency percentiles (bench/viral.py).

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

local ffi = require("ffi")
ffi.cdef([[
typedef struct { long tv_sec; long tv_usec; } viral_timeval;
int gettimeofday(viral_timeval *tv, void *tz);
]])
local timeval = ffi.new("viral_timeval")

local function now_ms()
  ffi.C.gettimeofday(timeval, nil)
  return tonumber(timeval.tv_sec) * 1000 + tonumber(timeval.tv_usec) / 1000
end

local path, interval_ms, etag, start
local scheduled = 0
statuses = {}

function init(args)
  interval_ms = 1000 / tonumber(args[1])
  path = args[2 + (id % (#args - 1))]
end

function request()
  local headers = { ["Accept"] = "application/json" }
  if etag then headers["If-None-Match"] = etag end
  return wrk.format("GET", path, headers)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status == 200 and headers["ETag"] then etag = headers["ETag"] end
end

function delay()
  local now = now_ms()
  start = start or now
  local due = start + scheduled * interval_ms
  if due < now - 1000 then
    start = now - scheduled * interval_ms
    due = now
  end
  scheduled = scheduled + 1
  return math.max(0, math.floor(due - now))
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      total[status] = (total[status] or 0) + count
    end
  end
  local e = summary.errors
  io.write("VIRAL_POLLS")
  for status, count in pairs(total) do io.write(string.format(" status_%d=%d", status, count)) end
  io.write(string.format(
    " p50_us=%d p99_us=%d requests=%d socket_errors=%d timeouts=%d\n",
    latency:percentile(50), latency:percentile(99), summary.requests,
    e.connect + e.read + e.write, e.timeout
  ))
end
