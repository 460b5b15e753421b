-- The live-count polls of many open pages, for wrk (bench/viral.py starts it).
--
--   wrk -t<shapes> -c<connections> -d<seconds>s -s bench/viral_polls.lua <base url> -- <delay ms> <path> [<path> ...]
--
-- Each thread polls one page shape (a path with its ids and after), as static/js/article.js does:
-- with the ETag of the last answer it had in If-None-Match, and a pause of <delay ms> after each
-- answer on each connection. done() prints one line, VIRAL_POLLS, with the answers by status and
-- the latency percentiles, which bench/viral.py reads.

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

local path, delay_ms, etag
statuses = {}

function init(args)
  delay_ms = tonumber(args[1])
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
  return delay_ms
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
