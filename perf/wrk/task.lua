-- Cached GET /tasks/{id} over the seeded ids (IDS from ratios.sh), so every replica serves hits.
local ids = {}
for id in string.gmatch(os.getenv("IDS") or "", "[^,]+") do ids[#ids + 1] = id end
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", "/tasks/" .. ids[(counter % #ids) + 1])
end
