-- Set a lead custom field from a CSV file.
--
-- Usage:
--     close-lua run scripts/set_custom_field.lua FILE FIELD
-- FILE has a header line and the columns lead_id and value; FIELD is the custom field's
-- name (e.g. Industry) or its cf_ id. An empty value clears the field.
--
-- The whole file is read and checked before any lead changes: a line the CSV reader cannot
-- read, a missing lead_id or value column or an empty lead_id stops the script with nothing
-- changed (exit status 2). An unknown FIELD does too: close-lua checks custom field names
-- before it sends anything, so the first update finds it. Leads that cannot be updated
-- (say, deleted ones) are reported one by one, and the others are still updated.

local close = app.integrations.close
local file, field = ...
if not (file and field) then
  io.stderr:write("usage: set_custom_field.lua FILE FIELD\n")
  os.exit(2)
end

local function refuse(message)
  io.stderr:write(message .. "; nothing was changed\n")
  os.exit(2)
end

local read, rows = pcall(function()
  local rows = {}
  for row in csv.reader(file) do rows[#rows + 1] = row end
  return rows
end)
if not read then refuse(tostring(rows)) end

for n, row in ipairs(rows) do
  if row.lead_id == nil or row.value == nil then
    refuse(("%s: the header must name the columns lead_id and value"):format(file))
  elseif row.lead_id == "" then
    refuse(("%s: row %d has no lead_id"):format(file, n))
  end
end

local updated, failed = 0, 0
for _, row in ipairs(rows) do
  local value = row.value
  if value == "" then value = json.null end
  local ok, err = pcall(close.update_lead, { id = row.lead_id, custom = { [field] = value } })
  if ok then
    updated = updated + 1
  elseif type(err) == "string" then
    -- A mistake in the call itself, found before anything was sent; every row would
    -- repeat it, and no row before this one can have been updated by then.
    refuse(err)
  else
    failed = failed + 1
    io.stderr:write(("%s: %s\n"):format(row.lead_id, tostring(err)))
  end
end
print(("updated %d leads, %d failed"):format(updated, failed))
if failed > 0 then os.exit(1) end
