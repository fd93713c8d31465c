-- The latency probe: one connection sending GET <url path> every opts.every_ms milliseconds.
delay = function()
  return tonumber(opts.every_ms or "10")
end
