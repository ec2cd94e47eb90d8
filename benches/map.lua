-- wrk script for the map: cycles through the paths in the file given after `--` (one per line,
-- e.g. the tiles of a viewport); each thread starts at a different line.
local threads = 0
function setup(thread)
  thread:set("start", threads * 7)
  threads = threads + 1
end

local paths = {}
local n = 0
function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then paths[#paths + 1] = line end
  end
  n = start or 0
end

function request()
  n = n + 1
  return wrk.format("GET", paths[(n % #paths) + 1])
end
