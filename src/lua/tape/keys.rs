//! Numbers the strings of a document that recur (object keys, and values the fast reader
//! finds repeated), so that each becomes one Lua string.

use rustc_hash::FxHashMap;

use super::Node;

/// Marks "no key": before the first key of an object, and a guess not made yet.
const NONE: u32 = u32::MAX;

/// The interned strings of a document in order of first appearance: the distinct keys, and
/// the values added with `share`.
///
/// Records of a page list their keys in the same order, so for each key the table
/// remembers the key that followed it last time. That guess is almost always right and
/// costs one comparison instead of a hash lookup.
#[derive(Default)]
pub struct Keys {
    /// Each string as a `Str` node of the tape.
    nodes: Vec<Node>,
    /// The text of each key, by number; empty for shared values, which are never guessed.
    texts: Vec<Box<[u8]>>,
    ids: FxHashMap<Box<[u8]>, u32>,
    /// For each key, the key that followed it last time; the last slot is for the first
    /// key of an object.
    follows: Vec<u32>,
    /// The previous key of the object being read, `NONE` before its first.
    previous: u32,
}

impl Keys {
    pub fn new() -> Keys {
        Keys { follows: vec![NONE], previous: NONE, ..Keys::default() }
    }

    /// The `Interned` node of the key `text`; `node` makes its `Str` node when the key is new.
    pub fn key(&mut self, text: &[u8], node: impl FnOnce() -> Node) -> Node {
        let guess = self.follows[self.slot()];
        let id = if guess != NONE && *self.texts[guess as usize] == *text {
            guess
        } else {
            let id = match self.ids.get(text) {
                Some(id) => *id,
                None => self.add(text, node()),
            };
            let slot = self.slot();
            self.follows[slot] = id;
            id
        };
        self.previous = id;
        Node::Interned(id)
    }

    /// Interns a string value that recurs; returns its number.
    pub fn share(&mut self, node: Node) -> u32 {
        self.push(node, Box::default())
    }

    /// Starts reading an object; returns what `leave` needs to resume the outer one.
    pub fn enter(&mut self) -> u32 {
        std::mem::replace(&mut self.previous, NONE)
    }

    /// Goes back to the object that held the one just read.
    pub fn leave(&mut self, outer: u32) {
        self.previous = outer;
    }

    /// The key last read in the current object, to restore with `resume` after its value
    /// (which may be an object with keys of its own).
    pub fn current(&self) -> u32 {
        self.previous
    }

    pub fn resume(&mut self, key: u32) {
        self.previous = key;
    }

    /// The strings as `Str` nodes, in the order of their numbers.
    pub fn into_nodes(self) -> Vec<Node> {
        self.nodes
    }

    fn slot(&self) -> usize {
        if self.previous == NONE { self.follows.len() - 1 } else { self.previous as usize }
    }

    fn add(&mut self, text: &[u8], node: Node) -> u32 {
        let id = self.push(node, text.into());
        self.ids.insert(text.into(), id);
        id
    }

    fn push(&mut self, node: Node, text: Box<[u8]>) -> u32 {
        let id = self.nodes.len() as u32;
        self.nodes.push(node);
        self.texts.push(text);
        // Every number gets a slot of its own before the last one, which stays the slot for
        // the first key of an object.
        let first = self.follows.pop().unwrap_or(NONE);
        self.follows.push(NONE);
        self.follows.push(first);
        id
    }
}
