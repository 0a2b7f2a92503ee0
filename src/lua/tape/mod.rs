//! JSON read into a flat list of nodes (a tape), ready to become Lua values.
//!
//! Reading JSON and building Lua tables are two steps. This one is plain safe Rust: a parser
//! appends one node per value, strings pointing into the bytes of the document. It knows
//! every list's and object's length before the Lua side starts, so tables are created at
//! their final size. It also applies the bridge's null rule: a key whose value is null is
//! left out. A tape owns its bytes, so it can be made on another thread than the one that
//! turns it into Lua values.
//!
//! Two readers fill a tape. `fast` uses simd-json, which reads a page of leads about a
//! third faster than serde_json. `exact` uses serde_json: it runs only when simd-json
//! refuses a document, either to accept what simd-json is stricter about (integers too
//! large for 64 bits) or to give serde_json's message, which says where the text went wrong
//! by line and column. Both number object keys through `keys`.

mod exact;
mod fast;
mod keys;

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
    /// An object of `len` key, value pairs; keys are `Interned` nodes.
    Object {
        len: u32,
    },
    /// A string that recurs, by its number in the tape's list of such strings: every object
    /// key, and a string value that is the same as the one its key had last time (the
    /// organization and user ids that appear on every record of a page, say). Each becomes a
    /// Lua string once.
    Interned(u32),
}

/// A parsed JSON document.
#[derive(Debug)]
pub struct Tape {
    input: Vec<u8>,
    /// Strings that had escapes, unescaped.
    unescaped: Vec<u8>,
    nodes: Vec<Node>,
    /// The interned strings, as `Str` nodes.
    interned: Vec<Node>,
}

impl Tape {
    /// Parses a JSON document. Fails on invalid JSON, trailing text, text that is not
    /// UTF-8, nesting deeper than 128 levels, and documents of 4 GiB or more (offsets are
    /// 32 bits).
    pub fn parse(input: Vec<u8>) -> Result<Tape, String> {
        if u32::try_from(input.len()).is_err() {
            return Err("the document is too large".to_string());
        }
        // simd-json unescapes strings in place, so the exact reader needs the bytes as sent.
        let original = input.clone();
        fast::parse(input).or_else(|_| exact::parse(original))
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
            Node::Interned(id) => self.interned(*id),
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

    /// How many interned strings the document has.
    pub fn interned_count(&self) -> usize {
        self.interned.len()
    }

    /// The `Str` node of an interned string.
    pub fn interned(&self, id: u32) -> Node {
        self.interned.get(id as usize).copied().unwrap_or(Node::Str { unescaped: false, start: 0, len: 0 })
    }

    /// The bytes of a `Str` node.
    pub fn bytes(&self, unescaped: bool, start: u32, len: u32) -> &[u8] {
        let source = if unescaped { &self.unescaped } else { &self.input };
        let (start, len) = (start as usize, len as usize);
        source.get(start..start + len).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(tape: &Tape, node: Node) -> String {
        match node {
            Node::Interned(id) => text(tape, tape.interned(id)),
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
        assert_eq!(tape.interned_count(), 4, "a, b (whose value was null), c and d");
        let repeated = Tape::parse(br#"[{"id": 1}, {"id": 2}]"#.to_vec()).unwrap();
        assert_eq!(repeated.nodes()[2], Node::Interned(0));
        assert_eq!(repeated.nodes()[5], Node::Interned(0));
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

    /// The tape as JSON text again, strings resolved, so tapes of either reader compare.
    fn render(tape: &Tape) -> String {
        fn value(tape: &Tape, at: &mut usize, out: &mut String) {
            let node = tape.nodes()[*at];
            *at += 1;
            match node {
                Node::Null => out.push_str("null"),
                Node::Bool(b) => out.push_str(&b.to_string()),
                Node::Int(i) => out.push_str(&format!("{i}i")),
                Node::Float(f) => out.push_str(&format!("{f:?}f")),
                Node::Str { .. } | Node::Interned(_) => out.push_str(&format!("{:?}", text(tape, node))),
                Node::Array { len } => {
                    out.push('[');
                    for _ in 0..len {
                        value(tape, at, out);
                        out.push(',');
                    }
                    out.push(']');
                }
                Node::Object { len } => {
                    out.push('{');
                    for _ in 0..len {
                        value(tape, at, out);
                        out.push(':');
                        value(tape, at, out);
                        out.push(',');
                    }
                    out.push('}');
                }
            }
        }
        let mut out = String::new();
        value(tape, &mut 0, &mut out);
        out
    }

    #[test]
    fn the_fast_reader_agrees_with_the_exact_one() {
        let documents = [
            r#"{"has_more": false, "data": [{"id": "lead_1", "organization_id": "orga_1", "url": null,
                "contacts": [{"organization_id": "orga_1", "emails": [{"email": "a@x", "type": "office"}]},
                             {"organization_id": "orga_1", "emails": [{"email": "b@x", "type": "office"}]}]},
               {"id": "lead_2", "organization_id": "orga_1", "custom": {}, "tags": []}]}"#,
            r#"["tab\there", "\u00e9\ud83d\ude00", "quote \" and \\ backslash", "", 0, 1.5, -2e-3, 1e300]"#,
            r#"[9223372036854775807, -9223372036854775808, 9223372036854775808, 18446744073709551615]"#,
            r#"{"a": {"b": {"c": [true, false, null, {"d": null}]}}, "a2": {"b": 1}}"#,
            "  {\"x\" : \"same\", \"y\": \"same\", \"x\": \"same\"}  ",
        ];
        for document in documents {
            let fast = fast::parse(document.as_bytes().to_vec()).expect("the fast reader reads it");
            let exact = exact::parse(document.as_bytes().to_vec()).expect("the exact reader reads it");
            assert_eq!(render(&fast), render(&exact), "{document}");
        }
        // The one difference: `-0` is the integer 0 to the fast reader, as to Lua, and -0.0
        // to serde_json.
        assert_eq!(Tape::parse(b"-0".to_vec()).unwrap().nodes(), &[Node::Int(0)]);
    }

    #[test]
    fn a_value_repeated_under_its_key_is_interned() {
        let tape = Tape::parse(
            br#"[{"org": "orga_1", "name": "a"}, {"org": "orga_1", "name": "b"}, {"org": "orga_1", "name": "b"}]"#
                .to_vec(),
        )
        .unwrap();
        let nodes = tape.nodes();
        // [ { org orga_1 name a } { org orga_1 name b } { org orga_1 name b } ]
        assert!(matches!(nodes[3], Node::Str { .. }), "the first orga_1");
        assert!(matches!(nodes[8], Node::Interned(_)), "orga_1 again");
        assert_eq!(nodes[8], nodes[13], "one interned string for every later orga_1");
        assert!(matches!(nodes[10], Node::Str { .. }), "b differs from a");
        assert!(matches!(nodes[15], Node::Interned(_)), "b again");
        assert_eq!(
            render(&tape),
            r#"[{"org":"orga_1","name":"a",},{"org":"orga_1","name":"b",},{"org":"orga_1","name":"b",},]"#
        );
    }

    #[test]
    fn what_the_fast_reader_refuses_goes_to_the_exact_one() {
        // simd-json has no room for integers past 64 bits; serde_json reads them as floats.
        let big = b"[18446744073709551616, 1]".to_vec();
        assert!(fast::parse(big.clone()).is_err());
        let tape = Tape::parse(big).unwrap();
        assert_eq!(
            tape.nodes(),
            &[Node::Array { len: 2 }, Node::Float(18446744073709551616.0), Node::Int(1)]
        );

        // Broken text gets serde_json's message, which says where.
        let err = Tape::parse(b"{\"a\": [1,\n 2,, 3]}".to_vec()).unwrap_err();
        assert_eq!(err, "expected value at line 2 column 4");
    }
}
