-- GET one grant, a random id from the file (Pactum: /api/v1/grants/{id}; bare: /grants/{id}).
dofile(string.match(debug.getinfo(1, "S").source, "^@(.*/)") .. "common.lua")

function request()
  return wrk.format("GET", extra .. random_id(), headers_for("GET"))
end
