-- wrk script for bench/run. Configured by environment variables:
--   BENCH_KIND      "post_people" (POST /api/v1/people, a new person each request) or "get" (GET BENCH_PATH)
--   BENCH_PATH      path for "get" (default /api/v1/sites)
--   BENCH_TOKEN     bearer token (empty: no Authorization header, e.g. the hello-world endpoint)
--   BENCH_SITE      site_id for post_people
--   BENCH_DELAY_MS  if > 0, each connection waits this long after a response before its next
--                   request (paced, closed loop: an approximation of a fixed rate; wrk cannot
--                   hold an open-loop rate and wrk2 is not in Debian)
-- done() prints one line "BENCHJSON {...}" with the counts and the latency percentiles (µs).
local kind = os.getenv("BENCH_KIND") or "get"
local path = os.getenv("BENCH_PATH") or "/api/v1/sites"
local token = os.getenv("BENCH_TOKEN") or ""
local site = os.getenv("BENCH_SITE") or "1"
local delay_ms = tonumber(os.getenv("BENCH_DELAY_MS") or "0")

local threads = {}
local next_id = 0

function setup(thread)
  next_id = next_id + 1
  thread:set("tid", next_id)
  table.insert(threads, thread)
end

local n = 0
local headers = {}

function init(args)
  if token ~= "" then headers["Authorization"] = "Bearer " .. token end
  if kind == "post_people" then headers["Content-Type"] = "application/json" end
end

function request()
  if kind == "post_people" then
    n = n + 1
    local body = string.format('{"site_id":%s,"name":"压测人员-%d-%d","phone":"13800000000"}',
                               site, tid, n)
    return wrk.format("POST", "/api/v1/people", headers, body)
  end
  return wrk.format("GET", path, headers, nil)
end

if delay_ms > 0 then
  function delay()
    return delay_ms
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  local p = {}
  for _, q in ipairs({50, 75, 90, 99, 99.9}) do
    table.insert(p, string.format('"%s":%d', tostring(q), latency:percentile(q)))
  end
  io.write(string.format(
    'BENCHJSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"mean":%.1f,"max":%d,"stdev":%.1f,"p":{%s}}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency.max, latency.stdev, table.concat(p, ",")))
end
