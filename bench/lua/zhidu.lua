-- wrk script for bench/run. Configured by environment variables:
--   BENCH_KIND      "post_people" (POST /api/v1/people, a new person each request), "get" (GET
--                   BENCH_PATH; several paths separated by "|" are requested in turn, e.g. the
--                   duty board's reads) or "ingest" (POST /api/v1/alarms:ingest)
--   BENCH_PATH      path(s) for "get" (default /api/v1/sites)
--   BENCH_SOURCE, BENCH_POINTS, BENCH_BATCH  for "ingest": each request carries BENCH_BATCH
--                   events for points <source>/P1 … P<BENCH_POINTS>; wrk thread t of T walks its
--                   own share of the points in turn, and each visit of a point flips it between
--                   active and normal (so most events are state changes)
--   BENCH_KIND "post_ticket": POST /api/v1/service/tickets on queue post BENCH_QUEUE of site
--                   BENCH_SITE, a new subject each request; "post_tickets": the same tickets,
--                   BENCH_BATCH of them per POST /api/v1/service/tickets:batch
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
local queue = os.getenv("BENCH_QUEUE") or "1"
local delay_ms = tonumber(os.getenv("BENCH_DELAY_MS") or "0")
local source = os.getenv("BENCH_SOURCE") or "fas-bench"
local points = tonumber(os.getenv("BENCH_POINTS") or "1000")
local batch = tonumber(os.getenv("BENCH_BATCH") or "1")
local nthreads = tonumber(os.getenv("BENCH_THREADS") or "1")
local paths = {}
for p in string.gmatch(path, "[^|]+") do table.insert(paths, p) end

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
  if kind == "post_people" or kind == "ingest" or kind == "post_ticket" or kind == "post_tickets" then
    headers["Content-Type"] = "application/json"
  end
end

local function ingest_body()
  -- this thread's share of the points: [first, first + share)
  local share = math.max(1, math.floor(points / nthreads))
  local first = ((tid - 1) % nthreads) * share
  local events = {}
  for i = 0, batch - 1 do
    local k = n * batch + i
    local point = first + (k % share) + 1
    local state = (math.floor(k / share) % 2 == 0) and "active" or "normal"
    events[#events + 1] = string.format('{"source":"%s","point":"P%d","state":"%s","value":"1"}',
                                        source, point, state)
  end
  n = n + 1
  return '{"events":[' .. table.concat(events, ",") .. ']}'
end

function request()
  if kind == "post_people" then
    n = n + 1
    local body = string.format('{"site_id":%s,"name":"压测人员-%d-%d","phone":"13800000000"}',
                               site, tid, n)
    return wrk.format("POST", "/api/v1/people", headers, body)
  end
  if kind == "ingest" then
    return wrk.format("POST", "/api/v1/alarms:ingest", headers, ingest_body())
  end
  if kind == "post_ticket" or kind == "post_tickets" then
    local items = {}
    for i = 1, (kind == "post_tickets") and batch or 1 do
      n = n + 1
      items[#items + 1] = string.format(
        '{"site_id":%s,"queue_post_id":%s,"subject":"压测工单 %d-%d 空调不制冷","priority":"normal"}',
        site, queue, tid, n)
    end
    if kind == "post_ticket" then
      return wrk.format("POST", "/api/v1/service/tickets", headers, items[1])
    end
    return wrk.format("POST", "/api/v1/service/tickets:batch", headers,
                      '{"tickets":[' .. table.concat(items, ",") .. ']}')
  end
  n = n + 1
  return wrk.format("GET", paths[(n - 1) % #paths + 1], headers, nil)
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
