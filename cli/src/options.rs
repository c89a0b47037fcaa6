//! The options every command shares: limits and grants, and how they make a module.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use wabi_host::{DirAccess, Engine, Error, HttpGrant, Limits, LogRecord, LogSource, Module};

use crate::fail::Failure;

/// `--timeout`: a duration such as `100ms`, `2s`, `1m`, or `none`.
#[derive(Clone, Copy, Debug)]
pub struct Timeout(pub Option<Duration>);

pub fn parse_timeout(s: &str) -> Result<Timeout, String> {
    let s = s.trim();
    if s.eq_ignore_ascii_case("none") {
        return Ok(Timeout(None));
    }
    let split = s
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(s.len());
    let (number, unit) = s.split_at(split);
    let bad = || {
        format!("`{s}` is not a duration: write a number and a unit (ns, us, ms, s, m), e.g. 100ms or 2s, or `none`")
    };
    let value: f64 = number.parse().map_err(|_| bad())?;
    let seconds = match unit.trim() {
        "ns" => value / 1e9,
        "us" | "µs" => value / 1e6,
        "ms" => value / 1e3,
        "s" => value,
        "m" | "min" => value * 60.0,
        _ => return Err(bad()),
    };
    if !seconds.is_finite() || seconds <= 0.0 || seconds > 86_400.0 * 365.0 {
        return Err(format!(
            "`{s}` is out of range: give a positive duration, or `none` for no deadline"
        ));
    }
    Ok(Timeout(Some(Duration::from_secs_f64(seconds))))
}

/// `--memory`: a size such as `64MiB`, `1GiB`, `512KiB` or a number of bytes (KB/MB/GB are
/// decimal).
pub fn parse_size(s: &str) -> Result<usize, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let bad = || {
        format!("`{s}` is not a size: write a number and a unit, e.g. 64MiB, 1GiB or 65536 (bytes)")
    };
    let value: u64 = number.parse().map_err(|_| bad())?;
    let scale: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kib" => 1 << 10,
        "m" | "mib" => 1 << 20,
        "g" | "gib" => 1 << 30,
        "kb" => 1_000,
        "mb" => 1_000_000,
        "gb" => 1_000_000_000,
        _ => return Err(bad()),
    };
    value
        .checked_mul(scale)
        .and_then(|v| usize::try_from(v).ok())
        .filter(|&v| v > 0)
        .ok_or_else(|| format!("`{s}` is out of range"))
}

/// `KEY=VALUE`.
pub fn parse_pair(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_owned(), v.to_owned())),
        _ => Err(format!("`{s}` is not KEY=VALUE, e.g. block_prefix=/admin")),
    }
}

/// `--allow-dir DIR[:ro]`: the guest sees the directory at the same path.
#[derive(Clone, Debug)]
pub struct DirGrant {
    pub dir: PathBuf,
    pub access: DirAccess,
}

pub fn parse_dir(s: &str) -> Result<DirGrant, String> {
    let (dir, access) = match s.strip_suffix(":ro") {
        Some(dir) => (dir, DirAccess::ReadOnly),
        None => (s.strip_suffix(":rw").unwrap_or(s), DirAccess::ReadWrite),
    };
    if dir.is_empty() {
        return Err("give a directory, e.g. --allow-dir ./data:ro".into());
    }
    Ok(DirGrant {
        dir: dir.into(),
        access,
    })
}

/// `--allow-http PATTERN`: checked as the host will check it.
pub fn parse_http_pattern(s: &str) -> Result<String, String> {
    check_grant(HttpGrant::hosts([s]))?;
    Ok(s.to_owned())
}

/// `--allow-http-address RANGE`.
pub fn parse_http_range(s: &str) -> Result<String, String> {
    check_grant(HttpGrant::hosts(["x.invalid"]).allow_addresses(s))?;
    Ok(s.to_owned())
}

fn check_grant(grant: HttpGrant) -> Result<(), String> {
    match grant.check() {
        Err(Error::Config { reason, .. }) => Err(reason),
        Err(other) => Err(other.to_string()),
        Ok(()) => Ok(()),
    }
}

/// What the plugin may use: limits and grants (deny by default).
#[derive(Args, Clone, Debug)]
pub struct Grants {
    /// Wall-clock limit of the call (and of start-up): e.g. 100ms, 2s, or `none`.
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_timeout)]
    pub timeout: Timeout,

    /// Largest linear memory the plugin may grow to: e.g. 64MiB, 1GiB.
    #[arg(long, value_name = "SIZE", default_value = "512MiB", value_parser = parse_size)]
    pub memory: usize,

    /// Let a WASI plugin open this directory, at the same path (read-write, or read-only with
    /// `:ro`). Repeatable.
    #[arg(long = "allow-dir", value_name = "DIR[:ro]", value_parser = parse_dir)]
    pub allow_dir: Vec<DirGrant>,

    /// Give a WASI plugin this environment variable (it sees no others). Repeatable.
    #[arg(long = "env", value_name = "KEY=VALUE", value_parser = parse_pair)]
    pub env: Vec<(String, String)>,

    /// A configuration entry the plugin reads with `wabi_guest::config::get` / `wabi.Config`.
    /// Repeatable.
    #[arg(long = "config", value_name = "KEY=VALUE", value_parser = parse_pair)]
    pub config: Vec<(String, String)>,

    /// Let the plugin make HTTP requests to hosts this pattern matches:
    /// `[http:// or https://]HOST[:PORT]`, HOST being a name, `*.domain`, an address or `*`; no
    /// port means the scheme's default. Repeatable. Without it the plugin has no network.
    #[arg(long = "allow-http", value_name = "PATTERN", value_parser = parse_http_pattern)]
    pub allow_http: Vec<String>,

    /// Let HTTP requests reach this loopback or private address range (CIDR, e.g.
    /// 127.0.0.1/32), which is refused otherwise even for an allowed host. Repeatable.
    #[arg(long = "allow-http-address", value_name = "RANGE", value_parser = parse_http_range, requires = "allow_http")]
    pub allow_http_address: Vec<String>,

    /// Longest one HTTP request may take: e.g. 500ms, 5s.
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_timeout, requires = "allow_http")]
    pub http_timeout: Timeout,

    /// Largest HTTP response body the plugin may receive: e.g. 1MiB.
    #[arg(long, value_name = "SIZE", default_value = "4MiB", value_parser = parse_size, requires = "allow_http")]
    pub http_max_response: usize,

    /// Follow up to N redirects (each target checked like a new request); 0: the plugin gets
    /// the redirect itself.
    #[arg(long, value_name = "N", default_value_t = 0, requires = "allow_http")]
    pub http_follow_redirects: u32,
}

impl Grants {
    pub fn limits(&self) -> Limits {
        Limits {
            max_memory: self.memory,
            timeout: self.timeout.0,
            ..Limits::default()
        }
    }

    /// The HTTP grant of `--allow-http`, if any.
    pub fn http(&self) -> Option<HttpGrant> {
        if self.allow_http.is_empty() {
            return None;
        }
        let mut grant = HttpGrant::hosts(&self.allow_http)
            .max_response_bytes(self.http_max_response)
            .follow_redirects(self.http_follow_redirects);
        if let Some(t) = self.http_timeout.0 {
            grant = grant.timeout(t);
        }
        for range in &self.allow_http_address {
            grant = grant.allow_addresses(range);
        }
        Some(grant)
    }

    /// A one-line summary for `inspect`.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        for p in &self.allow_http {
            parts.push(format!("http {p}"));
        }
        for r in &self.allow_http_address {
            parts.push(format!("http address {r}"));
        }
        for d in &self.allow_dir {
            let mode = if d.access == DirAccess::ReadOnly {
                "ro"
            } else {
                "rw"
            };
            parts.push(format!("dir {} ({mode})", d.dir.display()));
        }
        for (k, _) in &self.env {
            parts.push(format!("env {k}"));
        }
        for (k, v) in &self.config {
            parts.push(format!("config {k}={v}"));
        }
        if parts.is_empty() {
            "none (deny by default: no files, no environment, no network)".into()
        } else {
            parts.join(", ")
        }
    }

    /// Compile and validate `bytes` as a wabi guest with these limits and grants; the plugin's
    /// log lines and WASI output go to stderr.
    pub fn module(&self, engine: &Engine, name: &str, bytes: &[u8]) -> Result<Module, Failure> {
        let mut builder = Module::builder(engine)
            .name(name)
            .limits(self.limits())
            .log_handler(Arc::new(|r: &LogRecord<'_>| {
                let source = match r.source {
                    LogSource::Guest => format!("{:?}", r.level).to_ascii_lowercase(),
                    LogSource::Stdout => "stdout".into(),
                    LogSource::Stderr => "stderr".into(),
                };
                eprintln!("[{} {source}] {}", r.plugin, r.message);
            }));
        for d in &self.allow_dir {
            let guest = d.dir.to_string_lossy().into_owned();
            builder = builder.dir(&d.dir, guest, d.access);
        }
        for (k, v) in &self.env {
            builder = builder.env(k, v);
        }
        for (k, v) in &self.config {
            builder = builder.config(k, v);
        }
        if let Some(grant) = self.http() {
            builder = builder.allow_http(grant);
        }
        builder.build(bytes).map_err(Failure::from)
    }
}

/// Read a module file, refusing anything that is not WebAssembly (binary, or text format for a
/// `.wat` file) with a message that says what to pass instead.
pub fn read_module(path: &Path) -> Result<Vec<u8>, Failure> {
    let bytes = std::fs::read(path).map_err(|e| {
        let what = match e.kind() {
            std::io::ErrorKind::NotFound => "no such file".to_owned(),
            std::io::ErrorKind::IsADirectory => "it is a directory".to_owned(),
            _ => e.to_string(),
        };
        Failure::usage(format!(
            "cannot read the module {}: {what}; pass the path of a .wasm file built with a wabi guest SDK",
            path.display()
        ))
    })?;
    let is_wat = path.extension().is_some_and(|e| e == "wat");
    if !bytes.starts_with(b"\0asm") && !is_wat {
        return Err(Failure::usage(format!(
            "{} is not a WebAssembly module (it does not start with the bytes \\0asm); pass the .wasm file a plugin build produced, e.g. target/wasm32-unknown-unknown/release/my_plugin.wasm",
            path.display()
        )));
    }
    Ok(bytes)
}

/// The plugin's name in log lines: the file name without extension.
pub fn plugin_name(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "plugin".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(
            parse_timeout("100ms").unwrap().0,
            Some(Duration::from_millis(100))
        );
        assert_eq!(parse_timeout("2s").unwrap().0, Some(Duration::from_secs(2)));
        assert_eq!(
            parse_timeout("1.5s").unwrap().0,
            Some(Duration::from_millis(1500))
        );
        assert_eq!(
            parse_timeout("1m").unwrap().0,
            Some(Duration::from_secs(60))
        );
        assert_eq!(parse_timeout("none").unwrap().0, None);
        for bad in ["", "100", "ms", "10 parsecs", "0s", "-1s"] {
            assert!(parse_timeout(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("64MiB").unwrap(), 64 << 20);
        assert_eq!(parse_size("64M").unwrap(), 64 << 20);
        assert_eq!(parse_size("1GiB").unwrap(), 1 << 30);
        assert_eq!(parse_size("2MB").unwrap(), 2_000_000);
        assert_eq!(parse_size("65536").unwrap(), 65536);
        for bad in ["", "MiB", "1.5MiB", "12 parsecs", "0"] {
            assert!(parse_size(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn http_patterns_and_ranges_are_checked_as_the_host_checks_them() {
        assert!(parse_http_pattern("api.example.com").is_ok());
        assert!(parse_http_pattern("http://127.0.0.1:*").is_ok());
        let e = parse_http_pattern("ftp://x").unwrap_err();
        assert!(
            e.contains("http or https") && !e.contains("HttpGrant"),
            "{e}"
        );
        assert!(parse_http_range("127.0.0.1/32").is_ok());
        assert!(parse_http_range("10.0.0.0/99")
            .unwrap_err()
            .contains("0 to 32"));
    }

    #[test]
    fn pairs_and_dirs() {
        assert_eq!(parse_pair("a=b=c").unwrap(), ("a".into(), "b=c".into()));
        assert_eq!(parse_pair("a=").unwrap(), ("a".into(), "".into()));
        assert!(parse_pair("=b").is_err());
        assert!(parse_pair("ab").is_err());
        let d = parse_dir("/srv/data:ro").unwrap();
        assert_eq!((d.dir, d.access), ("/srv/data".into(), DirAccess::ReadOnly));
        let d = parse_dir("data").unwrap();
        assert_eq!((d.dir, d.access), ("data".into(), DirAccess::ReadWrite));
        assert!(parse_dir(":ro").is_err());
    }
}
