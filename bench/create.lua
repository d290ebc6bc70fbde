-- POST an application: the free argument is "path|JSON body" (the body's "TITLE" is replaced
-- by a unique title).
dofile(string.match(debug.getinfo(1, "S").source, "^@(.*/)") .. "common.lua")

function request()
  local path, body = string.match(extra, "^([^|]*)|(.*)$")
  local title = "Bench " .. key_prefix .. "-" .. (sent + 1)
  return wrk.format("POST", path, headers_for("POST"), (string.gsub(body, "TITLE", title)))
end
