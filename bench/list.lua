-- A page of 50 grants by status (the free argument is the path before the status; the status
-- rotates over draft, submitted and in_review), or the plain first page when it ends in "?".
dofile(string.match(debug.getinfo(1, "S").source, "^@(.*/)") .. "common.lua")

local statuses = { "draft", "submitted", "in_review" }

function request()
  local path = extra
  if string.sub(path, -1) ~= "?" then
    path = path .. statuses[math.random(#statuses)] .. "&limit=50"
  else
    path = path .. "limit=50"
  end
  return wrk.format("GET", path, headers_for("GET"))
end
