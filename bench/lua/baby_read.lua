-- Audited reads: GET /api/v1/babies/{id}, cycling through the ids in IDS_FILE.
local ids = {}
for line in io.lines(os.getenv("IDS_FILE")) do ids[#ids + 1] = line end
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", "/api/v1/babies/" .. ids[(i % #ids) + 1])
end
