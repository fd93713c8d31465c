-- Baseline: GET /accounts/{id} on the bare app (one raw asyncpg/aiosqlite query, no auth).
request = function()
  return wrk.format("GET", "/accounts/" .. math.random(1, BENCH.accounts))
end
