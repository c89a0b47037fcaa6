//! Capabilities are denied by default and granted one by one: files (read-only and read-write
//! directories), environment, arguments, configuration; stdout/stderr go to the log handler.

use std::sync::{Arc, Mutex};

use wabi_conformance::guests;
use wabi_host::{DirAccess, Engine, Error, LogRecord, LogSource, Module, ModuleBuilder};

fn builder() -> ModuleBuilder {
    Module::builder(&Engine::default()).name("caps")
}

fn plugin(b: ModuleBuilder) -> wabi_host::Plugin {
    b.build_file(guests::CAPABILITIES)
        .unwrap()
        .instantiate()
        .unwrap()
}

fn guest_error<T: std::fmt::Debug>(r: Result<T, Error>) -> String {
    match r {
        Err(Error::Guest { error, .. }) => error.message,
        other => panic!("want the guest's own error, got {other:?}"),
    }
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("wabi-caps-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("hello.txt"), "hello from the host").unwrap();
    dir
}

#[test]
fn nothing_is_granted_by_default() {
    let mut p = plugin(builder());
    let err = guest_error(p.call::<_, String>("read_file", "/etc/passwd"));
    assert!(!err.is_empty());
    let err = guest_error(p.call::<_, ()>("write_file", ("/tmp/wabi-should-not-exist", "x")));
    assert!(!err.is_empty());
    assert!(!std::path::Path::new("/tmp/wabi-should-not-exist").exists());
    assert_eq!(
        p.call::<_, Option<String>>("env_var", "PATH").unwrap(),
        None
    );
    assert_eq!(p.call::<_, usize>("env_count", ()).unwrap(), 0);
    assert_eq!(
        p.call::<_, Vec<String>>("args", ()).unwrap(),
        Vec::<String>::new()
    );
    assert_eq!(
        p.call::<_, Option<String>>("config", "anything").unwrap(),
        None
    );
    // Clocks and randomness work.
    let (now, random) = p.call::<_, (u64, u64)>("clock_and_random", ()).unwrap();
    assert!(now > 1_700_000_000, "{now}");
    let (_, random2) = plugin(builder())
        .call::<_, (u64, u64)>("clock_and_random", ())
        .unwrap();
    assert_ne!(random, random2, "two instances draw different random seeds");
}

#[test]
fn a_read_only_directory_can_be_read_but_not_written() {
    let dir = temp_dir("ro");
    let mut p = plugin(builder().dir(&dir, "/data", DirAccess::ReadOnly));
    assert_eq!(
        p.call::<_, String>("read_file", "/data/hello.txt").unwrap(),
        "hello from the host"
    );
    assert_eq!(
        p.call::<_, Vec<String>>("list_dir", "/data").unwrap(),
        ["hello.txt"]
    );
    let err = guest_error(p.call::<_, ()>("write_file", ("/data/new.txt", "x")));
    assert!(!err.is_empty());
    assert!(!dir.join("new.txt").exists(), "nothing written");
    let err = guest_error(p.call::<_, ()>("write_file", ("/data/hello.txt", "overwritten")));
    assert!(!err.is_empty());
    assert_eq!(
        std::fs::read_to_string(dir.join("hello.txt")).unwrap(),
        "hello from the host"
    );
    // Outside the granted directory there is nothing.
    guest_error(p.call::<_, String>("read_file", "/data/../../etc/passwd"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_read_write_directory_can_be_written() {
    let dir = temp_dir("rw");
    let mut p = plugin(builder().dir(&dir, "/data", DirAccess::ReadWrite));
    p.call::<_, ()>("write_file", ("/data/new.txt", "written by the guest"))
        .unwrap();
    assert_eq!(
        std::fs::read_to_string(dir.join("new.txt")).unwrap(),
        "written by the guest"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn environment_arguments_and_configuration_are_granted_one_by_one() {
    let mut p = plugin(
        builder()
            .env("MODE", "strict")
            .arg("plugin")
            .arg("--fast")
            .config("upstream", "http://127.0.0.1:9"),
    );
    assert_eq!(
        p.call::<_, Option<String>>("env_var", "MODE")
            .unwrap()
            .as_deref(),
        Some("strict")
    );
    assert_eq!(p.call::<_, usize>("env_count", ()).unwrap(), 1);
    assert_eq!(
        p.call::<_, Vec<String>>("args", ()).unwrap(),
        ["plugin", "--fast"]
    );
    assert_eq!(
        p.call::<_, Option<String>>("config", "upstream")
            .unwrap()
            .as_deref(),
        Some("http://127.0.0.1:9")
    );
}

#[test]
fn a_missing_directory_grant_is_a_clear_error() {
    let err = builder()
        .dir("/no/such/dir", "/data", DirAccess::ReadOnly)
        .build_file(guests::CAPABILITIES)
        .err()
        .unwrap();
    assert!(matches!(err, Error::Config { .. }), "{err:?}");
    assert!(err.to_string().contains("/no/such/dir"), "{err}");
}

#[test]
fn stdout_and_stderr_go_to_the_log_handler_with_the_plugin_name() {
    let lines = Arc::new(Mutex::new(Vec::new()));
    let sink = lines.clone();
    let b = builder().log_handler(Arc::new(move |r: &LogRecord<'_>| {
        sink.lock()
            .unwrap()
            .push((r.plugin.to_string(), r.source, r.message.to_string()));
    }));
    plugin(b).call::<_, ()>("print", "hi ✓").unwrap();
    let lines = lines.lock().unwrap();
    assert!(
        lines.contains(&("caps".into(), LogSource::Stdout, "hi ✓".into())),
        "{lines:?}"
    );
    assert!(
        lines.contains(&("caps".into(), LogSource::Stderr, "err: hi ✓".into())),
        "{lines:?}"
    );
}
