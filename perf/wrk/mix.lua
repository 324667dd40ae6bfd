-- 90% cached GET /tasks/{id} over the seeded ids, 10% POST /tasks (each with its own Idempotency-Key).
-- IDS comes from the environment: a comma-separated list written by ratios.sh.
local ids = {}
for id in string.gmatch(os.getenv("IDS") or "", "[^,]+") do ids[#ids + 1] = id end
local counter = 0
request = function()
  counter = counter + 1
  if counter % 10 == 0 then
    return wrk.format("POST", "/tasks",
      {["Content-Type"] = "application/json", ["Idempotency-Key"] = "wrk-" .. math.random(1, 2^31) .. "-" .. counter},
      '{"title":"wrk mix ' .. counter .. '"}')
  end
  return wrk.format("GET", "/tasks/" .. ids[(counter % #ids) + 1])
end
