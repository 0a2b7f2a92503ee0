-- Find leads that share a contact email address.
--
-- Usage:
--     close-lua run scripts/duplicate_leads.lua [QUERY]
-- Prints one line per shared address: the address, then the ids and names of its leads.
-- Only "id (name)" is kept for each lead, so memory grows with the number of addresses,
-- not with the size of the leads.

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
        table.insert(leads_by_email[email], lead.id .. " (" .. lead.display_name .. ")")
      end
    end
  end
end

local found = 0
for _, email in ipairs(order) do
  local leads = leads_by_email[email]
  if #leads > 1 then
    found = found + 1
    print(email .. "  " .. table.concat(leads, ", "))
  end
end
io.stderr:write(("%d addresses are on more than one lead\n"):format(found))
