-- Baseline: GET /accounts/{id} on the baseline app (one raw asyncpg/aiosqlite query, no auth);
-- with base=/api/v1 the same read behind corebank's middleware stack.
request = function()
  return wrk.format("GET", (opts.base or "") .. "/accounts/" .. math.random(1, BENCH.accounts))
end
