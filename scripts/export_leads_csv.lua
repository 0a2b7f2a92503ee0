-- Export leads as CSV, one row per lead.
--
-- Usage:
--     close-lua run scripts/export_leads_csv.lua [QUERY] [FILE]
-- QUERY is a Close search such as 'status:Customer' or 'custom.Industry:SaaS' (all leads
-- when left out or "*"); FILE is where to write ("-", stdout, when left out).

local close = app.integrations.close
local query, file = ...
if query == "*" then query = nil end

local out <close> = csv.writer(file or "-", {
  columns = { "id", "display_name", "status_label", "url", "contacts", "custom.Industry", "date_created" },
})
local count = 0
for lead in close.iter_leads({ query = query }) do
  -- `contacts` is a list: its cell holds the contacts' names, joined with "; ".
  out:write(lead)
  count = count + 1
end
io.stderr:write(("exported %d leads\n"):format(count))
