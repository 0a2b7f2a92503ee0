-- Add a follow-up task to every lead in a status.
--
-- Usage:
--     close-lua run scripts/follow_up_tasks.lua STATUS [TEXT] [DUE_DATE]
-- e.g. close-lua run scripts/follow_up_tasks.lua Qualified "Check in" 2026-12-15
-- STATUS is a lead status's name (in any case); DUE_DATE a date (2026-12-15) or a date
-- and time (2026-12-15T09:00:00+00:00).

local close = app.integrations.close

local function usage(problem)
  if problem then
    io.stderr:write("follow_up_tasks.lua: ", problem, "\n")
  end
  io.stderr:write("usage: follow_up_tasks.lua STATUS [TEXT] [DUE_DATE]\n")
  os.exit(2)
end

local status, text, due = ...
if not status then
  usage()
end
if select("#", ...) > 3 then
  usage("too many arguments (quote a TEXT of several words)")
end

-- A date that comes back from os.time as given is a real one (2026-02-30 is not). What
-- follows a date, a time of day, create_task checks before anything is sent.
local function is_date(text)
  local y, m, d = text:match("^(%d%d%d%d)-(%d%d)-(%d%d)")
  if not y then
    return false
  end
  local t = os.time({ year = tonumber(y), month = tonumber(m), day = tonumber(d), hour = 12 })
  local rest = text:sub(11)
  return os.date("%Y-%m-%d", t) == text:sub(1, 10) and (rest == "" or rest:match("^T%d%d:%d%d") ~= nil)
end
if due and not is_date(due) then
  usage(("DUE_DATE must be a date like 2026-12-15 or a date and time like 2026-12-15T09:00:00+00:00, not %q"):format(due))
end

-- A status Close does not know would match no lead and make no task, silently. The lead
-- statuses come with the user's organizations; should an account's answer not carry
-- them, the status goes unchecked.
local labels, seen = {}, {}
for _, org in ipairs(close.get_current_user({}).organizations or {}) do
  if type(org) == "table" and type(org.lead_statuses) == "table" then
    for _, lead_status in ipairs(org.lead_statuses) do
      local label = lead_status.label
      if type(label) == "string" and not seen[label] then
        seen[label] = true
        labels[#labels + 1] = label
      end
    end
  end
end
if #labels > 0 then
  local known
  for _, label in ipairs(labels) do
    if label:lower() == status:lower() then
      known = label
    end
  end
  if not known then
    usage(("no lead status %q; the lead statuses are: %s"):format(status, table.concat(labels, ", ")))
  end
  status = known
end

local count = 0
-- A snapshot: the leads that were in the status when the walk began, each once.
for lead in close.iter_leads({ query = ('status:"%s"'):format(status), snapshot = true }) do
  local task = close.create_task({ lead_id = lead.id, text = text or "Follow up", due_date = due })
  print(task.id .. "  " .. lead.display_name)
  count = count + 1
end
io.stderr:write(("created %d tasks for leads in status %s\n"):format(count, status))
