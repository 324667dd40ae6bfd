-- 90% cached GET /tasks/{id} over the seeded ids, 10% PUT of a task's status (IDS from ratios.sh).
local ids = {}
for id in string.gmatch(os.getenv("IDS") or "", "[^,]+") do ids[#ids + 1] = id end
local statuses = {"pending", "in_progress", "completed"}
local counter = 0
request = function()
  counter = counter + 1
  local id = ids[(counter % #ids) + 1]
  if counter % 10 == 0 then
    -- Headers given here replace wrk's own (-H): carry them over.
    local headers = {["Content-Type"] = "application/json"}
    for name, value in pairs(wrk.headers) do headers[name] = value end
    return wrk.format("PUT", "/tasks/" .. id, headers,
      '{"status":"' .. statuses[math.floor(counter / 10) % 3 + 1] .. '"}')
  end
  return wrk.format("GET", "/tasks/" .. id)
end
