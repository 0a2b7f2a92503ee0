-- W3: one get_lead after another for the ids in the file named by the first argument
-- (one id a line), so the time is dominated by per-call overhead.
local get_lead = app.integrations.close.get_lead
local count, name_bytes = 0, 0
for id in io.lines(arg[1]) do
  local lead = get_lead({ id = id })
  count = count + 1
  name_bytes = name_bytes + #lead.name
end
print(count, name_bytes)
