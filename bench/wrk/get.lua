-- GET the URL given to wrk again and again; answers counted by status (common.lua).
package.path = debug.getinfo(1, "S").source:match("@?(.*/)") .. "?.lua;" .. package.path
require("common")
