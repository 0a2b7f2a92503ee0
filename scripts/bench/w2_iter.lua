-- W2-iter: the same walk as w2.lua through the iterator, which fetches the next page
-- on another thread while this loop works on the current one.
local count, name_bytes = 0, 0
for lead in app.integrations.close.iter_leads({}) do
  count = count + 1
  name_bytes = name_bytes + #lead.name
end
print(count, name_bytes)
