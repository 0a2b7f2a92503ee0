-- List leads without any activity in the last DAYS days (30 by default).
--
-- Usage:
--     close-lua run scripts/stale_leads.lua [DAYS] [TODAY]
-- TODAY (YYYY-MM-DD) defaults to the current date. Prints the lead, and the date of its
-- last activity or "never".

local close = app.integrations.close
local days, today = ...
days = tonumber(days) or 30

-- The cutoff as an ISO date, which compares correctly as text with Close's timestamps.
local now = os.time()
if today then
  local y, m, d = today:match("^(%d+)-(%d+)-(%d+)$")
  assert(y, "TODAY must look like 2026-12-31")
  now = os.time({ year = tonumber(y), month = tonumber(m), day = tonumber(d), hour = 12 })
end
local cutoff = os.date("!%Y-%m-%d", now - days * 86400)

local stale = 0
for lead in close.iter_leads({}) do
  -- Activities come newest first, so the first one tells when the lead last saw any.
  local latest = close.list_activities({ lead_id = lead.id, limit = 1 }).activities[1]
  local last = latest and latest.date_created:sub(1, 10)
  if not last or last < cutoff then
    stale = stale + 1
    print(("%s  %-32s last activity: %s"):format(lead.id, lead.display_name, last or "never"))
  end
end
io.stderr:write(("%d leads without activity since %s\n"):format(stale, cutoff))
