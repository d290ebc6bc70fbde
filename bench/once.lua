-- POST an action on each id of the file once (approve a grant, pay a tranche): the free
-- argument is "path with ID|JSON body". A thread stops when its ids are used up.
dofile(string.match(debug.getinfo(1, "S").source, "^@(.*/)") .. "common.lua")

function request()
  local id = next_id()
  if id == nil then return filler() end
  local path, body = string.match(extra, "^([^|]*)|(.*)$")
  return wrk.format("POST", (string.gsub(path, "ID", id)), headers_for("POST"), body)
end
