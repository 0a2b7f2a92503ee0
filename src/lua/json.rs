//! The bridge between JSON and Lua values.
//!
//! The rules, in both directions:
//! - JSON `null` inside an object becomes an absent key, so `lead.url or "-"` works. Inside
//!   an array it becomes `NULL_MARKER` (a light userdata), so the array keeps its length;
//!   at the top level it becomes `nil`.
//! - JSON integers become Lua integers and floats stay floats; an integer too large for 64
//!   bits becomes a float.
//! - An empty JSON array or object carries a marker metatable, so that it encodes back as
//!   `[]` or `{}`. Non-empty tables are told apart by their keys.
//! - Encoding a Lua table: keys 1..n make an array, string keys an object; a table with
//!   both, or a list with holes, is an error that names where it is. An unmarked empty table
//!   encodes as `[]`. Strings must be UTF-8, numbers finite.
//!
//! Decoding reads the text into a flat tape (`tape`) and builds the tables from it on the
//! Lua stack (`build`), without an intermediate `serde_json::Value` and without a handle per
//! value.

use mlua::{Lua, Table, Value};

use super::build;
use super::tape::Tape;

/// The value JSON `null` takes inside arrays: the light userdata with a null pointer.
pub const NULL_MARKER: Value = Value::NULL;

/// How deep a Lua table may nest before encoding gives up (it is likely a cycle).
const MAX_DEPTH: usize = 128;

/// The metatables that mark empty tables as JSON arrays or objects.
#[derive(Clone)]
pub struct Markers {
    /// Marks a table that encodes as a JSON array.
    pub array: Table,
    /// Marks a table that encodes as a JSON object.
    pub object: Table,
}

impl Markers {
    /// Creates the markers and keeps them in the VM's app data.
    pub fn install(lua: &Lua) -> mlua::Result<Markers> {
        let array = lua.create_table()?;
        array.set("__name", "json.array")?;
        let object = lua.create_table()?;
        object.set("__name", "json.object")?;
        let markers = Markers { array, object };
        lua.set_app_data(markers.clone());
        Ok(markers)
    }

    /// The markers of a VM; `install` must have run.
    pub fn of(lua: &Lua) -> Markers {
        lua.app_data_ref::<Markers>()
            .map(|m| m.clone())
            .expect("JSON markers are installed with the bindings")
    }
}

/// Decodes JSON text into a Lua value by the rules above.
pub fn decode(lua: &Lua, bytes: &[u8]) -> Result<Value, String> {
    decode_owned(lua, bytes.to_vec())
}

/// Decodes JSON text it may keep, without copying it.
pub fn decode_owned(lua: &Lua, bytes: Vec<u8>) -> Result<Value, String> {
    decode_tape(lua, &Tape::parse(bytes)?)
}

/// The Lua value of JSON already read into a tape (perhaps on another thread).
pub fn decode_tape(lua: &Lua, tape: &Tape) -> Result<Value, String> {
    let markers = Markers::of(lua);
    build::to_lua(lua, tape, &markers.array, &markers.object).map_err(|err| err.to_string())
}

/// Encodes a Lua value as JSON by the rules above. `path` names the value in errors, e.g.
/// `contacts`; nested places are added to it, e.g. `contacts[2].emails`.
pub fn encode(lua: &Lua, value: &Value, path: &str) -> Result<serde_json::Value, String> {
    let markers = Markers::of(lua);
    to_json(&markers, value, path, 0)
}

/// A place in a nested table for a message, cut down when a deep (likely cyclic) table made
/// it long.
fn place(path: &str) -> String {
    const KEEP: usize = 40;
    if path.len() <= 2 * KEEP {
        return path.to_string();
    }
    let start = path.char_indices().nth(KEEP).map_or(path.len(), |(i, _)| i);
    let end = path.char_indices().rev().nth(KEEP - 1).map_or(0, |(i, _)| i);
    format!("{} ... {}", &path[..start], &path[end.max(start)..])
}

fn to_json(markers: &Markers, value: &Value, path: &str, depth: usize) -> Result<serde_json::Value, String> {
    use serde_json::Value as Json;
    match value {
        Value::Nil => Ok(Json::Null),
        v if *v == NULL_MARKER => Ok(Json::Null),
        Value::Boolean(b) => Ok(Json::Bool(*b)),
        Value::Integer(i) => Ok(Json::from(*i)),
        Value::Number(n) => serde_json::Number::from_f64(*n)
            .map(Json::Number)
            .ok_or_else(|| format!("{path} is {n}, which JSON cannot represent")),
        Value::String(s) => match s.to_str() {
            Ok(text) => Ok(Json::String(text.to_string())),
            Err(_) => Err(format!("{path} is not valid UTF-8 text")),
        },
        Value::Table(table) => {
            if depth >= MAX_DEPTH {
                return Err(format!("{} is nested too deeply (does a table contain itself?)", place(path)));
            }
            table_to_json(markers, table, path, depth + 1)
        }
        other => Err(format!("{path} is a {}, which cannot be sent as JSON", other.type_name())),
    }
}

fn table_to_json(
    markers: &Markers,
    table: &Table,
    path: &str,
    depth: usize,
) -> Result<serde_json::Value, String> {
    let mut ints = Vec::new();
    let mut named = serde_json::Map::new();
    for pair in table.pairs::<Value, Value>() {
        let (key, value) = pair.map_err(|err| format!("{path}: {err}"))?;
        match key {
            Value::Integer(i) => ints.push((i, value)),
            Value::String(s) => {
                let name =
                    s.to_str().map_err(|_| format!("{path} has a key that is not valid UTF-8"))?.to_string();
                let child = to_json(markers, &value, &format!("{path}.{name}"), depth)?;
                named.insert(name, child);
            }
            other => return Err(format!("{path} has a {} key; JSON keys are strings", other.type_name())),
        }
    }

    let marker = table.metatable();
    let marked_object = marker.as_ref() == Some(&markers.object);
    let marked_array = marker.as_ref() == Some(&markers.array);
    if marked_object && !ints.is_empty() {
        // An object may have keys that look like numbers; JSON spells them as strings.
        for (key, value) in ints.drain(..) {
            let child = to_json(markers, &value, &format!("{path}[{key}]"), depth)?;
            named.insert(key.to_string(), child);
        }
    }
    if marked_array && !named.is_empty() {
        return Err(format!(
            "{path} is marked with json.array but has the named key \"{}\"",
            named.keys().next().map(String::as_str).unwrap_or_default()
        ));
    }
    match (ints.is_empty(), named.is_empty()) {
        (true, true) if marked_object => Ok(serde_json::Value::Object(named)),
        (true, true) => Ok(serde_json::Value::Array(Vec::new())),
        (true, false) => Ok(serde_json::Value::Object(named)),
        (false, true) => list_to_json(markers, ints, path, depth),
        (false, false) => Err(format!(
            "{path} mixes list items and named keys (e.g. \"{}\"); use one or the other",
            named.keys().next().map(String::as_str).unwrap_or_default()
        )),
    }
}

fn list_to_json(
    markers: &Markers,
    mut items: Vec<(i64, Value)>,
    path: &str,
    depth: usize,
) -> Result<serde_json::Value, String> {
    items.sort_unstable_by_key(|(i, _)| *i);
    let mut array = Vec::with_capacity(items.len());
    for (expected, (index, value)) in (1..).zip(items) {
        if index != expected {
            let what = if index < 1 { format!("the key {index}") } else { format!("a hole at [{expected}]") };
            return Err(format!("{path} is not a list: it has {what}"));
        }
        array.push(to_json(markers, &value, &format!("{path}[{index}]"), depth)?);
    }
    Ok(serde_json::Value::Array(array))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bridge's rules written plainly with mlua's safe API: the reference the fast
    /// decoder is checked against.
    mod oracle {
        use std::fmt;

        use mlua::{Lua, Value};
        use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

        use super::super::{Markers, NULL_MARKER};

        pub fn decode(lua: &Lua, bytes: &[u8]) -> Result<Value, String> {
            let markers = Markers::of(lua);
            let mut deserializer = serde_json::Deserializer::from_slice(bytes);
            let value = LuaSeed { lua, markers: &markers }
                .deserialize(&mut deserializer)
                .map_err(|e| e.to_string())?;
            deserializer.end().map_err(|err| err.to_string())?;
            Ok(if value == NULL_MARKER { Value::Nil } else { value })
        }

        /// Builds Lua values while serde_json reads.
        #[derive(Clone, Copy)]
        struct LuaSeed<'a> {
            lua: &'a Lua,
            markers: &'a Markers,
        }

        /// Turns an mlua error met while decoding into a serde error.
        fn lua_err<E: de::Error>(err: mlua::Error) -> E {
            E::custom(err)
        }

        impl<'de> DeserializeSeed<'de> for LuaSeed<'_> {
            type Value = Value;

            fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
                deserializer.deserialize_any(self)
            }
        }

        impl<'de> Visitor<'de> for LuaSeed<'_> {
            type Value = Value;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }

            fn visit_unit<E>(self) -> Result<Value, E> {
                Ok(NULL_MARKER)
            }

            fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
                Ok(Value::Boolean(v))
            }

            fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
                Ok(Value::Integer(v))
            }

            fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
                Ok(i64::try_from(v).map_or(Value::Number(v as f64), Value::Integer))
            }

            fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
                Ok(Value::Number(v))
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
                self.lua.create_string(v).map(Value::String).map_err(lua_err)
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
                let table =
                    self.lua.create_table_with_capacity(seq.size_hint().unwrap_or(0), 0).map_err(lua_err)?;
                let mut index = 0;
                while let Some(value) = seq.next_element_seed(self)? {
                    index += 1;
                    table.raw_set(index, value).map_err(lua_err)?;
                }
                if index == 0 {
                    table.set_metatable(Some(self.markers.array.clone())).map_err(lua_err)?;
                }
                Ok(Value::Table(table))
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
                let table = self.lua.create_table().map_err(lua_err)?;
                let mut kept = 0;
                while let Some(key) = map.next_key_seed(self)? {
                    let value = map.next_value_seed(self)?;
                    if value != NULL_MARKER {
                        table.raw_set(key, value).map_err(lua_err)?;
                        kept += 1;
                    }
                }
                if kept == 0 {
                    table.set_metatable(Some(self.markers.object.clone())).map_err(lua_err)?;
                }
                Ok(Value::Table(table))
            }
        }
    }

    fn lua() -> Lua {
        let lua = Lua::new();
        Markers::install(&lua).unwrap();
        lua
    }

    fn roundtrip(lua: &Lua, text: &str) -> String {
        let value = decode(lua, text.as_bytes()).unwrap();
        encode(lua, &value, "value").unwrap().to_string()
    }

    fn encode_lua(lua: &Lua, code: &str) -> Result<String, String> {
        let value: Value = lua.load(code).eval().unwrap();
        encode(lua, &value, "t").map(|json| json.to_string())
    }

    #[test]
    fn null_in_objects_is_dropped_and_kept_in_arrays() {
        let lua = lua();
        let value = decode(&lua, br#"{"url": null, "name": "A", "list": [1, null, 3]}"#).unwrap();
        lua.globals().set("v", value).unwrap();
        let shown: String =
            lua.load("return tostring(v.url) .. ' ' .. v.name .. ' ' .. #v.list").eval().unwrap();
        assert_eq!(shown, "nil A 3");
        assert_eq!(decode(&lua, b"null").unwrap(), Value::Nil);
    }

    #[test]
    fn empty_containers_keep_their_kind() {
        let lua = lua();
        assert_eq!(roundtrip(&lua, r#"{"contacts":[],"custom":{}}"#), r#"{"contacts":[],"custom":{}}"#);
    }

    #[test]
    fn numbers_keep_their_kind() {
        let lua = lua();
        assert_eq!(
            roundtrip(&lua, "[5, 5.5, 1e3, -7, 9007199254740993]"),
            "[5,5.5,1000.0,-7,9007199254740993]"
        );
        assert_eq!(roundtrip(&lua, "18446744073709551615"), "1.8446744073709552e+19");
    }

    #[test]
    fn lists_and_objects_from_lua() {
        let lua = lua();
        assert_eq!(encode_lua(&lua, "return { 'a', 'b' }").unwrap(), r#"["a","b"]"#);
        assert_eq!(encode_lua(&lua, "return { x = 1 }").unwrap(), r#"{"x":1}"#);
        assert_eq!(encode_lua(&lua, "return {}").unwrap(), "[]");
    }

    #[test]
    fn markers_decide_what_keys_cannot() {
        let lua = lua();
        let markers = Markers::of(&lua);
        let object = lua.create_table().unwrap();
        object.set_metatable(Some(markers.object.clone())).unwrap();
        object.set(1, "a").unwrap();
        assert_eq!(encode(&lua, &Value::Table(object), "t").unwrap().to_string(), r#"{"1":"a"}"#);
        let array = lua.create_table().unwrap();
        array.set_metatable(Some(markers.array)).unwrap();
        array.set("x", 1).unwrap();
        assert_eq!(
            encode(&lua, &Value::Table(array), "t").unwrap_err(),
            "t is marked with json.array but has the named key \"x\""
        );
    }

    #[test]
    fn mixed_and_holey_tables_are_errors_naming_the_place() {
        let lua = lua();
        assert_eq!(
            encode_lua(&lua, "return { list = { 'a', x = 1 } }").unwrap_err(),
            "t.list mixes list items and named keys (e.g. \"x\"); use one or the other"
        );
        assert_eq!(
            encode_lua(&lua, "return { { emails = { [1] = 'a', [3] = 'c' } } }").unwrap_err(),
            "t[1].emails is not a list: it has a hole at [2]"
        );
        assert_eq!(encode_lua(&lua, "return { [0] = 1 }").unwrap_err(), "t is not a list: it has the key 0");
    }

    #[test]
    fn values_json_cannot_hold() {
        let lua = lua();
        assert_eq!(
            encode_lua(&lua, "return { f = print }").unwrap_err(),
            "t.f is a function, which cannot be sent as JSON"
        );
        assert_eq!(encode_lua(&lua, "return { n = 0/0 }").unwrap_err().split(" is ").next(), Some("t.n"));
        assert_eq!(encode_lua(&lua, "return { s = '\\xff' }").unwrap_err(), "t.s is not valid UTF-8 text");
        assert_eq!(
            encode_lua(&lua, "local t = {} t.t = t return t").unwrap_err(),
            "t.t.t.t.t.t.t.t.t.t.t.t.t.t.t.t.t.t.t.t. ... .t.t.t.t.t.t.t.t.t.t.t.t.t.t.t.t.t.t.t.t \
             is nested too deeply (does a table contain itself?)"
        );
    }

    #[test]
    fn malformed_json_is_an_error() {
        let lua = lua();
        assert!(decode(&lua, b"{\"a\": ").is_err());
        assert!(decode(&lua, b"{} trailing").is_err());
        assert!(decode(&lua, b"\"\xff\"").is_err());
    }

    /// Whether two Lua values are the same JSON-wise: equal scalars, and tables with the
    /// same keys, values and marker.
    fn same(a: &Value, b: &Value) -> bool {
        match (a, b) {
            (Value::Table(x), Value::Table(y)) => {
                if x.metatable() != y.metatable() || x.raw_len() != y.raw_len() {
                    return false;
                }
                let pairs: Vec<(Value, Value)> = x.pairs::<Value, Value>().map(Result::unwrap).collect();
                let count = y.pairs::<Value, Value>().count();
                pairs.len() == count
                    && pairs.iter().all(|(k, v)| same(v, &y.raw_get::<Value>(k.clone()).unwrap()))
            }
            (Value::Number(x), Value::Number(y)) => x == y || (x.is_nan() && y.is_nan()),
            (x, y) => x == y,
        }
    }

    /// A random JSON document, deterministic for a seed.
    fn random_json(rng: &mut fastrand::Rng, depth: usize) -> String {
        let scalar = |rng: &mut fastrand::Rng| -> String {
            match rng.u8(0..9) {
                0 => "null".into(),
                1 => "true".into(),
                2 => "false".into(),
                3 => rng.i64(..).to_string(),
                4 => rng.u64(..).to_string(),
                5 => format!("{}", rng.f64() * 1e6 - 5e5),
                6 => format!("{}e{}", rng.i32(-999..999), rng.i32(-30..30)),
                7 => serde_json::to_string(&random_text(rng)).unwrap(),
                _ => format!("\"{}\"", random_text(rng).replace(['"', '\\'], "")),
            }
        };
        if depth == 0 || rng.u8(0..3) == 0 {
            return scalar(rng);
        }
        let n = rng.usize(0..6);
        if rng.bool() {
            let items: Vec<String> = (0..n).map(|_| random_json(rng, depth - 1)).collect();
            format!("[{}]", items.join(","))
        } else {
            let items: Vec<String> = (0..n)
                .map(|_| {
                    format!(
                        "{}:{}",
                        serde_json::to_string(&random_text(rng)).unwrap(),
                        random_json(rng, depth - 1)
                    )
                })
                .collect();
            format!("{{{}}}", items.join(", "))
        }
    }

    fn random_text(rng: &mut fastrand::Rng) -> String {
        let pieces = ["a", "key", "é", "\"", "\\", "\n", "\u{1F600}", " ", "custom.cf_x", "\t", "0"];
        (0..rng.usize(0..5)).map(|_| pieces[rng.usize(0..pieces.len())]).collect()
    }

    #[test]
    fn the_fast_decoder_agrees_with_the_plain_one() {
        let lua = lua();
        let mut rng = fastrand::Rng::with_seed(7);
        let mut compared = 0;
        for round in 0..3000 {
            let text = random_json(&mut rng, 5);
            let fast = decode(&lua, text.as_bytes());
            let plain = oracle::decode(&lua, text.as_bytes());
            match (&fast, &plain) {
                (Ok(fast), Ok(plain)) => {
                    assert!(same(fast, plain), "round {round}: {text}");
                    compared += 1;
                }
                (Err(_), Err(_)) => {}
                _ => panic!("round {round}: {text}: {fast:?} against {plain:?}"),
            }
        }
        assert!(compared > 1800, "the generator makes mostly valid JSON ({compared} of 3000)");
    }

    #[test]
    fn the_fast_decoder_survives_broken_and_hostile_input() {
        let lua = lua();
        let mut rng = fastrand::Rng::with_seed(11);
        for _ in 0..2000 {
            let mut bytes = random_json(&mut rng, 4).into_bytes();
            for _ in 0..rng.usize(1..4) {
                if !bytes.is_empty() {
                    let at = rng.usize(0..bytes.len());
                    bytes[at] = rng.u8(..);
                }
            }
            // Any answer is fine; a crash or a disagreement about validity is not.
            assert_eq!(decode(&lua, &bytes).is_ok(), oracle::decode(&lua, &bytes).is_ok(), "{bytes:?}");
        }
        assert!(decode(&lua, "[".repeat(100_000).as_bytes()).is_err());
    }
}
