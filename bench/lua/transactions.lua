-- GET /api/v1/accounts/{id}/transactions?limit=50 on a busy account (55+ postings: a full page).
request = function()
  local headers = { ["Authorization"] = "Bearer " .. staff_token() }
  local path = string.format("/api/v1/accounts/%d/transactions?limit=50",
    math.random(1, BENCH.busy))
  return wrk.format("GET", path, headers)
end
