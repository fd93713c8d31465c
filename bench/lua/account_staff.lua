-- GET /api/v1/accounts/{id}: a random account, read by a random staff session.
request = function()
  local headers = { ["Authorization"] = "Bearer " .. staff_token() }
  return wrk.format("GET", "/api/v1/accounts/" .. math.random(1, BENCH.accounts), headers)
end
