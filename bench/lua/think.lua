-- Think time between a connection's requests: uniform 0..2*think_ms (mean think_ms).
delay = function()
  local think = tonumber(opts.think_ms or "0")
  if think <= 0 then return 0 end
  return math.random(0, 2 * think)
end
