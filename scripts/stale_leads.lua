-- List leads without any activity in the last DAYS days (30 by default).
--
-- Usage:
--     close-lua run scripts/stale_leads.lua [DAYS] [TODAY]
-- DAYS is a whole number of days from 0 to 36500; TODAY (YYYY-MM-DD) defaults to the
-- current date. Prints each stale lead's id, name and the date of its last activity (or
-- "never") in aligned columns, and how many there are on stderr.

local close = app.integrations.close

local function usage(problem)
  io.stderr:write("stale_leads.lua: ", problem, "\n", "usage: stale_leads.lua [DAYS] [TODAY]\n")
  os.exit(2)
end

if select("#", ...) > 2 then
  usage("too many arguments")
end
local days_text, today = ...

-- A bad DAYS or TODAY would give a wrong cutoff without a word (every lead stale, or none),
-- so both are checked before anything is read.
local days = 30
if days_text then
  days = days_text:match("^%d+$") and tonumber(days_text)
  if not days or days > 36500 then
    usage(("DAYS must be a whole number of days from 0 to 36500, not %q"):format(days_text))
  end
end

local now = os.time()
if today then
  local y, m, d = today:match("^(%d%d%d%d)-(%d%d)-(%d%d)$")
  if y then
    now = os.time({ year = tonumber(y), month = tonumber(m), day = tonumber(d), hour = 12 })
  end
  -- os.time turns 2026-13-45 into a day of 2027: only a date that comes back as given is one.
  if not y or os.date("%Y-%m-%d", now) ~= today then
    usage(("TODAY must be a date like 2026-12-31, not %q"):format(today))
  end
end

-- The cutoff as an ISO date, which compares correctly as text with Close's timestamps.
local cutoff = os.date("!%Y-%m-%d", now - days * 86400)

local rows = {}
for lead in close.iter_leads({}) do
  -- Activities come newest first, so the first one tells when the lead last saw any.
  local latest = close.list_activities({ lead_id = lead.id, limit = 1 }).activities[1]
  local last = latest and latest.date_created:sub(1, 10)
  if not last or last < cutoff then
    rows[#rows + 1] = { lead.id, lead.display_name or "", last or "never" }
  end
end

-- Columns as wide as their widest cell, counted in characters so that names with accents
-- line up too.
local function width(text)
  return utf8.len(text) or #text
end
local header = { "id", "name", "last activity" }
local widths = { width(header[1]), width(header[2]) }
for _, row in ipairs(rows) do
  widths[1] = math.max(widths[1], width(row[1]))
  widths[2] = math.max(widths[2], width(row[2]))
end
local function line(cells)
  local padded = {}
  for i = 1, 2 do
    padded[i] = cells[i] .. (" "):rep(widths[i] - width(cells[i]))
  end
  print(padded[1] .. "  " .. padded[2] .. "  " .. cells[3])
end

line(header)
for _, row in ipairs(rows) do
  line(row)
end
io.stderr:write(("%d leads without activity since %s\n"):format(#rows, cutoff))
