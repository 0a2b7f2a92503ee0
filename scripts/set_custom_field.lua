-- Set a lead custom field from a CSV file.
--
-- Usage:
--     close-lua run scripts/set_custom_field.lua FILE FIELD
-- FILE has a header line and the columns lead_id and value; FIELD is the custom field's
-- name (e.g. Industry) or its cf_ id. An empty value clears the field.

local close = app.integrations.close
local file, field = ...
if not (file and field) then
  io.stderr:write("usage: set_custom_field.lua FILE FIELD\n")
  os.exit(2)
end

local updated, failed = 0, 0
for row in csv.reader(file) do
  local value = row.value
  if value == "" then value = json.null end
  local ok, err = pcall(close.update_lead, { id = row.lead_id, custom = { [field] = value } })
  if ok then
    updated = updated + 1
  else
    failed = failed + 1
    io.stderr:write(("%s: %s\n"):format(row.lead_id, tostring(err)))
  end
end
print(("updated %d leads, %d failed"):format(updated, failed))
if failed > 0 then os.exit(1) end
