-- Add a follow-up task to every lead in a status.
--
-- Usage:
--     close-lua run scripts/follow_up_tasks.lua STATUS [TEXT] [DUE_DATE]
-- e.g. close-lua run scripts/follow_up_tasks.lua Qualified "Check in" 2026-12-15

local close = app.integrations.close
local status, text, due = ...
if not status then
  io.stderr:write("usage: follow_up_tasks.lua STATUS [TEXT] [DUE_DATE]\n")
  os.exit(2)
end
text = text or "Follow up"

-- Collect the ids first, so that the writes below cannot disturb the paging.
local ids, skip = {}, 0
repeat
  local page = close.list_leads({ query = ('status:"%s"'):format(status), limit = 100, skip = skip })
  for _, lead in ipairs(page.leads) do
    ids[#ids + 1] = lead.id
  end
  skip = skip + #page.leads
until not page.has_more or #page.leads == 0

for _, id in ipairs(ids) do
  local task = close.create_task({ lead_id = id, text = text, due_date = due })
  print(task.id .. "  " .. task.lead_name)
end
io.stderr:write(("created %d tasks for leads in status %s\n"):format(#ids, status))
