-- Shared by every corebank bench script (bench/wrk.py prepends the data table BENCH and
-- appends one scenario). Threads get an id; `done` prints one machine-readable line.

local threads = {}
counts = {}
refusals = 0
seq = 0

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_id", #threads)
end

function init(args)
  opts = {}
  for _, arg in ipairs(args) do
    local key, value = arg:match("^([^=]+)=(.*)$")
    if key then opts[key] = value end
  end
  math.randomseed(os.time() * 1000 + (thread_id or 1) * 7919 + math.floor(os.clock() * 1e6))
  prefix = string.format("%s-%d", opts.prefix or "bench", thread_id or 1)
  if scenario_init then scenario_init() end
end

function staff_token()
  return BENCH.staff[math.random(#BENCH.staff)]
end

-- Only scripts that need per-status counts define `response` (it costs the driver CPU).
function count_response(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
  if status == 422 and body and body:find("insufficient%-funds") then
    refusals = refusals + 1
  end
end

function done(summary, latency, requests)
  local total, refused = {}, 0
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("counts") or {}) do
      total[status] = (total[status] or 0) + n
    end
    refused = refused + (thread:get("refusals") or 0)
  end
  local statuses = {}
  for status, n in pairs(total) do
    table.insert(statuses, string.format('"%d":%d', status, n))
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"p50":%d,"p90":%d,"p95":%d,"p99":%d,"max":%d,"mean":%.1f},' ..
    '"statuses":{%s},"refusals":%d}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), latency.max, latency.mean,
    table.concat(statuses, ","), refused))
end
