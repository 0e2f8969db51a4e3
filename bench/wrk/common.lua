-- Shared by the wrk scripts: count answers by status in each thread, print one JSON line.
local threads = {}
local next_id = 0

function setup(thread)
  next_id = next_id + 1
  thread:set("thread_id", next_id)
  table.insert(threads, thread)
end

s2xx, s303, s4xx, s5xx, sother = 0, 0, 0, 0, 0

function response(status, headers, body)
  if status == 303 then
    s303 = s303 + 1
  elseif status >= 200 and status < 300 then
    s2xx = s2xx + 1
  elseif status >= 400 and status < 500 then
    s4xx = s4xx + 1
  elseif status >= 500 then
    s5xx = s5xx + 1
  else
    sother = sother + 1
  end
end

function done(summary, latency, requests)
  local totals = { s2xx = 0, s303 = 0, s4xx = 0, s5xx = 0, sother = 0 }
  for _, thread in ipairs(threads) do
    for key, _ in pairs(totals) do
      totals[key] = totals[key] + (thread:get(key) or 0)
    end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH-JSON {"requests": %d, "seconds": %.6f, "p50_ms": %.3f, "p90_ms": %.3f, ' ..
    '"p99_ms": %.3f, "max_ms": %.3f, "status_2xx": %d, "status_303": %d, "status_4xx": %d, ' ..
    '"status_5xx": %d, "status_other": %d, "errors_connect": %d, "errors_read": %d, ' ..
    '"errors_write": %d, "errors_timeout": %d}\n',
    summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1e3, latency:percentile(90) / 1e3,
    latency:percentile(99) / 1e3, latency.max / 1e3,
    totals.s2xx, totals.s303, totals.s4xx, totals.s5xx, totals.sother,
    e.connect, e.read, e.write, e.timeout))
end
