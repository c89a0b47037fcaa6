//! Values the host holds as MessagePack bytes: encode and decode them exactly as a call does
//! (ABI.md section 8), e.g. a guest error's value, a result of [`crate::Plugin::call_raw`] that
//! is MessagePack after all, or bytes kept in a cache.
//!
//! ```
//! use std::collections::BTreeMap;
//! let bytes = wabi_host::value::to_vec(&BTreeMap::from([("a", 1u8)])).unwrap();
//! assert_eq!(bytes, [0x81, 0xa1, b'a', 0x01]);
//! let back: BTreeMap<String, u64> = wabi_host::value::decode(&bytes).unwrap();
//! assert_eq!(back["a"], 1);
//! ```

use serde::de::DeserializeOwned;
use serde::Serialize;

pub use wabi_spec::codec::{DecodeError, EncodeError, MAX_DEPTH};

/// Encode `value` canonically, as the host encodes call arguments.
pub fn to_vec<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, EncodeError> {
    wabi_spec::codec::to_vec(value)
}

/// Decode one value from `bytes`, as the host decodes results: nesting deeper than
/// [`MAX_DEPTH`] is refused, and nothing is allocated for a length the bytes do not hold.
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, DecodeError> {
    wabi_spec::codec::decode(bytes)
}
