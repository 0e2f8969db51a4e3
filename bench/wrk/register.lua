-- POST the registration form to the URL given to wrk, a new email address each time.
-- Arguments: <prefix> <sessions file>. Each line of the sessions file is "<cookie>\t<token>":
-- one visitor's session cookie and the CSRF token of the page it fetched; requests take
-- the sessions in turn. An empty file (the baseline) sends no cookie and no token.
package.path = debug.getinfo(1, "S").source:match("@?(.*/)") .. "?.lua;" .. package.path
require("common")

local sessions = {}
local counter = 0
local prefix = "run"

local function encode(text)
  return (text:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function init(args)
  prefix = args[1] or prefix
  if args[2] then
    for line in io.lines(args[2]) do
      local cookie, token = line:match("^(.-)\t(.*)$")
      if cookie then table.insert(sessions, { cookie = cookie, token = token }) end
    end
  end
end

function request()
  counter = counter + 1
  local n = counter
  local email = prefix .. "-" .. thread_id .. "-" .. n .. "@example.org"
  local fields = {
    "full_name=" .. encode("Participant " .. thread_id .. "-" .. n),
    "email=" .. encode(email),
    "organisation=" .. encode("Comité national"),
    "country=FR",
    "language=" .. ((n % 2 == 0) and "fr" or "en"),
    "interpretation_language=fr",
    "question_for_speakers=",
    "consent=y",
    "website=",
  }
  local headers = { ["Content-Type"] = "application/x-www-form-urlencoded" }
  if #sessions > 0 then
    local session = sessions[(n + thread_id) % #sessions + 1]
    headers["Cookie"] = session.cookie
    table.insert(fields, "csrf_token=" .. encode(session.token))
  end
  return wrk.format("POST", nil, headers, table.concat(fields, "&"))
end
