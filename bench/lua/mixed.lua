-- A mixed read/write workload: 45% a customer reading one of its accounts, 10% staff reading
-- any account, 20% an account's history page, 5% a customer search, 20% a transfer (staff).
-- With opts.think_ms > 0 each connection (a user) waits 0..2*think_ms ms between requests.

request = function()
  local r = math.random(100)
  if r <= 45 then
    local c = BENCH.customers[math.random(#BENCH.customers)]
    return wrk.format("GET", "/api/v1/accounts/" .. c[math.random(2, 3)],
      { ["Authorization"] = "Bearer " .. c[1] })
  end
  local headers = { ["Authorization"] = "Bearer " .. staff_token() }
  if r <= 55 then
    return wrk.format("GET", "/api/v1/accounts/" .. math.random(1, BENCH.accounts), headers)
  elseif r <= 75 then
    return wrk.format("GET", string.format("/api/v1/accounts/%d/transactions?limit=50",
      math.random(1, BENCH.busy)), headers)
  elseif r <= 80 then
    return wrk.format("GET", "/api/v1/customers?q=" .. BENCH.terms[math.random(#BENCH.terms)],
      headers)
  end
  return transfer_request("uniform")
end
response = count_response
