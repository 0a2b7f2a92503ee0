-- Find leads that share a contact email address.
--
-- Usage:
--     close-lua run scripts/duplicate_leads.lua [QUERY]
-- Prints one line per shared address: the address, then the ids and names of its leads.

local close = app.integrations.close
local query = ...

local leads_by_email, order = {}, {}
for lead in close.iter_leads({ query = query }) do
  local seen = {}
  for _, contact in ipairs(lead.contacts or {}) do
    for _, entry in ipairs(contact.emails or {}) do
      local email = entry.email:lower()
      if not seen[email] then
        seen[email] = true
        if not leads_by_email[email] then
          leads_by_email[email] = {}
          order[#order + 1] = email
        end
        table.insert(leads_by_email[email], lead)
      end
    end
  end
end

local found = 0
for _, email in ipairs(order) do
  local leads = leads_by_email[email]
  if #leads > 1 then
    found = found + 1
    local names = {}
    for i, lead in ipairs(leads) do names[i] = lead.id .. " (" .. lead.display_name .. ")" end
    print(email .. "  " .. table.concat(names, ", "))
  end
end
io.stderr:write(("%d addresses are on more than one lead\n"):format(found))
