//! Turns a [`Tape`] into Lua values directly on the Lua stack.
//!
//! This is the one place close-lua calls the Lua C API itself, because making tables
//! through mlua's safe API costs a handle per value, which made the conversion of a page of
//! leads twice as slow as it needs to be. It is kept small on purpose:
//!
//! - It runs inside `Lua::exec_raw`, a protected call: a Lua error here (out of memory, or
//!   a stack that cannot grow) comes back as an `Err`, never as a crash.
//! - Such an error leaves by `longjmp` through the frames below, so those frames hold
//!   nothing with a destructor: only integers, copies of nodes and shared references.
//!   Everything owned (the tape) belongs to the caller, outside the protected call.
//! - It reads only the tape, which `Tape::parse` made well-formed; an out-of-range read
//!   yields a null instead of a panic.
//! - It is checked against the plain-mlua decoder on many generated documents (the tests
//!   of `json`).

use std::os::raw::c_int;

use mlua::{Lua, Table, Value, ffi};

use super::tape::{Node, Tape};

/// The stack slots a table being filled needs: itself, a key and a value, and one spare.
const SLOTS_PER_LEVEL: c_int = 4;

/// The stack slots of the call: the two markers (its arguments), then the cache of the
/// tape's interned strings (its keys and repeated values), each made a Lua string once.
const ARRAY_MARKER: c_int = 1;
const OBJECT_MARKER: c_int = 2;
const INTERNED: c_int = 3;

/// The Lua value of a tape. `array` and `object` are the marker metatables of empty lists
/// and objects. JSON `null` at the top becomes nil, in lists the null light userdata.
pub fn to_lua(lua: &Lua, tape: &Tape, array: &Table, object: &Table) -> mlua::Result<Value> {
    // SAFETY: the closure follows the rules at the top of this file: it uses the stack
    // only through the C API within the slots it checks for, and holds nothing that needs
    // dropping, so a Lua error leaving it by longjmp skips no destructor. The two markers
    // are the call's arguments, at stack slots 1 and 2; the cache of interned strings goes to slot 3.
    let value: Value = unsafe {
        lua.exec_raw((array, object), |state| {
            ffi::lua_createtable(state, clamp(tape.interned_count() as u32), 0);
            let mut position = 0;
            push(state, tape, &mut position);
            ffi::lua_copy(state, -1, 1);
            ffi::lua_settop(state, 1);
        })?
    };
    Ok(if value == Value::NULL { Value::Nil } else { value })
}

/// Pushes the value at `position` and moves past it (and its elements).
///
/// SAFETY (for callers): `state` is the state of a protected call whose stack holds the
/// array marker at slot 1, the object marker at slot 2 and the cache of interned strings at slot 3.
unsafe fn push(state: *mut ffi::lua_State, tape: &Tape, position: &mut usize) {
    let node = tape.nodes().get(*position).copied().unwrap_or(Node::Null);
    *position += 1;
    // SAFETY: each call pushes exactly one value after making room for it.
    unsafe {
        match node {
            Node::Null => ffi::lua_pushlightuserdata(state, std::ptr::null_mut()),
            Node::Bool(b) => ffi::lua_pushboolean(state, c_int::from(b)),
            Node::Int(i) => ffi::lua_pushinteger(state, i),
            Node::Float(f) => ffi::lua_pushnumber(state, f),
            Node::Str { unescaped, start, len } => {
                let bytes = tape.bytes(unescaped, start, len);
                ffi::lua_pushlstring(state, bytes.as_ptr().cast(), bytes.len());
            }
            Node::Interned(id) => {
                // Each interned string becomes a Lua string once; later uses copy the reference.
                let slot = i64::from(id) + 1;
                if ffi::lua_rawgeti(state, INTERNED, slot) == ffi::LUA_TNIL {
                    ffi::lua_pop(state, 1);
                    if let Node::Str { unescaped, start, len } = tape.interned(id) {
                        let bytes = tape.bytes(unescaped, start, len);
                        ffi::lua_pushlstring(state, bytes.as_ptr().cast(), bytes.len());
                    } else {
                        ffi::lua_pushlstring(state, c"".as_ptr(), 0);
                    }
                    ffi::lua_pushvalue(state, -1);
                    ffi::lua_rawseti(state, INTERNED, slot);
                }
            }
            Node::Array { len } => {
                ffi::luaL_checkstack(state, SLOTS_PER_LEVEL, c"JSON nested too deeply".as_ptr());
                ffi::lua_createtable(state, clamp(len), 0);
                for index in 1..=i64::from(len) {
                    push(state, tape, position);
                    ffi::lua_rawseti(state, -2, index);
                }
                if len == 0 {
                    ffi::lua_pushvalue(state, ARRAY_MARKER);
                    ffi::lua_setmetatable(state, -2);
                }
            }
            Node::Object { len } => {
                ffi::luaL_checkstack(state, SLOTS_PER_LEVEL, c"JSON nested too deeply".as_ptr());
                ffi::lua_createtable(state, 0, clamp(len));
                for _ in 0..len {
                    push(state, tape, position);
                    push(state, tape, position);
                    ffi::lua_rawset(state, -3);
                }
                if len == 0 {
                    ffi::lua_pushvalue(state, OBJECT_MARKER);
                    ffi::lua_setmetatable(state, -2);
                }
            }
        }
    }
}

/// A size hint for `lua_createtable`, which takes a C int.
fn clamp(len: u32) -> c_int {
    c_int::try_from(len).unwrap_or(c_int::MAX)
}
