-- wrk script for POST /v1/match: cycles through the request bodies in the file given after `--`,
-- one JSON object per line; each thread starts at a different line.
local threads = 0
function setup(thread)
  thread:set("start", threads * 97)
  threads = threads + 1
end

local bodies = {}
local n = 0
function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then bodies[#bodies + 1] = line end
  end
  n = start or 0
end

local headers = { ["Content-Type"] = "application/json" }
function request()
  n = n + 1
  return wrk.format("POST", "/v1/match", headers, bodies[(n % #bodies) + 1])
end
