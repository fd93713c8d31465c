-- POST /api/v1/auth/login (JSON) cycling through the login users (never the load users, whose
-- sessions a login could evict).
request = function()
  seq = seq + 1
  local email = BENCH.logins[((thread_id or 1) * 7919 + seq) % #BENCH.logins + 1]
  local body = string.format('{"username":"%s","password":"%s"}', email, BENCH.password)
  return wrk.format("POST", "/api/v1/auth/login", { ["Content-Type"] = "application/json" }, body)
end
response = count_response
