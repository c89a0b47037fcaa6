//! Bounds-checked access to guest memory: the primitive every other host operation uses.
//!
//! Every pointer and length comes from an untrusted guest. Each access checks
//! `ptr + len <= memory size` in 64-bit arithmetic before touching a byte.

use bytemuck::{AnyBitPattern, NoUninit, Pod};
use wasmtime::{Memory, StoreContextMut};

use crate::state::HostState;

use crate::error::{Error, Result};

/// Check that `len` bytes at `ptr` lie inside a memory of `size` bytes; returns the range.
#[inline]
pub(crate) fn checked_range(ptr: u32, len: u64, size: usize) -> Result<std::ops::Range<usize>> {
    match (ptr as u64).checked_add(len) {
        Some(end) if end <= size as u64 => Ok(ptr as usize..end as usize),
        _ => Err(Error::OutOfBounds {
            ptr: ptr as u64,
            len,
            size: size as u64,
        }),
    }
}

/// A view of a plugin's linear memory with bounds-checked reads and writes.
///
/// Obtained from [`crate::Plugin::memory`]. Values are little-endian, as in wasm.
///
/// ```no_run
/// # fn demo(plugin: &mut wabi_host::Plugin) -> wabi_host::Result<()> {
/// let mut mem = plugin.memory()?;
/// mem.write::<u32>(1024, &7)?;
/// assert_eq!(mem.read::<u32>(1024)?, 7);
/// assert!(mem.read::<u64>(u32::MAX).is_err()); // out of bounds: an error, never a crash
/// # Ok(()) }
/// ```
pub struct GuestMemory<'a> {
    pub(crate) memory: Memory,
    pub(crate) store: StoreContextMut<'a, HostState>,
}

impl GuestMemory<'_> {
    /// Current size in bytes.
    pub fn size(&self) -> usize {
        self.memory.data_size(&self.store)
    }

    /// Borrow `len` bytes at `ptr`.
    pub fn bytes(&self, ptr: u32, len: u32) -> Result<&[u8]> {
        let data = self.memory.data(&self.store);
        let range = checked_range(ptr, len as u64, data.len())?;
        Ok(&data[range])
    }

    /// Copy `bytes` into memory at `ptr`.
    pub fn write_bytes(&mut self, ptr: u32, bytes: &[u8]) -> Result<()> {
        let data = self.memory.data_mut(&mut self.store);
        let range = checked_range(ptr, bytes.len() as u64, data.len())?;
        data[range].copy_from_slice(bytes);
        Ok(())
    }

    /// Read one `Pod` value at `ptr` (no alignment required).
    pub fn read<T: AnyBitPattern>(&self, ptr: u32) -> Result<T> {
        let bytes = self.bytes(ptr, size_of_u32::<T>(1)?)?;
        Ok(bytemuck::pod_read_unaligned(bytes))
    }

    /// Read `count` consecutive `Pod` values at `ptr`.
    pub fn read_slice<T: Pod>(&self, ptr: u32, count: u32) -> Result<Vec<T>> {
        let bytes = self.bytes(ptr, size_of_u32::<T>(count)?)?;
        let mut out = vec![T::zeroed(); count as usize];
        bytemuck::cast_slice_mut::<T, u8>(&mut out).copy_from_slice(bytes);
        Ok(out)
    }

    /// Write one `Pod` value at `ptr`.
    pub fn write<T: NoUninit>(&mut self, ptr: u32, value: &T) -> Result<()> {
        self.write_bytes(ptr, bytemuck::bytes_of(value))
    }

    /// Write a slice of `Pod` values at `ptr`.
    pub fn write_slice<T: NoUninit>(&mut self, ptr: u32, values: &[T]) -> Result<()> {
        self.write_bytes(ptr, bytemuck::cast_slice(values))
    }
}

/// `size_of::<T>() * count` as a u32 guest length, or an error if it cannot be one.
fn size_of_u32<T>(count: u32) -> Result<u32> {
    let len = std::mem::size_of::<T>() as u64 * count as u64;
    u32::try_from(len).map_err(|_| Error::OutOfBounds {
        ptr: 0,
        len,
        size: u32::MAX as u64,
    })
}

#[cfg(test)]
mod tests {
    use super::checked_range;

    #[test]
    fn ranges_never_overflow() {
        assert_eq!(checked_range(0, 0, 0).unwrap(), 0..0);
        assert_eq!(checked_range(10, 6, 16).unwrap(), 10..16);
        assert!(checked_range(10, 7, 16).is_err());
        assert!(checked_range(u32::MAX, u32::MAX as u64, usize::MAX).is_ok());
        assert!(checked_range(u32::MAX, 1, u32::MAX as usize).is_err());
        assert!(checked_range(1, u64::MAX - 1, 100).is_err());
        assert!(checked_range(2, u64::MAX, usize::MAX).is_err());
    }
}
