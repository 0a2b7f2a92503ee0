//! JSON read into a flat list of nodes (a tape), ready to become Lua values.
//!
//! Reading JSON and building Lua tables are two steps. This one is plain safe Rust: serde_json
//! parses, and a visitor appends one node per value, strings pointing into the original
//! bytes when they had no escapes. It knows every list's and object's length before the Lua
//! side starts, so tables are created at their final size. It also applies the bridge's
//! null rule: a key whose value is null is left out. A tape owns its bytes, so it can be
//! made on another thread than the one that turns it into Lua values.

use std::fmt;

use rustc_hash::FxHashMap;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

/// One value of the tape. Containers are followed by their elements (objects by key, value
/// pairs), so a tape reads like the JSON it came from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Node {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    /// A string: `len` bytes at `start` of the input, or of the unescaped text when
    /// `unescaped`.
    Str {
        unescaped: bool,
        start: u32,
        len: u32,
    },
    /// A list of `len` values.
    Array {
        len: u32,
    },
    /// An object of `len` key, value pairs; keys are `Key` nodes.
    Object {
        len: u32,
    },
    /// An object key, by its number in the tape's list of distinct keys. The same few keys
    /// recur in every record of a page, so each becomes a Lua string once.
    Key(u32),
}

/// A parsed JSON document.
#[derive(Debug)]
pub struct Tape {
    input: Vec<u8>,
    /// Strings that had escapes, unescaped.
    unescaped: Vec<u8>,
    nodes: Vec<Node>,
    /// The distinct object keys, as `Str` nodes.
    keys: Vec<Node>,
}

impl Tape {
    /// Parses a JSON document. Fails on invalid JSON, trailing text, text that is not
    /// UTF-8, and documents of 4 GiB or more (offsets are 32 bits).
    pub fn parse(input: Vec<u8>) -> Result<Tape, String> {
        if u32::try_from(input.len()).is_err() {
            return Err("the document is too large".to_string());
        }
        let mut tape = Tape {
            unescaped: Vec::new(),
            nodes: Vec::with_capacity(input.len() / 8),
            input: Vec::new(),
            keys: Vec::new(),
        };
        {
            let mut deserializer = serde_json::Deserializer::from_slice(&input);
            let mut writer = Writer {
                input: &input,
                unescaped: &mut tape.unescaped,
                nodes: &mut tape.nodes,
                keys: &mut tape.keys,
                key_ids: FxHashMap::default(),
                follows: vec![u32::MAX],
                previous: u32::MAX,
            };
            NodeSeed(&mut writer).deserialize(&mut deserializer).map_err(|err| err.to_string())?;
            deserializer.end().map_err(|err| err.to_string())?;
        }
        tape.input = input;
        Ok(tape)
    }

    /// The nodes, root first.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// The index just past the value at `at` and everything inside it.
    pub fn skip(&self, at: usize) -> usize {
        let mut next = at + 1;
        match self.nodes.get(at) {
            Some(Node::Array { len }) => {
                for _ in 0..*len {
                    next = self.skip(next);
                }
            }
            Some(Node::Object { len }) => {
                for _ in 0..*len {
                    next = self.skip(next + 1);
                }
            }
            _ => {}
        }
        next
    }

    /// The index of the value of `name` in the object at `at`, if it has that key.
    pub fn field(&self, at: usize, name: &str) -> Option<usize> {
        let Some(Node::Object { len }) = self.nodes.get(at) else { return None };
        let mut key = at + 1;
        for _ in 0..*len {
            if self.text(key) == Some(name) {
                return Some(key + 1);
            }
            key = self.skip(key + 1);
        }
        None
    }

    /// The indices of the items of the array at `at`.
    pub fn items(&self, at: usize) -> Vec<usize> {
        let Some(Node::Array { len }) = self.nodes.get(at) else { return Vec::new() };
        let mut items = Vec::with_capacity(*len as usize);
        let mut item = at + 1;
        for _ in 0..*len {
            items.push(item);
            item = self.skip(item);
        }
        items
    }

    /// The text of the string or key at `at`.
    pub fn text(&self, at: usize) -> Option<&str> {
        let node = match self.nodes.get(at)? {
            Node::Key(id) => self.key(*id),
            other => *other,
        };
        match node {
            Node::Str { unescaped, start, len } => {
                std::str::from_utf8(self.bytes(unescaped, start, len)).ok()
            }
            _ => None,
        }
    }

    /// The node at `at`.
    pub fn node(&self, at: usize) -> Option<Node> {
        self.nodes.get(at).copied()
    }

    /// How many distinct object keys the document has.
    pub fn key_count(&self) -> usize {
        self.keys.len()
    }

    /// The `Str` node of a key.
    pub fn key(&self, id: u32) -> Node {
        self.keys.get(id as usize).copied().unwrap_or(Node::Str { unescaped: false, start: 0, len: 0 })
    }

    /// The bytes of a `Str` node.
    pub fn bytes(&self, unescaped: bool, start: u32, len: u32) -> &[u8] {
        let source = if unescaped { &self.unescaped } else { &self.input };
        let (start, len) = (start as usize, len as usize);
        source.get(start..start + len).unwrap_or_default()
    }
}

/// Appends nodes while serde_json reads.
struct Writer<'a> {
    /// The input, to turn borrowed strings into offsets and back.
    input: &'a [u8],
    unescaped: &'a mut Vec<u8>,
    nodes: &'a mut Vec<Node>,
    keys: &'a mut Vec<Node>,
    key_ids: FxHashMap<Vec<u8>, u32>,
    /// For each key, the key that followed it last time (`u32::MAX` at the start of an
    /// object). Records of a page list their keys in the same order, so the guess is almost
    /// always right and costs one comparison instead of a hash lookup.
    follows: Vec<u32>,
    /// The previous key of the object being read, `u32::MAX` before its first.
    previous: u32,
}

impl Writer<'_> {
    /// The `Key` node of an object key, numbering keys in order of first appearance.
    fn key(&mut self, text: &str, borrowed: bool) -> Node {
        let slot = if self.previous == u32::MAX { self.follows.len() - 1 } else { self.previous as usize };
        let guess = self.follows[slot];
        let id = if guess != u32::MAX && self.key_text(guess) == text.as_bytes() {
            guess
        } else {
            let id = match self.key_ids.get(text.as_bytes()) {
                Some(id) => *id,
                None => {
                    let id = self.keys.len() as u32;
                    let string = self.string(text, borrowed);
                    self.keys.push(string);
                    self.key_ids.insert(text.as_bytes().to_vec(), id);
                    // The last slot stays the one for "start of an object".
                    let start = self.follows.pop().unwrap_or(u32::MAX);
                    self.follows.push(u32::MAX);
                    self.follows.push(start);
                    id
                }
            };
            let slot =
                if self.previous == u32::MAX { self.follows.len() - 1 } else { self.previous as usize };
            self.follows[slot] = id;
            id
        };
        self.previous = id;
        Node::Key(id)
    }

    /// The bytes of a key already in the list.
    fn key_text(&self, id: u32) -> &[u8] {
        match self.keys.get(id as usize) {
            Some(Node::Str { unescaped: true, start, len }) => {
                self.unescaped.get(*start as usize..(*start + *len) as usize).unwrap_or_default()
            }
            Some(Node::Str { unescaped: false, start, len }) => {
                self.input.get(*start as usize..(*start + *len) as usize).unwrap_or_default()
            }
            _ => &[],
        }
    }

    fn string(&mut self, text: &str, borrowed: bool) -> Node {
        if borrowed {
            let start = text.as_ptr() as usize - self.input.as_ptr() as usize;
            return Node::Str { unescaped: false, start: start as u32, len: text.len() as u32 };
        }
        let start = self.unescaped.len();
        self.unescaped.extend_from_slice(text.as_bytes());
        Node::Str { unescaped: true, start: start as u32, len: text.len() as u32 }
    }
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
        let outer = std::mem::replace(&mut self.0.previous, u32::MAX);
        let mut len = 0u32;
        loop {
            let key_at = self.0.nodes.len();
            if map.next_key_seed(KeySeed(self.0))?.is_none() {
                break;
            }
            let this = self.0.previous;
            map.next_value_seed(NodeSeed(self.0))?;
            // A nested object changed `previous`; the next key of this one follows this key.
            self.0.previous = this;
            // A null value: the key is left out, so `lead.url or "-"` works in Lua.
            if self.0.nodes.len() == key_at + 2 && self.0.nodes[key_at + 1] == Node::Null {
                self.0.nodes.truncate(key_at);
            } else {
                len += 1;
            }
        }
        self.0.nodes[at] = Node::Object { len };
        self.0.previous = outer;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn text(tape: &Tape, node: Node) -> String {
        match node {
            Node::Key(id) => text(tape, tape.key(id)),
            Node::Str { unescaped, start, len } => {
                String::from_utf8(tape.bytes(unescaped, start, len).to_vec()).unwrap()
            }
            other => panic!("not a string: {other:?}"),
        }
    }

    #[test]
    fn containers_know_their_length_and_null_keys_are_dropped() {
        let tape = Tape::parse(br#"{"a": [1, null, 2.5], "b": null, "c": {"d": true}}"#.to_vec()).unwrap();
        let nodes = tape.nodes();
        assert_eq!(nodes[0], Node::Object { len: 2 });
        assert_eq!(text(&tape, nodes[1]), "a");
        assert_eq!(&nodes[2..6], &[Node::Array { len: 3 }, Node::Int(1), Node::Null, Node::Float(2.5)]);
        assert_eq!(text(&tape, nodes[6]), "c");
        assert_eq!(nodes[7], Node::Object { len: 1 });
        assert_eq!(nodes.len(), 10);
        assert_eq!(tape.key_count(), 4, "a, b (whose value was null), c and d");
        let repeated = Tape::parse(br#"[{"id": 1}, {"id": 2}]"#.to_vec()).unwrap();
        assert_eq!(repeated.nodes()[2], Node::Key(0));
        assert_eq!(repeated.nodes()[5], Node::Key(0));
    }

    #[test]
    fn fields_and_items_can_be_found() {
        let tape = Tape::parse(
            br#"{"has_more": true, "data": [{"id": "a", "x": [1, {"y": 2}]}, {"id": "b"}]}"#.to_vec(),
        )
        .unwrap();
        assert_eq!(tape.field(0, "has_more").and_then(|at| tape.node(at)), Some(Node::Bool(true)));
        let rows = tape.items(tape.field(0, "data").unwrap());
        let ids: Vec<&str> =
            rows.iter().map(|row| tape.text(tape.field(*row, "id").unwrap()).unwrap()).collect();
        assert_eq!(ids, ["a", "b"]);
        assert_eq!(tape.field(0, "missing"), None);
        assert_eq!(tape.skip(0), tape.nodes().len());
    }

    #[test]
    fn escaped_strings_are_unescaped_and_plain_ones_borrowed() {
        let tape = Tape::parse(br#"["plain", "tab\there", "\u00e9"]"#.to_vec()).unwrap();
        let nodes = tape.nodes();
        assert!(matches!(nodes[1], Node::Str { unescaped: false, .. }));
        assert_eq!(text(&tape, nodes[1]), "plain");
        assert_eq!(text(&tape, nodes[2]), "tab\there");
        assert_eq!(text(&tape, nodes[3]), "é");
    }

    #[test]
    fn bad_documents_are_errors() {
        assert!(Tape::parse(b"{\"a\": ".to_vec()).is_err());
        assert!(Tape::parse(b"[1] [2]".to_vec()).is_err());
        assert!(Tape::parse(b"\"\xff\"".to_vec()).is_err());
        assert!(Tape::parse(b"".to_vec()).is_err());
        let deep = "[".repeat(200) + &"]".repeat(200);
        assert!(Tape::parse(deep.into_bytes()).is_err(), "nesting is limited");
    }
}
