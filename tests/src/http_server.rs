//! A small HTTP/1.1 server on 127.0.0.1 for the outbound-HTTP cases: it answers the routes
//! below, one request per connection (`connection: close`), serves at most
//! [`MAX_REQUESTS`] requests, and stops by itself when dropped or after [`IDLE`] without a
//! connection. It never connects anywhere.
//!
//! | route | answer |
//! |---|---|
//! | `/echo` | 200; the request body; `x-echo-method`, `x-echo-path` (path and query), and `x-echo-NAME` for every request header named `x-*` or `authorization` (repeated values joined by `, `) |
//! | `/status/N` | status N, body `status N` |
//! | `/redirect?to=URL` | 302 to URL (percent-decoded); `/redirect307?to=URL`: 307 |
//! | `/big?n=N` | 200 with N bytes `i % 251`, with a content-length; `/stream?n=N`: the same, chunked |
//! | `/slow?ms=N` | 200 `slow` after N ms (at most 10 s) |
//! | `/big-header?n=N` | 200 with a header `x-big` of N bytes (at most 1 MiB) |
//! | anything else | 404 |

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The most requests one server answers; later connections are closed unanswered.
pub const MAX_REQUESTS: usize = 20_000;
/// A server that has had no connection for this long stops.
pub const IDLE: Duration = Duration::from_secs(120);

/// A running test server; dropping it stops it.
pub struct TestServer {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    log: Arc<Mutex<Vec<String>>>,
}

struct Shared {
    served: AtomicUsize,
    log: Arc<Mutex<Vec<String>>>,
}

impl TestServer {
    /// Bind 127.0.0.1 on a free port and serve in the background.
    pub fn start() -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        listener
            .set_nonblocking(true)
            .expect("nonblocking listener");
        let addr = listener.local_addr().expect("local address");
        let stop = Arc::new(AtomicBool::new(false));
        let log = Arc::new(Mutex::new(Vec::new()));
        let shared = Arc::new(Shared {
            served: AtomicUsize::new(0),
            log: log.clone(),
        });
        let flag = stop.clone();
        std::thread::spawn(move || {
            let mut last = Instant::now();
            while !flag.load(Ordering::Relaxed) && last.elapsed() < IDLE {
                match listener.accept() {
                    Ok((stream, _)) => {
                        last = Instant::now();
                        if shared.served.fetch_add(1, Ordering::Relaxed) >= MAX_REQUESTS {
                            continue; // dropped: closed unanswered
                        }
                        let shared = shared.clone();
                        std::thread::spawn(move || {
                            let _ = serve(stream, &shared);
                        });
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(2)),
                }
            }
        });
        TestServer { addr, stop, log }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// `METHOD path?query` of every request received so far, in order.
    pub fn requests(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn serve(stream: TcpStream, shared: &Shared) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    stream.set_nonblocking(false)?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_string();
    let target = parts.next().unwrap_or_default().to_string();
    let mut headers: Vec<(String, String)> = Vec::new();
    let mut header_bytes = 0;
    loop {
        let mut h = String::new();
        let n = reader.read_line(&mut h)?;
        header_bytes += n;
        if n == 0 || h == "\r\n" || header_bytes > 64 * 1024 {
            break;
        }
        if let Some((k, v)) = h.trim_end().split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    let len = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0)
        .min(4 << 20);
    let mut body = vec![0; len];
    reader.read_exact(&mut body)?;
    shared
        .log
        .lock()
        .unwrap()
        .push(format!("{method} {target}"));
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let param = |name: &str| {
        query
            .split('&')
            .find_map(|kv| kv.strip_prefix(name).and_then(|r| r.strip_prefix('=')))
            .map(percent_decode)
    };
    let number = |name: &str| {
        param(name)
            .and_then(|v| v.parse::<usize>().ok())
            .unwrap_or(0)
    };
    let mut out = stream;
    let respond = |out: &mut TcpStream, status: u16, extra: &[(String, String)], body: &[u8]| {
        let mut head = format!(
            "HTTP/1.1 {status} {}\r\nconnection: close\r\ncontent-length: {}\r\n",
            reason(status),
            body.len()
        );
        for (k, v) in extra {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        out.write_all(head.as_bytes())?;
        out.write_all(body)?;
        out.flush()
    };
    match path {
        "/echo" => {
            let mut extra = vec![
                ("x-echo-method".to_string(), method.clone()),
                ("x-echo-path".to_string(), target.clone()),
            ];
            let mut names: Vec<&String> = Vec::new();
            for (k, _) in &headers {
                if (k.starts_with("x-") || k == "authorization") && !names.contains(&k) {
                    names.push(k);
                }
            }
            for name in names {
                let values: Vec<&str> = headers
                    .iter()
                    .filter(|(k, _)| k == name)
                    .map(|(_, v)| v.as_str())
                    .collect();
                extra.push((format!("x-echo-{name}"), values.join(", ")));
            }
            respond(&mut out, 200, &extra, &body)
        }
        p if p.starts_with("/status/") => {
            let code = p["/status/".len()..].parse().unwrap_or(500);
            respond(&mut out, code, &[], format!("status {code}").as_bytes())
        }
        "/redirect" | "/redirect307" => {
            let code = if path == "/redirect" { 302 } else { 307 };
            let to = param("to").unwrap_or_default();
            respond(&mut out, code, &[("location".into(), to)], b"")
        }
        "/big" => {
            let n = number("n").min(16 << 20);
            let data: Vec<u8> = (0..n).map(|i| (i % 251) as u8).collect();
            respond(&mut out, 200, &[], &data)
        }
        "/stream" => {
            let n = number("n").min(16 << 20);
            out.write_all(
                b"HTTP/1.1 200 OK\r\nconnection: close\r\ntransfer-encoding: chunked\r\n\r\n",
            )?;
            let data: Vec<u8> = (0..n).map(|i| (i % 251) as u8).collect();
            for chunk in data.chunks(8192) {
                out.write_all(format!("{:x}\r\n", chunk.len()).as_bytes())?;
                out.write_all(chunk)?;
                out.write_all(b"\r\n")?;
            }
            out.write_all(b"0\r\n\r\n")?;
            out.flush()
        }
        "/big-header" => {
            let n = number("n").min(1 << 20);
            respond(&mut out, 200, &[("x-big".into(), "h".repeat(n))], b"")
        }
        "/slow" => {
            std::thread::sleep(Duration::from_millis(number("ms").min(10_000) as u64));
            respond(&mut out, 200, &[], b"slow")
        }
        _ => respond(&mut out, 404, &[], b"no such route"),
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        204 => "No Content",
        302 => "Found",
        307 => "Temporary Redirect",
        401 => "Unauthorized",
        404 => "Not Found",
        _ => "Status",
    }
}

/// Decode `%XX` escapes (and `+` as a space) of a query value.
pub fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' if i + 2 < b.len() => match u8::from_str_radix(&s[i + 1..i + 3], 16) {
                Ok(x) => {
                    out.push(x);
                    i += 3;
                    continue;
                }
                Err(_) => out.push(b'%'),
            },
            b'+' => out.push(b' '),
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Encode a URL as a query value.
pub fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
