//! An on-disk cache of compiled modules, for fast restarts.
//!
//! Compiling a plugin with Cranelift takes from milliseconds to minutes; loading its compiled
//! code from the cache takes about as long as reading the file. A [`CompileCache`] keeps one
//! file per module and engine configuration in a directory:
//!
//! ```no_run
//! # fn main() -> wabi_host::Result<()> {
//! let engine = wabi_host::Engine::default();
//! let cache = wabi_host::CompileCache::open("/var/cache/my-gateway/wabi")?;
//! let module = wabi_host::Module::builder(&engine).cache(&cache).build_file("plugin.wasm")?;
//! # Ok(()) }
//! ```
//!
//! An entry is named by the SHA-256 of the wasm bytes and a fingerprint of the engine (the
//! wabi-host version, wasmtime's own compatibility hash of the version and every setting that
//! changes compiled code, and wabi's fuel, deadline, async and pooling settings, the target), and
//! holds a header (magic, format version, wasm digest, engine fingerprint, length), the artifact
//! wasmtime serialized, and an HMAC-SHA256 of header and artifact under the cache's secret key.
//! Entries are written to a temporary file and renamed into place, so a reader never sees half
//! an entry.
//!
//! # Security
//!
//! Loading a compiled artifact runs its machine code as it is: wasmtime cannot check it, and a
//! forged one is arbitrary code in the host process. So an entry is deserialized only after
//! its HMAC, magic, version, digest, fingerprint and length all check out; on any mismatch the
//! entry is *not* loaded: the module is compiled from its wasm bytes, the entry is overwritten,
//! and a warning is logged (`tracing`, target `wabi::host`).
//!
//! What this protects against: an entry damaged on disk (truncated, bit flips, a half-written
//! file from another version); an entry for other wasm bytes or another engine configuration
//! (renamed or copied files); an attacker who can write to the cache directory but cannot read
//! the key, who cannot make the host run code of their choice (they can only make it
//! recompile, or fill the disk).
//!
//! What it does not protect against: anyone who can read the key (by default the file `key` in
//! the cache directory, created with mode 0600 on first use; or the key the embedder passed to
//! [`CompileCache::with_key`]) and write to the directory can forge entries that run as native
//! code in the host: keep the directory and key owned by the host's user, or give a key kept
//! elsewhere. Anyone who can replace the wasm bytes themselves is out of scope here (see the
//! manifest's digests, [`crate::Manifest`]). On platforms other than Unix the key file gets
//! the directory's default permissions. The cache does not protect secrecy: entries are not
//! encrypted.

use std::hash::Hasher;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use sha2::{Digest, Sha256};

use crate::engine::Engine;
use crate::error::{Error, Result};

/// The first bytes of every entry.
const MAGIC: &[u8; 8] = b"WABICWSM";
/// The entry format; entries of another version are recompiled.
const FORMAT: u32 = 1;
/// Magic, format, wasm digest, engine fingerprint, artifact length.
const HEADER: usize = 8 + 4 + 32 + 32 + 8;
const MAC: usize = 32;
/// The key file's name in the cache directory.
const KEY_FILE: &str = "key";

/// An on-disk cache of compiled modules; see the [module documentation](self) for the format
/// and what it protects against. Cheap to clone, `Send + Sync`; use it with
/// [`crate::ModuleBuilder::cache`].
#[derive(Clone)]
pub struct CompileCache {
    inner: Arc<CacheInner>,
}

struct CacheInner {
    dir: PathBuf,
    key: [u8; 32],
    hits: AtomicU64,
    misses: AtomicU64,
    rejected: AtomicU64,
}

/// How a cache's lookups went so far.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct CacheStats {
    /// Modules loaded from an entry.
    pub hits: u64,
    /// Modules with no entry yet: compiled, and an entry written.
    pub misses: u64,
    /// Entries refused (corrupt, tampered with, written under another key or format, or for
    /// another engine): the module was compiled and the entry overwritten.
    pub rejected: u64,
}

impl CompileCache {
    /// Open (creating it if needed, mode 0700 on Unix) the cache directory `dir`, with the
    /// secret key in `dir/key`: read it, or on first use make 32 random bytes and write them
    /// there with mode 0600. A key file that group or others may read or write is refused: run
    /// `chmod 600` on it.
    pub fn open(dir: impl AsRef<Path>) -> Result<CompileCache> {
        let dir = dir.as_ref();
        create_dir(dir)?;
        let key = read_or_create_key(&dir.join(KEY_FILE))?;
        Ok(CompileCache::new(dir, key))
    }

    /// Open the cache directory `dir` with a key the embedder keeps (a secret store, a file
    /// outside the directory); no key file is read or written.
    pub fn with_key(dir: impl AsRef<Path>, key: [u8; 32]) -> Result<CompileCache> {
        let dir = dir.as_ref();
        create_dir(dir)?;
        Ok(CompileCache::new(dir, key))
    }

    fn new(dir: &Path, key: [u8; 32]) -> CompileCache {
        CompileCache {
            inner: Arc::new(CacheInner {
                dir: dir.to_path_buf(),
                key,
                hits: AtomicU64::new(0),
                misses: AtomicU64::new(0),
                rejected: AtomicU64::new(0),
            }),
        }
    }

    /// The cache directory.
    pub fn dir(&self) -> &Path {
        &self.inner.dir
    }

    /// Hits, misses and rejected entries so far.
    pub fn stats(&self) -> CacheStats {
        CacheStats {
            hits: self.inner.hits.load(Ordering::Relaxed),
            misses: self.inner.misses.load(Ordering::Relaxed),
            rejected: self.inner.rejected.load(Ordering::Relaxed),
        }
    }

    /// The file holding the compiled form of `wasm` for `engine`.
    pub fn entry_path(&self, engine: &Engine, wasm: &[u8]) -> PathBuf {
        self.path_for(&fingerprint(engine), &sha256(wasm))
    }

    fn path_for(&self, fingerprint: &[u8; 32], digest: &[u8; 32]) -> PathBuf {
        self.inner
            .dir
            .join(format!("{}-{}.cwasm", hex(digest), &hex(fingerprint)[..16]))
    }

    /// The module compiled from `wasm` (whose SHA-256 is `digest`): from its entry when that
    /// checks out, else compiled and written to the cache.
    pub(crate) fn load_or_compile(
        &self,
        engine: &Engine,
        wasm: &[u8],
        digest: &[u8; 32],
    ) -> Result<wasmtime::Module> {
        let fingerprint = fingerprint(engine);
        let path = self.path_for(&fingerprint, digest);
        match std::fs::read(&path) {
            Ok(file) => match self.verify(&file, &fingerprint, digest) {
                Ok(artifact) => {
                    // SAFETY: `artifact` is exactly what `wasmtime::Module::serialize` wrote
                    // for these wasm bytes on an engine of this fingerprint: its HMAC under
                    // our secret key checked out (see the module documentation for who could
                    // forge it). wasmtime still checks its own header against the engine.
                    match unsafe { wasmtime::Module::deserialize(&engine.inner, artifact) } {
                        Ok(module) => {
                            self.inner.hits.fetch_add(1, Ordering::Relaxed);
                            return Ok(module);
                        }
                        Err(e) => self.reject(&path, &format!("wasmtime refused it: {e:#}")),
                    }
                }
                Err(reason) => self.reject(&path, &reason),
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                self.inner.misses.fetch_add(1, Ordering::Relaxed);
            }
            Err(e) => self.reject(&path, &format!("cannot read it: {e}")),
        }
        let module = compile(engine, wasm)?;
        if let Err(e) = self.store(&path, &module, &fingerprint, digest) {
            tracing::warn!(
                target: "wabi::host",
                "cannot write the compile cache entry {}: {e}; the module is compiled and \
                 works, but the next start compiles it again",
                path.display()
            );
        }
        Ok(module)
    }

    fn reject(&self, path: &Path, reason: &str) {
        self.inner.rejected.fetch_add(1, Ordering::Relaxed);
        tracing::warn!(
            target: "wabi::host",
            "compile cache entry {} refused ({reason}); compiling the module and overwriting \
             the entry",
            path.display()
        );
    }

    /// The artifact inside `file`, if every check passes; otherwise why not.
    fn verify<'a>(
        &self,
        file: &'a [u8],
        fingerprint: &[u8; 32],
        digest: &[u8; 32],
    ) -> std::result::Result<&'a [u8], String> {
        if file.len() < HEADER + MAC {
            return Err(format!("{} bytes is too short for an entry", file.len()));
        }
        let (signed, mac) = file.split_at(file.len() - MAC);
        if !constant_time_eq(&hmac_sha256(&self.inner.key, &[signed]), mac) {
            return Err(
                "its HMAC does not match: damaged, tampered with, or written under \
                        another key"
                    .into(),
            );
        }
        if &signed[..8] != MAGIC {
            return Err("it is not a wabi cache entry (wrong magic)".into());
        }
        let format = u32::from_le_bytes(signed[8..12].try_into().expect("4 bytes"));
        if format != FORMAT {
            return Err(format!("entry format {format}, this host writes {FORMAT}"));
        }
        if &signed[12..44] != digest {
            return Err("it was compiled from other wasm bytes".into());
        }
        if &signed[44..76] != fingerprint {
            return Err("it was compiled for another engine configuration".into());
        }
        let len = u64::from_le_bytes(signed[76..84].try_into().expect("8 bytes"));
        let artifact = &signed[HEADER..];
        if len != artifact.len() as u64 {
            return Err(format!(
                "its header says {len} bytes of code, it has {}",
                artifact.len()
            ));
        }
        Ok(artifact)
    }

    /// Write the entry for `module` atomically: a temporary file in the directory, renamed.
    fn store(
        &self,
        path: &Path,
        module: &wasmtime::Module,
        fingerprint: &[u8; 32],
        digest: &[u8; 32],
    ) -> std::result::Result<(), String> {
        let artifact = module
            .serialize()
            .map_err(|e| format!("wasmtime cannot serialize the module: {e:#}"))?;
        let mut file = Vec::with_capacity(HEADER + artifact.len() + MAC);
        file.extend_from_slice(MAGIC);
        file.extend_from_slice(&FORMAT.to_le_bytes());
        file.extend_from_slice(digest);
        file.extend_from_slice(fingerprint);
        file.extend_from_slice(&(artifact.len() as u64).to_le_bytes());
        file.extend_from_slice(&artifact);
        let mac = hmac_sha256(&self.inner.key, &[&file]);
        file.extend_from_slice(&mac);
        write_atomically(path, &file, false).map_err(|e| e.to_string())
    }
}

/// Compile without a cache.
pub(crate) fn compile(engine: &Engine, wasm: &[u8]) -> Result<wasmtime::Module> {
    wasmtime::Module::new(&engine.inner, wasm).map_err(|e| Error::Compile {
        reason: format!("{e:#}"),
    })
}

/// SHA-256 of `bytes`.
pub(crate) fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// Lower-case hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        use std::fmt::Write as _;
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Everything about an engine that decides whether code compiled by one runs on another.
fn fingerprint(engine: &Engine) -> [u8; 32] {
    struct Feed(Sha256);
    impl Hasher for Feed {
        fn finish(&self) -> u64 {
            0
        }
        fn write(&mut self, bytes: &[u8]) {
            self.0.update(bytes);
        }
    }
    let mut feed = Feed(Sha256::new());
    feed.write(b"wabi compile cache\0");
    feed.write(env!("CARGO_PKG_VERSION").as_bytes());
    std::hash::Hash::hash(&engine.inner.precompile_compatibility_hash(), &mut feed);
    let wabi = format!(
        "\0fuel={} deadlines={} async={} pooling={:?} target={}-{}",
        engine.fuel,
        engine.deadlines,
        engine.is_async,
        engine.pooling,
        std::env::consts::ARCH,
        std::env::consts::OS,
    );
    feed.write(wabi.as_bytes());
    feed.0.finalize().into()
}

/// HMAC-SHA256 (RFC 2104) of the concatenation of `parts` under `key`.
///
/// Written here over `sha2` rather than taken from the `hmac` crate: `hmac` turns on a feature
/// of `digest` that `sha2` shares with Cranelift, which would rebuild the whole compiler for
/// twenty lines. Checked against the RFC 4231 vectors below.
fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    const BLOCK: usize = 64;
    let mut block = [0u8; BLOCK];
    if key.len() > BLOCK {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    inner.update(block.map(|b| b ^ 0x36));
    for p in parts {
        inner.update(p);
    }
    let mut outer = Sha256::new();
    outer.update(block.map(|b| b ^ 0x5c));
    outer.update(inner.finalize());
    outer.finalize().into()
}

/// Compare without an early exit, so the time taken does not tell how many bytes matched.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn create_dir(dir: &Path) -> Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(|e| Error::Cache {
        path: dir.to_path_buf(),
        reason: format!("cannot create the cache directory: {e}"),
    })
}

/// Read the key file, or create it with a fresh random key. Created through a temporary file
/// hard-linked into place, so that a process racing with this one reads a whole key, never an
/// empty file.
fn read_or_create_key(path: &Path) -> Result<[u8; 32]> {
    let fail = |reason: String| Error::Cache {
        path: path.to_path_buf(),
        reason,
    };
    if !path.exists() {
        let mut key = [0u8; 32];
        getrandom::fill(&mut key)
            .map_err(|e| fail(format!("cannot get random bytes for a new key: {e}")))?;
        let tmp = temp_path(path);
        write_file(&tmp, &key, true)
            .map_err(|e| fail(format!("cannot write a new key file: {e}")))?;
        let linked = std::fs::hard_link(&tmp, path);
        let _ = std::fs::remove_file(&tmp);
        match linked {
            Ok(()) => return Ok(key),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(fail(format!("cannot create the key file: {e}"))),
        }
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .map_err(|e| fail(format!("cannot read the key file: {e}")))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            return Err(fail(format!(
                "the key file has mode {:o}: group or others may read or change it, and so \
                 forge cache entries that run as native code; run `chmod 600 {}`",
                mode & 0o777,
                path.display()
            )));
        }
    }
    let bytes = std::fs::read(path).map_err(|e| fail(format!("cannot read the key file: {e}")))?;
    bytes.try_into().map_err(|b: Vec<u8>| {
        fail(format!(
            "the key file has {} bytes, not 32; delete it to make a new key (every entry is \
             then recompiled once)",
            b.len()
        ))
    })
}

/// A unique temporary name next to `path`.
fn temp_path(path: &Path) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let name = path
        .file_name()
        .map_or_else(|| "entry".into(), |n| n.to_string_lossy().into_owned());
    path.with_file_name(format!(
        ".{name}.{}.{}.tmp",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ))
}

fn write_file(path: &Path, bytes: &[u8], secret: bool) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, if secret { 0o600 } else { 0o644 });
    #[cfg(not(unix))]
    let _ = secret;
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Write `bytes` to a temporary file beside `path` and rename it to `path`.
fn write_atomically(path: &Path, bytes: &[u8], secret: bool) -> std::io::Result<()> {
    let tmp = temp_path(path);
    let written = write_file(&tmp, bytes, secret).and_then(|()| std::fs::rename(&tmp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231() {
        // Test case 1.
        assert_eq!(
            hex(&hmac_sha256(&[0x0b; 20], &[b"Hi There"])),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        );
        // Test case 2, the message in two parts.
        assert_eq!(
            hex(&hmac_sha256(
                b"Jefe",
                &[b"what do ya want ", b"for nothing?"]
            )),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // Test case 6: a key longer than the block.
        assert_eq!(
            hex(&hmac_sha256(
                &[0xaa; 131],
                &[b"Test Using Larger Than Block-Size Key - Hash Key First"]
            )),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn constant_time_eq_compares_whole_slices() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
