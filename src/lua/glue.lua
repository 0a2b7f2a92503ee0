-- Glue between the Rust bindings and scripts.
--
-- A Rust function cannot raise a table as a Lua error, and scripts want error values they
-- can inspect (err.status, err.message). So each binding is a Rust function that returns
-- `ok, result`, wrapped here in a Lua function that raises `result` when `ok` is false.
-- The wrapper also records the script line that made the call.

local error, type, tostring, getinfo, setmetatable, xpcall, traceback, unpack =
  error, type, tostring, debug.getinfo, setmetatable, xpcall, debug.traceback, table.unpack

local Error = { __name = "close.Error" }

function Error.__tostring(e)
  local text = tostring(e.message)
  if e.kind == "http" and e.status then
    text = "HTTP " .. tostring(e.status) .. ": " .. text
  end
  if e.operation then
    text = e.operation .. ": " .. text
  end
  return text
end

-- Raises a binding's error value at the line of the script that called the binding (level
-- 3: above this function and the wrapper that calls it).
local function fail(result)
  if type(result) == "table" then
    local info = getinfo(3, "Sl")
    if info and info.currentline and info.currentline > 0 then
      result.location = info.short_src .. ":" .. info.currentline
    end
    setmetatable(result, Error)
  end
  error(result, 3)
end

local function wrap(raw)
  return function(...)
    local ok, result = raw(...)
    if ok then
      return result
    end
    fail(result)
  end
end

-- The same for functions that return the four values of a generic `for`, packed in a list.
local function wrap_iterator(raw)
  return function(...)
    local ok, result = raw(...)
    if ok then
      return unpack(result, 1, 4)
    end
    fail(result)
  end
end

-- Runs the script's main function and keeps the error value itself (not its string form)
-- along with the traceback from where it was raised.
local function handler(e)
  return { value = e, traceback = traceback(nil, 2) }
end

local function run(main, ...)
  return xpcall(main, handler, ...)
end

return { wrap = wrap, wrap_iterator = wrap_iterator, Error = Error, run = run }
