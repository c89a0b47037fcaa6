//! The compile cache: miss then hit, and every kind of bad entry recompiled rather than loaded.

mod common;

use std::path::{Path, PathBuf};
use std::time::Instant;

use common::{wat, ECHO, RETURN_TRUE};
use wabi_host::{CacheStats, CompileCache, Engine, Error, Module};

/// A fresh directory under the system's temporary directory, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!(
            "wabi-cache-test-{name}-{}-{:?}",
            std::process::id(),
            Instant::now()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn guest() -> String {
    wat(&format!("{RETURN_TRUE}\n{ECHO}"))
}

/// Build through the cache and check the module works.
fn build(engine: &Engine, cache: &CompileCache, src: &str) -> Module {
    let module = Module::builder(engine).cache(cache).build(src).unwrap();
    assert!(module
        .instantiate()
        .unwrap()
        .call::<_, bool>("yes", ())
        .unwrap());
    module
}

fn stats(hits: u64, misses: u64, rejected: u64) -> CacheStats {
    CacheStats {
        hits,
        misses,
        rejected,
    }
}

#[test]
fn the_first_build_misses_and_writes_an_entry_the_second_hits() {
    let dir = TempDir::new("hit");
    let engine = Engine::default();
    let cache = CompileCache::open(&dir.0).unwrap();
    let src = guest();
    let entry = cache.entry_path(&engine, src.as_bytes());
    assert!(!entry.exists());
    build(&engine, &cache, &src);
    assert_eq!(cache.stats(), stats(0, 1, 0));
    assert!(entry.exists());
    let module = build(&engine, &cache, &src);
    assert_eq!(cache.stats(), stats(1, 1, 0));
    assert_eq!(
        module.functions(),
        ["yes", "echo"],
        "a cached module is the same module"
    );
    // Another process (another cache value) on the same directory hits too.
    let again = CompileCache::open(&dir.0).unwrap();
    build(&engine, &again, &src);
    assert_eq!(again.stats(), stats(1, 0, 0));
}

#[test]
fn other_bytes_or_another_engine_configuration_miss() {
    let dir = TempDir::new("keys");
    let cache = CompileCache::open(&dir.0).unwrap();
    let engine = Engine::default();
    build(&engine, &cache, &guest());
    build(&engine, &cache, &wat(RETURN_TRUE));
    assert_eq!(cache.stats(), stats(0, 2, 0));
    let fuel = Engine::builder().fuel(true).build().unwrap();
    assert_ne!(
        cache.entry_path(&fuel, guest().as_bytes()),
        cache.entry_path(&engine, guest().as_bytes())
    );
    build(&fuel, &cache, &guest());
    assert_eq!(cache.stats(), stats(0, 3, 0));
    build(&fuel, &cache, &guest());
    assert_eq!(cache.stats(), stats(1, 3, 0));
}

/// Damage the entry of `src` with `damage`, then check the next build refuses it, compiles,
/// and rewrites the entry so that the build after that hits.
fn refused_after(name: &str, damage: impl FnOnce(&Path)) {
    let dir = TempDir::new(name);
    let engine = Engine::default();
    let cache = CompileCache::open(&dir.0).unwrap();
    let src = guest();
    build(&engine, &cache, &src);
    let entry = cache.entry_path(&engine, src.as_bytes());
    let good = std::fs::read(&entry).unwrap();
    damage(&entry);
    assert_ne!(std::fs::read(&entry).ok(), Some(good.clone()));
    build(&engine, &cache, &src);
    assert_eq!(cache.stats(), stats(0, 1, 1), "{name}: refused, not loaded");
    let rewritten = std::fs::read(&entry).unwrap();
    assert_eq!(
        rewritten.len(),
        good.len(),
        "{name}: the entry was rewritten"
    );
    build(&engine, &cache, &src);
    assert_eq!(
        cache.stats(),
        stats(1, 1, 1),
        "{name}: the rewritten entry hits"
    );
}

fn flip(path: &Path, at: impl FnOnce(usize) -> usize) {
    let mut bytes = std::fs::read(path).unwrap();
    let i = at(bytes.len());
    bytes[i] ^= 0x01;
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn a_flipped_byte_in_the_code_is_recompiled_not_loaded() {
    refused_after("code", |p| flip(p, |len| len / 2));
}

#[test]
fn a_flipped_byte_in_the_header_or_the_mac_is_recompiled() {
    refused_after("magic", |p| flip(p, |_| 0));
    refused_after("format", |p| flip(p, |_| 8));
    refused_after("mac", |p| flip(p, |len| len - 1));
}

#[test]
fn a_truncated_or_empty_entry_is_recompiled() {
    refused_after("truncated", |p| {
        let bytes = std::fs::read(p).unwrap();
        std::fs::write(p, &bytes[..bytes.len() - 100]).unwrap();
    });
    refused_after("empty", |p| std::fs::write(p, b"").unwrap());
}

#[test]
fn an_entry_written_under_another_key_is_recompiled() {
    let dir = TempDir::new("otherkey");
    let engine = Engine::default();
    let src = guest();
    let forger = CompileCache::with_key(&dir.0, [7; 32]).unwrap();
    build(&engine, &forger, &src);
    let cache = CompileCache::with_key(&dir.0, [8; 32]).unwrap();
    build(&engine, &cache, &src);
    assert_eq!(cache.stats(), stats(0, 0, 1));
    // The entry is now the second key's; the first one refuses it in turn.
    build(&engine, &forger, &src);
    assert_eq!(forger.stats(), stats(0, 1, 1));
}

#[test]
fn an_entry_copied_to_the_name_of_another_module_is_recompiled() {
    let dir = TempDir::new("renamed");
    let engine = Engine::default();
    let cache = CompileCache::open(&dir.0).unwrap();
    let (a, b) = (guest(), wat(RETURN_TRUE));
    build(&engine, &cache, &a);
    std::fs::copy(
        cache.entry_path(&engine, a.as_bytes()),
        cache.entry_path(&engine, b.as_bytes()),
    )
    .unwrap();
    let module = build(&engine, &cache, &b);
    assert_eq!(module.functions(), ["yes"], "b's own code, not a's");
    assert_eq!(cache.stats(), stats(0, 1, 1));
}

#[cfg(unix)]
#[test]
fn the_key_file_is_private_and_a_readable_one_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TempDir::new("perms");
    let _cache = CompileCache::open(&dir.0).unwrap();
    let key = dir.0.join("key");
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&key), 0o600);
    assert_eq!(mode(&dir.0), 0o700);
    assert_eq!(std::fs::read(&key).unwrap().len(), 32);
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    match CompileCache::open(&dir.0) {
        Err(e @ Error::Cache { .. }) => {
            let message = e.to_string();
            assert!(message.contains("chmod 600"), "{message}");
        }
        other => panic!("want Cache, got {:?}", other.map(|_| ())),
    }
}

#[test]
fn a_key_file_of_the_wrong_size_is_refused() {
    let dir = TempDir::new("keysize");
    std::fs::create_dir_all(&dir.0).unwrap();
    let key = dir.0.join("key");
    std::fs::write(&key, b"short").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let err = CompileCache::open(&dir.0).map(|_| ()).unwrap_err();
    assert!(err.to_string().contains("not 32"), "{err}");
}

/// Start-up of a real plugin without and with the cache: `cargo test --test cache -- --ignored
/// --nocapture` (set `WABI_CACHE_BENCH_WASM` to time another module).
#[test]
#[ignore = "a measurement, not a check"]
fn startup_with_and_without_the_cache() {
    let path = std::env::var("WABI_CACHE_BENCH_WASM").unwrap_or_else(|_| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../target/wasm-guests/wasm32-wasip1/release/gateway.wasm"
        )
        .into()
    });
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let dir = TempDir::new("timing");
    let engine = Engine::default();
    let cache = CompileCache::open(&dir.0).unwrap();
    let time = |f: &dyn Fn() -> Module| {
        let start = Instant::now();
        let module = f();
        module.instantiate().unwrap();
        start.elapsed()
    };
    let rounds = 5;
    let mut cold = Vec::new();
    let mut warm = Vec::new();
    for _ in 0..rounds {
        cold.push(time(&|| Module::new(&engine, &bytes).unwrap()));
    }
    time(&|| {
        Module::builder(&engine)
            .cache(&cache)
            .build(&bytes)
            .unwrap()
    });
    for _ in 0..rounds {
        warm.push(time(&|| {
            Module::builder(&engine)
                .cache(&cache)
                .build(&bytes)
                .unwrap()
        }));
    }
    cold.sort();
    warm.sort();
    let (c, w) = (cold[rounds / 2], warm[rounds / 2]);
    println!(
        "{path} ({} KiB): compile + instantiate {c:?}, from the cache {w:?}: {:.1}x faster",
        bytes.len() / 1024,
        c.as_secs_f64() / w.as_secs_f64()
    );
    assert_eq!(cache.stats().hits, rounds as u64);
}
