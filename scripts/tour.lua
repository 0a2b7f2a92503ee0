#!/usr/bin/env close-lua
-- A walk through every function of app.integrations.close.
--
-- Try it without a Close account, against the built-in sandbox:
--     close-lua run --sandbox scripts/tour.lua
-- Against a real account it creates one lead and one task and deletes the lead again.

local close = app.integrations.close

local function heading(text)
  print()
  print("== " .. text)
end

-- Who am I? Every key belongs to one user in one organization.
heading("get_current_user")
local me = close.get_current_user({})
print(("Signed in as %s %s <%s>"):format(me.first_name, me.last_name, me.email))
for _, org in ipairs(me.organizations or {}) do
  print("Organization: " .. org.name)
end

-- Search with Close's query syntax; one page at a time.
heading("list_leads")
local page = close.list_leads({ query = "status:Qualified", limit = 5 })
print(("%d qualified leads, the first %d:"):format(page.total_results or #page.leads, #page.leads))
for _, lead in ipairs(page.leads) do
  print(("  %-28s %s"):format(lead.display_name, lead.custom.Industry or "-"))
end

-- One lead in full. JSON null arrives as nil, so `or` gives defaults.
heading("get_lead")
local lead = close.get_lead({ id = page.leads[1].id })
print(lead.display_name .. "  " .. (lead.url or "(no website)"))
for _, contact in ipairs(lead.contacts) do
  local email = contact.emails[1] and contact.emails[1].email or "no email"
  print(("  %s <%s>"):format(contact.display_name, email))
end

heading("list_contacts")
local contacts = close.list_contacts({ lead_id = lead.id })
print(("%d contacts on %s"):format(#contacts.contacts, lead.display_name))

-- Activities gain `type` (email, call, note, sms, meeting) and a one-line `body_preview`.
heading("list_activities")
local activities = close.list_activities({ lead_id = lead.id, limit = 5 })
for _, activity in ipairs(activities.activities) do
  print(("  %-8s %s"):format(activity.type, activity.subject or activity.body_preview))
end

-- Writes: custom fields by name, contacts inline.
heading("create_lead, update_lead, create_task, delete_lead")
local new = close.create_lead({
  name = "Tour Example Co",
  url = "https://tour.example.com",
  contacts = {
    { name = "Ada Example", emails = { { email = "ada@tour.example.com", type = "office" } } },
  },
  custom = { Industry = "SaaS" },
})
print("Created  " .. new.id .. "  " .. new.name .. "  Industry=" .. tostring(new.custom.Industry))
local renamed = close.update_lead({ id = new.id, name = "Tour Example Co (renamed)" })
print("Renamed  " .. renamed.name)
local task = close.create_task({ lead_id = new.id, text = "Call Ada", due_date = "2026-12-31" })
print("Task     " .. task.id .. "  due " .. task.date)
close.delete_lead({ id = new.id })
print("Deleted  " .. new.id)

-- Failures are error values: catch them with pcall and look inside.
heading("errors")
local ok, err = pcall(close.get_lead, { id = "lead_does_not_exist" })
print(ok, err.status, err.message)
print(tostring(err))

-- Each configured account has its own namespace.
heading("accounts")
for _, name in ipairs({ "us_team", "eu_team" }) do
  local found, user = pcall(function() return close[name].get_current_user({}) end)
  if found then
    print(("%-8s %s <%s>"):format(name, user.organizations[1].name, user.email))
  end
end
