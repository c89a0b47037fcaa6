//! The plugin's configuration: a read-only map of UTF-8 strings the embedder gives each plugin
//! (ABI 1.1, `wabi.config`).
//!
//! ```no_run
//! let region = wabi_guest::config::get("region").unwrap_or_else(|| "eu".to_owned());
//! # let _ = region;
//! ```
//!
//! A value of up to 256 bytes is read in one host call into a stack buffer; a longer one takes
//! a second call into a buffer of exactly its length. Nothing is cached: every lookup asks the
//! host.
//!
//! Outside wasm32 (native unit tests) there is no host, and a lookup panics.

/// Values up to this many bytes are read in one host call.
const STACK_BUFFER: usize = 256;

/// The value of `key`, or `None` when it is not set.
///
/// The host only holds UTF-8 values; should one not be, its invalid sequences are replaced by
/// `U+FFFD`.
///
/// # Panics
///
/// Outside wasm32, where there is no host.
pub fn get(key: &str) -> Option<String> {
    get_bytes(key).map(into_string)
}

/// `bytes` as a string, with invalid UTF-8 replaced (without a copy when it is valid).
fn into_string(bytes: Vec<u8>) -> String {
    match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    }
}

/// The value of `key` as bytes, or `None` when it is not set.
///
/// # Panics
///
/// Outside wasm32, where there is no host.
pub fn get_bytes(key: &str) -> Option<Vec<u8>> {
    read(key, crate::imports::config)
}

/// Read `key` through `lookup` (the `wabi.config` import, or a stand-in in tests): first into a
/// stack buffer, then, if the value is longer, into a buffer of exactly the length the host
/// reported, as often as the host reports a different length (which a read-only map never
/// does more than once).
fn read(key: &str, mut lookup: impl FnMut(&str, &mut [u8]) -> Option<usize>) -> Option<Vec<u8>> {
    let mut stack = [0u8; STACK_BUFFER];
    let mut len = lookup(key, &mut stack)?;
    if len <= STACK_BUFFER {
        return Some(stack[..len].to_vec());
    }
    loop {
        // Zero-filled rather than uninitialised: the host writes through the pointer, and a
        // host that writes less than it reports must not expose uninitialised memory.
        let mut buf = vec![0u8; len];
        let now = lookup(key, &mut buf)?;
        if now <= len {
            buf.truncate(now);
            return Some(buf);
        }
        len = now;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A host with one map, counting its calls and the buffer sizes it was given.
    fn host<'a>(
        map: &'a [(&'a str, &'a [u8])],
        calls: &'a mut Vec<usize>,
    ) -> impl FnMut(&str, &mut [u8]) -> Option<usize> + 'a {
        move |key, buf| {
            calls.push(buf.len());
            let (_, value) = map.iter().find(|(k, _)| *k == key)?;
            if value.len() <= buf.len() {
                buf[..value.len()].copy_from_slice(value);
            }
            Some(value.len())
        }
    }

    #[test]
    fn short_values_take_one_call() {
        let map: &[(&str, &[u8])] = &[("a", b"alpha"), ("empty", b""), ("edge", &[7; 256])];
        let mut calls = Vec::new();
        assert_eq!(
            read("a", host(map, &mut calls)).as_deref(),
            Some(&b"alpha"[..])
        );
        assert_eq!(
            read("empty", host(map, &mut calls)).as_deref(),
            Some(&b""[..])
        );
        assert_eq!(
            read("edge", host(map, &mut calls)).as_deref(),
            Some(&[7; 256][..])
        );
        assert_eq!(read("missing", host(map, &mut calls)), None);
        assert_eq!(calls, [256, 256, 256, 256]);
    }

    #[test]
    fn long_values_are_read_again_with_their_exact_length() {
        let big: Vec<u8> = (0..100_000u32).map(|i| i as u8).collect();
        let map: &[(&str, &[u8])] = &[("big", &big), ("257", &[1; 257])];
        let mut calls = Vec::new();
        assert_eq!(
            read("big", host(map, &mut calls)).as_deref(),
            Some(&big[..])
        );
        assert_eq!(
            read("257", host(map, &mut calls)).as_deref(),
            Some(&[1; 257][..])
        );
        assert_eq!(calls, [256, 100_000, 256, 257]);
    }

    #[test]
    fn a_value_that_changes_length_is_read_until_it_fits() {
        let mut lens = vec![300usize, 500, 400].into_iter();
        let mut last = 0;
        let got = read("k", |_, buf| {
            let len = lens.next().unwrap();
            if len <= buf.len() {
                buf[..len].fill(9);
            }
            last = len;
            Some(len)
        });
        assert_eq!(got, Some(vec![9; 400]));
        assert_eq!(last, 400);
        // A key that disappears between the calls is not set.
        let mut answers = vec![Some(1000), None].into_iter();
        assert_eq!(read("k", |_, _| answers.next().unwrap()), None);
    }

    #[test]
    fn invalid_utf8_is_replaced() {
        assert_eq!(into_string(b"ok".to_vec()), "ok");
        assert_eq!(into_string(vec![b'o', b'k', 0xff]), "ok\u{fffd}");
    }

    #[test]
    #[should_panic(expected = "configuration needs a wasm host")]
    fn native_lookups_panic() {
        let _ = get("key");
    }
}
