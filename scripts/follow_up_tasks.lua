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

local count = 0
-- A snapshot: the leads that were in the status when the walk began, each once.
for lead in close.iter_leads({ query = ('status:"%s"'):format(status), snapshot = true }) do
  local task = close.create_task({ lead_id = lead.id, text = text or "Follow up", due_date = due })
  print(task.id .. "  " .. lead.display_name)
  count = count + 1
end
io.stderr:write(("created %d tasks for leads in status %s\n"):format(count, status))
