//! The exact reader: serde_json fills the tape. It accepts every document serde_json does
//! and words its errors with a line and column.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use super::keys::Keys;
use super::{Node, Tape};

/// Reads `input` into a tape.
pub fn parse(input: Vec<u8>) -> Result<Tape, String> {
    let mut nodes = Vec::with_capacity(input.len() / 8);
    let mut unescaped = Vec::new();
    let mut keys = Keys::new();
    {
        let mut deserializer = serde_json::Deserializer::from_slice(&input);
        let mut writer =
            Writer { input: &input, unescaped: &mut unescaped, nodes: &mut nodes, keys: &mut keys };
        NodeSeed(&mut writer).deserialize(&mut deserializer).map_err(|err| err.to_string())?;
        deserializer.end().map_err(|err| err.to_string())?;
    }
    Ok(Tape { input, unescaped, nodes, interned: keys.into_nodes() })
}

/// Appends nodes while serde_json reads.
struct Writer<'a> {
    /// The input, to turn borrowed strings into offsets.
    input: &'a [u8],
    unescaped: &'a mut Vec<u8>,
    nodes: &'a mut Vec<Node>,
    keys: &'a mut Keys,
}

impl Writer<'_> {
    fn key(&mut self, text: &str, borrowed: bool) -> Node {
        let (input, unescaped) = (self.input, &mut *self.unescaped);
        self.keys.key(text.as_bytes(), || string(input, unescaped, text, borrowed))
    }

    fn string(&mut self, text: &str, borrowed: bool) -> Node {
        string(self.input, self.unescaped, text, borrowed)
    }
}

/// The `Str` node of `text`: where it is in `input` when serde_json could borrow it,
/// otherwise where it is copied to in `unescaped`.
fn string(input: &[u8], unescaped: &mut Vec<u8>, text: &str, borrowed: bool) -> Node {
    if borrowed {
        let start = text.as_ptr() as usize - input.as_ptr() as usize;
        return Node::Str { unescaped: false, start: start as u32, len: text.len() as u32 };
    }
    let start = unescaped.len();
    unescaped.extend_from_slice(text.as_bytes());
    Node::Str { unescaped: true, start: start as u32, len: text.len() as u32 }
}

/// Reads one value into the tape.
struct NodeSeed<'w, 'a>(&'w mut Writer<'a>);

impl<'de> DeserializeSeed<'de> for NodeSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for NodeSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        self.0.nodes.push(Node::Null);
        Ok(())
    }

    fn visit_bool<E>(self, v: bool) -> Result<(), E> {
        self.0.nodes.push(Node::Bool(v));
        Ok(())
    }

    fn visit_i64<E>(self, v: i64) -> Result<(), E> {
        self.0.nodes.push(Node::Int(v));
        Ok(())
    }

    fn visit_u64<E>(self, v: u64) -> Result<(), E> {
        // Integers past what Lua holds become floats, as Lua itself reads them.
        self.0.nodes.push(i64::try_from(v).map_or(Node::Float(v as f64), Node::Int));
        Ok(())
    }

    fn visit_f64<E>(self, v: f64) -> Result<(), E> {
        self.0.nodes.push(Node::Float(v));
        Ok(())
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<(), E> {
        let node = self.0.string(v, true);
        self.0.nodes.push(node);
        Ok(())
    }

    fn visit_str<E>(self, v: &str) -> Result<(), E> {
        let node = self.0.string(v, false);
        self.0.nodes.push(node);
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let at = self.0.nodes.len();
        self.0.nodes.push(Node::Array { len: 0 });
        let mut len = 0u32;
        while seq.next_element_seed(NodeSeed(self.0))?.is_some() {
            len += 1;
        }
        self.0.nodes[at] = Node::Array { len };
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let at = self.0.nodes.len();
        self.0.nodes.push(Node::Object { len: 0 });
        let outer = self.0.keys.enter();
        let mut len = 0u32;
        loop {
            let key_at = self.0.nodes.len();
            if map.next_key_seed(KeySeed(self.0))?.is_none() {
                break;
            }
            let this = self.0.keys.current();
            map.next_value_seed(NodeSeed(self.0))?;
            // A nested object read keys of its own; the next key of this one follows this key.
            self.0.keys.resume(this);
            // A null value: the key is left out, so `lead.url or "-"` works in Lua.
            if self.0.nodes.len() == key_at + 2 && self.0.nodes[key_at + 1] == Node::Null {
                self.0.nodes.truncate(key_at);
            } else {
                len += 1;
            }
        }
        self.0.nodes[at] = Node::Object { len };
        self.0.keys.leave(outer);
        Ok(())
    }
}

/// Reads an object key (always a string) into the tape.
struct KeySeed<'w, 'a>(&'w mut Writer<'a>);

impl<'de> DeserializeSeed<'de> for KeySeed<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<(), E> {
        let node = self.0.key(v, true);
        self.0.nodes.push(node);
        Ok(())
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        let node = self.0.key(v, false);
        self.0.nodes.push(node);
        Ok(())
    }
}
