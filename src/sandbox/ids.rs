//! Deterministic identifiers and API keys.
//!
//! Close IDs are a kind prefix, an underscore and 43 base62 characters. The sandbox derives
//! them from a hash of the organisation's seed and a running counter, so the same sequence of
//! requests against the same options always produces the same IDs. Nothing here uses
//! randomness or the clock.

/// The 62 characters Close uses after the prefix of an ID.
const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// How many base62 characters follow the prefix of a classic Close ID.
const ID_LENGTH: usize = 43;

/// Hands out IDs for one organisation: each call hashes the seed with the next counter value.
#[derive(Debug, Clone)]
pub struct IdGen {
    seed: u64,
    counter: u64,
}

impl IdGen {
    /// Starts a generator whose IDs depend only on `seed_text` and the call order.
    pub fn new(seed_text: &str) -> IdGen {
        IdGen { seed: fnv1a(seed_text.as_bytes()), counter: 0 }
    }

    /// The next ID with the given kind prefix, e.g. `next("lead")` gives `lead_…`.
    pub fn next(&mut self, prefix: &str) -> String {
        self.counter += 1;
        // The prefix is part of the hash, so a lead and a task never share a suffix.
        let mut state =
            self.seed ^ fnv1a(prefix.as_bytes()) ^ self.counter.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let mut id = String::with_capacity(prefix.len() + 1 + ID_LENGTH);
        id.push_str(prefix);
        id.push('_');
        push_base62(&mut state, ID_LENGTH, &mut id);
        id
    }
}

/// The API key of an account: `api_` + 22 + `.` + 22 characters, the shape third-party
/// samples show. Derived from the account name so it is stable between runs.
pub fn api_key(account: &str) -> String {
    let mut state = fnv1a(format!("api key of {account}").as_bytes());
    let mut key = String::from("api_");
    push_base62(&mut state, 22, &mut key);
    key.push('.');
    push_base62(&mut state, 22, &mut key);
    key
}

/// FNV-1a: a tiny, stable string hash (std's hasher may change between Rust releases).
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xCBF2_9CE4_8422_2325;
    for byte in bytes {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01B3);
    }
    hash
}

/// One step of the SplitMix64 sequence: advances `state` and returns a well-mixed value.
pub fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Appends `count` base62 characters drawn from `state`.
fn push_base62(state: &mut u64, count: usize, out: &mut String) {
    for _ in 0..count {
        let digit = splitmix(state) % 62;
        out.push(char::from(BASE62[digit as usize]));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_the_close_shape_and_repeat_between_runs() {
        let mut first = IdGen::new("org one");
        let mut again = IdGen::new("org one");
        let id = first.next("lead");
        assert_eq!(id, again.next("lead"));
        assert_eq!(id.len(), "lead_".len() + 43);
        assert!(id["lead_".len()..].bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_ne!(id, first.next("lead"));
        assert_ne!(IdGen::new("org two").next("lead"), id);
    }

    #[test]
    fn api_keys_differ_per_account() {
        let key = api_key("default");
        assert!(key.starts_with("api_"));
        assert_eq!(key.len(), 4 + 22 + 1 + 22);
        assert_eq!(key, api_key("default"));
        assert_ne!(key, api_key("us_team"));
    }
}
