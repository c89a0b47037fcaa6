//! The ABI version and its compatibility rule.
//!
//! A host implementing version `H` accepts a guest reporting version `G` when
//! `G.major == H.major` and `G.minor <= H.minor`. Minor versions only add (a new optional import,
//! a new status code a guest may send only if the host reports it understands it); anything that
//! changes an existing layout, signature or encoding is a new major version.

use core::fmt;

/// An ABI version: `major.minor`, exchanged as `major << 16 | minor` in an `i32`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AbiVersion {
    /// Incompatible changes.
    pub major: u16,
    /// Compatible additions.
    pub minor: u16,
}

/// The version this crate describes: 1.3 (1.0, plus the `wabi.host_call` and `wabi.config`
/// imports in 1.1, plus in 1.2 the guarantee that `wabi_abi_version` and `wabi_scratch` give the
/// same values in every instance of a module, so that a host may ask only once per module, plus
/// in 1.3 the `wabi.http_request` import).
pub const ABI_VERSION: AbiVersion = AbiVersion { major: 1, minor: 3 };

/// The first version with the `wabi.http_request` import (ABI.md section 4.4): 1.3.
pub const HTTP_SINCE: AbiVersion = AbiVersion { major: 1, minor: 3 };

/// The first version whose guests promise that `wabi_abi_version` and `wabi_scratch` are
/// constants of the module (ABI.md section 5): 1.2.
pub const CONSTANT_SCRATCH_SINCE: AbiVersion = AbiVersion { major: 1, minor: 2 };

impl AbiVersion {
    /// Decode the value returned by `wabi_abi_version`.
    ///
    /// ```
    /// use wabi_spec::AbiVersion;
    /// assert_eq!(AbiVersion::from_raw(0x0001_0002), AbiVersion { major: 1, minor: 2 });
    /// ```
    pub const fn from_raw(raw: u32) -> Self {
        AbiVersion {
            major: (raw >> 16) as u16,
            minor: raw as u16,
        }
    }

    /// Encode for `wabi_abi_version`.
    pub const fn to_raw(self) -> u32 {
        ((self.major as u32) << 16) | self.minor as u32
    }

    /// Whether a host of version `self` can run a guest of version `guest`.
    ///
    /// ```
    /// use wabi_spec::{AbiVersion, ABI_VERSION};
    /// assert!(ABI_VERSION.accepts(ABI_VERSION));
    /// assert!(!ABI_VERSION.accepts(AbiVersion { major: 2, minor: 0 }));
    /// ```
    pub const fn accepts(self, guest: AbiVersion) -> bool {
        guest.major == self.major && guest.minor <= self.minor
    }
}

impl fmt::Display for AbiVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}
