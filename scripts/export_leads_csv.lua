-- Export leads as CSV on stdout, one row per lead.
--
-- Usage:
--     close-lua run scripts/export_leads_csv.lua [QUERY] > leads.csv
-- QUERY is a Close search such as 'status:Customer' or 'custom.Industry:SaaS'; all leads
-- when left out.

local close = app.integrations.close
local query = ... or "*"

-- Quote a field when it holds a comma, a quote or a line break, doubling inner quotes.
local function field(value)
  local text = tostring(value or "")
  if text:find('[,"\r\n]') then
    text = '"' .. text:gsub('"', '""') .. '"'
  end
  return text
end

local function row(values)
  local fields = {}
  for i, value in ipairs(values) do
    fields[i] = field(value)
  end
  print(table.concat(fields, ","))
end

local function first_email(lead)
  for _, contact in ipairs(lead.contacts or {}) do
    for _, email in ipairs(contact.emails or {}) do
      return email.email
    end
  end
end

row({ "id", "name", "status", "url", "email", "industry", "created" })
local skip, count = 0, 0
repeat
  local page = close.list_leads({ query = query, limit = 100, skip = skip })
  for _, lead in ipairs(page.leads) do
    row({ lead.id, lead.display_name, lead.status_label, lead.url, first_email(lead), lead.custom.Industry, lead.date_created })
    count = count + 1
  end
  skip = skip + #page.leads
until not page.has_more or #page.leads == 0

io.stderr:write(("exported %d leads\n"):format(count))
