-- The memory phase's mix: 55% GET /health (middleware, metrics, logging), 15% staff and 15%
-- customer account reads, 5% history pages, 5% searches, 5% transfers. Lighter than
-- mixed.lua so that ~100,000 requests fit in a few minutes, while every layer is exercised.

request = function()
  local r = math.random(100)
  if r <= 55 then
    return wrk.format("GET", "/health")
  elseif r <= 70 then
    local c = BENCH.customers[math.random(#BENCH.customers)]
    return wrk.format("GET", "/api/v1/accounts/" .. c[math.random(2, 3)],
      { ["Authorization"] = "Bearer " .. c[1] })
  end
  local headers = { ["Authorization"] = "Bearer " .. staff_token() }
  if r <= 85 then
    return wrk.format("GET", "/api/v1/accounts/" .. math.random(1, BENCH.accounts), headers)
  elseif r <= 90 then
    return wrk.format("GET", string.format("/api/v1/accounts/%d/transactions?limit=50",
      math.random(1, BENCH.busy)), headers)
  elseif r <= 95 then
    return wrk.format("GET", "/api/v1/customers?q=" .. BENCH.terms[math.random(#BENCH.terms)],
      headers)
  end
  return transfer_request("uniform")
end
response = count_response
