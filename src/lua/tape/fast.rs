//! The fast reader: simd-json parses the document into a tape of its own, which is then
//! rewritten into ours: keys numbered, null-valued keys left out, and a string value that
//! equals the one its key had last time interned.

use simd_json::{Node as Simd, StaticNode};

use super::keys::Keys;
use super::{Node, Tape};

/// How deep lists and objects may nest, as with serde_json, whose limit the exact reader
/// has anyway. The Lua side builds nested tables by recursion, so a limit is needed.
const MAX_DEPTH: usize = 128;

/// Reads `input` into a tape. simd-json unescapes strings in place, so every string of the
/// tape points into `input` as it is afterwards.
pub fn parse(mut input: Vec<u8>) -> Result<Tape, String> {
    let base = input.as_ptr() as usize;
    let (nodes, keys) = {
        let simd = simd_json::to_tape(&mut input).map_err(|err| err.to_string())?;
        let mut rewrite =
            Rewrite { base, nodes: Vec::with_capacity(simd.0.len()), keys: Keys::new(), last: Vec::new() };
        let end = rewrite.value(&simd.0, 0, 0)?;
        if end != simd.0.len() {
            return Err("text after the JSON value".to_string());
        }
        (rewrite.nodes, rewrite.keys)
    };
    Ok(Tape { input, unescaped: Vec::new(), nodes, interned: keys.into_nodes() })
}

/// Rewrites simd-json's nodes into ours.
struct Rewrite<'a> {
    /// Where the input starts, to turn simd-json's strings into offsets.
    base: usize,
    nodes: Vec<Node>,
    keys: Keys,
    /// For each key, by number, the string value it had last time and, once that value was
    /// seen twice in a row, its interned number. Records of a page share organization and
    /// user ids, labels and types, so most repeats are caught by this one comparison.
    last: Vec<Option<(&'a str, Option<u32>)>>,
}

impl<'a> Rewrite<'a> {
    fn string(base: usize, text: &str) -> Node {
        Node::Str { unescaped: false, start: (text.as_ptr() as usize - base) as u32, len: text.len() as u32 }
    }

    /// Rewrites the value at `at` and everything in it; returns the index after it.
    fn value(&mut self, simd: &[Simd<'a>], at: usize, depth: usize) -> Result<usize, String> {
        let node = match simd.get(at).copied().ok_or("the JSON ends early")? {
            Simd::String(text) => Rewrite::string(self.base, text),
            Simd::Static(StaticNode::Null) => Node::Null,
            Simd::Static(StaticNode::Bool(b)) => Node::Bool(b),
            Simd::Static(StaticNode::I64(i)) => Node::Int(i),
            // Integers past what Lua holds become floats, as Lua itself reads them.
            Simd::Static(StaticNode::U64(u)) => i64::try_from(u).map_or(Node::Float(u as f64), Node::Int),
            Simd::Static(StaticNode::F64(f)) => Node::Float(f),
            Simd::Array { len, .. } => return self.array(simd, at, len, depth),
            Simd::Object { len, .. } => return self.object(simd, at, len, depth),
        };
        self.nodes.push(node);
        Ok(at + 1)
    }

    fn array(&mut self, simd: &[Simd<'a>], at: usize, len: usize, depth: usize) -> Result<usize, String> {
        if depth >= MAX_DEPTH {
            return Err("the JSON nests too deeply".to_string());
        }
        self.nodes.push(Node::Array { len: len as u32 });
        let mut next = at + 1;
        for _ in 0..len {
            next = self.value(simd, next, depth + 1)?;
        }
        Ok(next)
    }

    fn object(&mut self, simd: &[Simd<'a>], at: usize, len: usize, depth: usize) -> Result<usize, String> {
        if depth >= MAX_DEPTH {
            return Err("the JSON nests too deeply".to_string());
        }
        let start = self.nodes.len();
        self.nodes.push(Node::Object { len: 0 });
        let outer = self.keys.enter();
        let mut kept = 0;
        let mut next = at + 1;
        for _ in 0..len {
            let Some(Simd::String(text)) = simd.get(next).copied() else {
                return Err("an object key is not a string".to_string());
            };
            let base = self.base;
            let key = self.keys.key(text.as_bytes(), || Rewrite::string(base, text));
            // A null value: the key is left out, so `lead.url or "-"` works in Lua.
            if let Some(Simd::Static(StaticNode::Null)) = simd.get(next + 1) {
                next += 2;
                continue;
            }
            self.nodes.push(key);
            kept += 1;
            if let (Node::Interned(id), Some(Simd::String(value))) = (key, simd.get(next + 1).copied()) {
                let node = self.repeat(id, value);
                self.nodes.push(node);
                next += 2;
                continue;
            }
            let this = self.keys.current();
            next = self.value(simd, next + 1, depth + 1)?;
            self.keys.resume(this);
        }
        self.nodes[start] = Node::Object { len: kept };
        self.keys.leave(outer);
        Ok(next)
    }

    /// The node of `value`, the string value of key number `key`: interned when it is the
    /// value that key had last time.
    fn repeat(&mut self, key: u32, value: &'a str) -> Node {
        let key = key as usize;
        if self.last.len() <= key {
            self.last.resize(key + 1, None);
        }
        match self.last[key] {
            Some((previous, Some(id))) if previous == value => Node::Interned(id),
            Some((previous, None)) if previous == value => {
                let id = self.keys.share(Rewrite::string(self.base, value));
                self.last[key] = Some((value, Some(id)));
                Node::Interned(id)
            }
            _ => {
                self.last[key] = Some((value, None));
                Rewrite::string(self.base, value)
            }
        }
    }
}
