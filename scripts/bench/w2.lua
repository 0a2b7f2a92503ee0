-- W2: every lead through the paging loop a script would write by hand. The sum of the
-- name lengths makes the run touch each lead and gives the harness a figure to check.
local close = app.integrations.close
local count, name_bytes, skip = 0, 0, 0
while true do
  local page = close.list_leads({ limit = 100, skip = skip })
  for _, lead in ipairs(page.leads) do
    count = count + 1
    name_bytes = name_bytes + #lead.name
  end
  if not page.has_more then
    break
  end
  skip = skip + 100
end
print(count, name_bytes)
