//! Plugin manifests: modules pinned by SHA-256 (a mismatch is refused, naming both digests and
//! the file), limits and grants applied, TOML and JSON, reloads from a re-read manifest.

mod common;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use common::{wat, ECHO, RETURN_TRUE};
use wabi_host::{Engine, Error, Manifest};

struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!(
            "wabi-manifest-test-{name}-{}-{:?}",
            std::process::id(),
            Instant::now()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    // The digest wabi itself computes, read back from a module (checked against `sha256sum`
    // in `sha256_of_a_module_is_what_sha256sum_prints`).
    let module = wabi_host::Module::new(&Engine::default(), bytes).unwrap();
    module.sha256().iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn sha256_of_a_module_is_what_sha256sum_prints() {
    let src = wat(RETURN_TRUE);
    let dir = TempDir::new("digest");
    std::fs::write(dir.0.join("g.wat"), &src).unwrap();
    let Ok(out) = std::process::Command::new("sha256sum")
        .arg(dir.0.join("g.wat"))
        .output()
    else {
        return; // no sha256sum here
    };
    let printed = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        printed.split(' ').next(),
        Some(sha256_hex(src.as_bytes()).as_str())
    );
}

/// A directory with two guests and a TOML manifest pinning them.
fn setup(name: &str, extra: &str) -> (TempDir, PathBuf) {
    let dir = TempDir::new(name);
    let a = wat(&format!("{RETURN_TRUE}\n{ECHO}"));
    let b = wat(RETURN_TRUE);
    std::fs::create_dir_all(dir.0.join("plugins")).unwrap();
    std::fs::write(dir.0.join("plugins/a.wat"), &a).unwrap();
    std::fs::write(dir.0.join("plugins/b.wat"), &b).unwrap();
    let manifest = format!(
        r#"# two plugins
{extra}
[[plugins]]
name = "a"
path = "plugins/a.wat"
sha256 = "{}"
required = ["echo"]

[plugins.limits]
timeout_ms = 250
max_memory_bytes = 1048576

[plugins.grants]
config = {{ mode = "strict" }}

[[plugins]]
name = "b"
path = "plugins/b.wat"
sha256 = "{}"
max_idle = 2
"#,
        sha256_hex(a.as_bytes()),
        sha256_hex(b.as_bytes()).to_uppercase(),
    );
    let path = dir.0.join("plugins.toml");
    std::fs::write(&path, manifest).unwrap();
    (dir, path)
}

#[test]
fn a_toml_manifest_loads_every_plugin_with_its_limits() {
    let (_dir, path) = setup("toml", "");
    let manifest = Manifest::from_file(&path).unwrap();
    assert_eq!(manifest.plugins.len(), 2);
    let plugins = manifest.load(&Engine::default()).unwrap();
    assert_eq!(plugins.names(), ["a", "b"]);
    assert_eq!(plugins.call::<_, String>("a", "echo", "hi").unwrap(), "hi");
    assert!(plugins.call::<_, bool>("b", "yes", ()).unwrap());
    let a = plugins.get("a").unwrap().module();
    assert_eq!(a.name(), "a");
    assert_eq!(a.limits().timeout, Some(Duration::from_millis(250)));
    assert_eq!(a.limits().max_memory, 1 << 20);
    assert_eq!(a.limits().max_depth, wabi_host::Limits::default().max_depth);
}

#[test]
fn a_module_whose_digest_differs_is_refused_naming_both_digests_and_the_file() {
    let (dir, path) = setup("mismatch", "");
    // Someone replaced the file after the manifest was written.
    let replaced = wat(&format!("{RETURN_TRUE}\n{ECHO}\n(func (export \"extra\") (param i32 i32) (result i64) (i64.const 0))"));
    std::fs::write(dir.0.join("plugins/a.wat"), &replaced).unwrap();
    let manifest = Manifest::from_file(&path).unwrap();
    let err = manifest.load(&Engine::default()).map(|_| ()).unwrap_err();
    let expected = manifest.plugins[0].sha256.clone();
    let actual = sha256_hex(replaced.as_bytes());
    match &err {
        Error::Integrity {
            path: file,
            manifest: source,
            expected: e,
            actual: a,
        } => {
            assert_eq!(file, &dir.0.join("plugins/a.wat"));
            assert_eq!(source, &path);
            assert_eq!((e, a), (&expected, &actual));
        }
        other => panic!("want Integrity, got {other:?}"),
    }
    let message = err.to_string();
    for part in [
        &expected,
        &actual,
        "plugins/a.wat",
        "plugins.toml",
        "sha256sum",
    ] {
        assert!(message.contains(part), "{part:?} missing from: {message}");
    }
}

#[test]
fn a_json_manifest_is_the_same_manifest() {
    let (dir, toml_path) = setup("json", "");
    let from_toml = Manifest::from_file(&toml_path).unwrap();
    let json = serde_json::to_string_pretty(&from_toml).unwrap();
    let json_path = dir.0.join("plugins.json");
    std::fs::write(&json_path, json).unwrap();
    let mut from_json = Manifest::from_file(&json_path).unwrap();
    from_json.source = toml_path;
    assert_eq!(from_json, from_toml);
    let plugins = from_json.load(&Engine::default()).unwrap();
    assert_eq!(plugins.call::<_, u8>("a", "echo", 3u8).unwrap(), 3);
}

#[test]
fn invalid_manifests_say_what_is_wrong() {
    let check = |text: &str, toml: bool, want: &str| {
        let result = if toml {
            Manifest::from_toml(text, "m.toml")
        } else {
            Manifest::from_json(text, "m.json")
        };
        match result {
            Err(e @ Error::Manifest { .. }) => {
                let message = e.to_string();
                assert!(message.contains(want), "{want:?} not in: {message}");
            }
            other => panic!("want Manifest error for {text}, got {other:?}"),
        }
    };
    let digest = "ab".repeat(32);
    check(
        &format!("[[plugins]]\nname = \"a\"\npath = \"a.wasm\"\nsha256 = \"{digest}\"\n[plugins.limits]\ntimeout = 5\n"),
        true,
        "unknown field `timeout`",
    );
    check(
        r#"{"plugins": [{"name": "a", "path": "a.wasm", "sha256": "abc"}]}"#,
        false,
        "64 hex digits",
    );
    check(
        &format!(
            r#"{{"plugins": [{{"name": "a", "path": "a.wasm", "sha256": "{digest}"}}, {{"name": "a", "path": "b.wasm", "sha256": "{digest}"}}]}}"#
        ),
        false,
        "two plugins are named `a`",
    );
    check(
        r#"{"plugins": [{"name": "a"}]}"#,
        false,
        "missing field `path`",
    );
    match Manifest::from_file("/nonexistent/plugins.toml") {
        Err(e @ Error::Manifest { .. }) => assert!(e.to_string().contains("cannot read")),
        other => panic!("want Manifest, got {other:?}"),
    }
}

#[test]
fn a_manifest_cache_dir_is_used_for_every_plugin() {
    let (dir, path) = setup("cache", "cache_dir = \"cache\"");
    let engine = Engine::default();
    let manifest = Manifest::from_file(&path).unwrap();
    manifest.load(&engine).unwrap();
    let cache = manifest.cache().unwrap().unwrap();
    assert_eq!(cache.dir(), dir.0.join("cache"));
    // A second start loads both from the cache.
    manifest.load(&engine).unwrap();
    let entries = std::fs::read_dir(dir.0.join("cache"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "cwasm")
        })
        .count();
    assert_eq!(entries, 2);
}

#[test]
fn a_re_read_manifest_reloads_the_plugins_whose_digest_changed() {
    let (dir, path) = setup("reload", "");
    let engine = Engine::default();
    let plugins = Manifest::from_file(&path).unwrap().load(&engine).unwrap();
    // A new version of `b`, and the manifest updated to pin it.
    let b2 = wat(&format!("{RETURN_TRUE}\n{ECHO}"));
    std::fs::write(dir.0.join("plugins/b.wat"), &b2).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let old = sha256_hex(wat(RETURN_TRUE).as_bytes()).to_uppercase();
    std::fs::write(&path, text.replace(&old, &sha256_hex(b2.as_bytes()))).unwrap();
    let manifest = Manifest::from_file(&path).unwrap();
    assert_eq!(manifest.reload(&plugins).unwrap(), ["b"]);
    assert_eq!(plugins.get("b").unwrap().generation(), 1);
    assert_eq!(plugins.get("a").unwrap().generation(), 0);
    assert_eq!(plugins.call::<_, u8>("b", "echo", 9u8).unwrap(), 9);
    // Nothing changed since: nothing to reload.
    assert!(manifest.reload(&plugins).unwrap().is_empty());
    // A file replaced without updating the manifest is refused, and `b` keeps serving.
    std::fs::write(dir.0.join("plugins/b.wat"), wat(RETURN_TRUE)).unwrap();
    assert!(matches!(
        manifest.read_verified("b"),
        Err(Error::Integrity { .. })
    ));
    assert_eq!(plugins.call::<_, u8>("b", "echo", 4u8).unwrap(), 4);
}
