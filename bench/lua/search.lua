-- GET /api/v1/customers?q=<a last name> (staff): trigram search, first page of 50.
request = function()
  local headers = { ["Authorization"] = "Bearer " .. staff_token() }
  local term = BENCH.terms[math.random(#BENCH.terms)]
  return wrk.format("GET", "/api/v1/customers?q=" .. term, headers)
end
