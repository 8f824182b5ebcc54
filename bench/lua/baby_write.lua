-- Writes: POST /api/v1/babies with refs unique per thread; counts 201s.
local threads = {}
function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end
function init(args)
  created, n = 0, 0
  prefix = os.getenv("REF_PREFIX") .. tid .. "-"
  loc = os.getenv("LOCATION_ID")
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
  wrk.headers["Content-Type"] = "application/json"
end
function request()
  n = n + 1
  local body = string.format('{"ref":"%s%d","birth_date":"2026-12-01","location_id":"%s","language":"ar"}', prefix, n, loc)
  return wrk.format("POST", "/api/v1/babies", nil, body)
end
function response(status, headers, body)
  if status == 201 then created = created + 1 end
end
function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do total = total + t:get("created") end
  io.write(string.format("CREATED %d\n", total))
end
