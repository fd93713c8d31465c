-- GET /api/v1/accounts/{id}: a random customer session reading one of its own two accounts.
request = function()
  local c = BENCH.customers[math.random(#BENCH.customers)]
  local headers = { ["Authorization"] = "Bearer " .. c[1] }
  return wrk.format("GET", "/api/v1/accounts/" .. c[math.random(2, 3)], headers)
end
