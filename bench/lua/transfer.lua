-- POST /api/v1/transfers (staff) with a fresh Idempotency-Key per request.
-- opts.mix = "uniform": two distinct random accounts; "hot": 80% of transfers have one side
-- among the hot accounts (ids 1..#BENCH.hot), the other side a random non-hot account.

function transfer_pair(mix)
  local n, nhot = BENCH.accounts, #BENCH.hot
  local x, y
  if mix == "hot" and math.random() < 0.8 then
    x = BENCH.hot[math.random(nhot)]
    y = math.random(nhot + 1, n)
  else
    x = math.random(1, n)
    y = math.random(1, n - 1)
    if y >= x then y = y + 1 end
  end
  if math.random() < 0.5 then return x, y end
  return y, x
end

function transfer_request(mix)
  seq = seq + 1
  local from, to = transfer_pair(mix)
  local body = string.format('{"from_account_id":%d,"to_account_id":%d,"amount":"%d.%02d"}',
    from, to, math.random(0, 99), math.random(1, 99))
  local headers = {
    ["Authorization"] = "Bearer " .. staff_token(),
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = string.format("%s-%d", prefix, seq),
  }
  return wrk.format("POST", "/api/v1/transfers", headers, body)
end

request = function()
  return transfer_request(opts.mix or "uniform")
end
response = count_response
