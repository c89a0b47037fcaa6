//! W7: outbound HTTP. A keep-alive HTTP/1.1 server on 127.0.0.1 that answers every request with
//! `200 ok`, and the table comparing a GET made by the guest (`wabi.http_request`) with the
//! same GET made by the host with ureq directly.

use std::io::Write;
use std::net::{SocketAddr, TcpListener};
use std::time::{Duration, Instant};

use wabi_host::{Engine, HttpGrant, Module};

/// Serve on a free port of 127.0.0.1 until the process ends, or until 60 s pass with no
/// request. One thread serves every connection (with `poll`), so the host's and the guest's
/// connections see the same scheduling: with a thread per connection, on a 2-core machine one
/// of them would share the client's core and the other not, and that alone doubles the cost
/// of a request.
pub fn keep_alive_server() -> SocketAddr {
    use std::io::Read;
    use std::os::fd::AsRawFd;
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let addr = listener.local_addr().expect("address");
    listener.set_nonblocking(true).expect("nonblocking");
    std::thread::spawn(move || {
        let mut conns: Vec<(std::net::TcpStream, Vec<u8>)> = Vec::new();
        let mut last = Instant::now();
        while last.elapsed() < Duration::from_secs(60) {
            let mut fds: Vec<libc::pollfd> = std::iter::once(listener.as_raw_fd())
                .chain(conns.iter().map(|(c, _)| c.as_raw_fd()))
                .map(|fd| libc::pollfd {
                    fd,
                    events: libc::POLLIN,
                    revents: 0,
                })
                .collect();
            // SAFETY: `fds` is a valid array of pollfd of the given length.
            let n = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, 1000) };
            if n <= 0 {
                continue;
            }
            last = Instant::now();
            if fds[0].revents != 0 {
                while let Ok((c, _)) = listener.accept() {
                    let _ = c.set_nodelay(true);
                    let _ = c.set_nonblocking(true);
                    conns.push((c, Vec::new()));
                }
            }
            let mut closed = Vec::new();
            for (i, fd) in fds[1..].iter().enumerate() {
                if fd.revents == 0 {
                    continue;
                }
                let (conn, buf) = &mut conns[i];
                let mut chunk = [0u8; 4096];
                match conn.read(&mut chunk) {
                    Ok(0) => closed.push(i),
                    Ok(k) => {
                        buf.extend_from_slice(&chunk[..k]);
                        while let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                            buf.drain(..end + 4);
                            let answer = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok";
                            if conn.write_all(answer).is_err() {
                                closed.push(i);
                                break;
                            }
                        }
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                    Err(_) => closed.push(i),
                }
            }
            for i in closed.into_iter().rev() {
                conns.swap_remove(i);
            }
        }
    });
    addr
}

/// The table: wall time per GET, guest through wabi and host directly, paired per round.
pub fn http_table(engine: &Engine, wasm: &[u8]) -> String {
    let addr = keep_alive_server();
    let url = format!("http://{addr}/ok");
    let grant = HttpGrant::hosts([format!("http://{addr}")]).allow_addresses("127.0.0.1");
    let module = Module::builder(engine)
        .allow_http(grant)
        .build(wasm)
        .expect("the wabi guest compiles");
    let mut plugin = module.instantiate().expect("instantiate");
    let mut guest = plugin
        .typed::<&str, (u16, u32)>("http_get")
        .expect("http_get");
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let direct = || {
        let mut r = agent.get(&url).call().expect("GET");
        let body = r.body_mut().read_to_vec().expect("body");
        (r.status().as_u16(), body.len() as u32)
    };
    assert_eq!(direct(), (200, 2));
    assert_eq!(guest.call(&mut plugin, url.as_str()).unwrap(), (200, 2));
    let env = |name: &str, default: usize| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let rounds = env("WABI_BENCH_HTTP_ROUNDS", 101).max(1);
    let per_batch = env("WABI_BENCH_HTTP_BATCH", 50).max(1);
    // Per round: a batch from the host, then one from the guest, each timed with the wall
    // clock and with the calling thread's CPU time (what the request costs this thread,
    // without the waits for the server).
    let (wall, cpu) = (
        super::harness::Clock::Wall,
        super::harness::Clock::ThreadCpu,
    );
    let mut samples: [Vec<f64>; 4] = Default::default();
    let time = |op: &mut dyn FnMut()| {
        let (w, c) = (wall.now(), cpu.now());
        for _ in 0..per_batch {
            op();
        }
        let per = |d: u64| d as f64 / 1e3 / per_batch as f64;
        (per(wall.now() - w), per(cpu.now() - c))
    };
    for round in 0..rounds {
        let (hw, hc) = time(&mut || {
            std::hint::black_box(direct());
        });
        let (gw, gc) = time(&mut || {
            std::hint::black_box(guest.call(&mut plugin, url.as_str()).unwrap());
        });
        for (v, x) in samples.iter_mut().zip([hw, hc, gw, gc]) {
            v.push(x);
        }
        if round % 10 == 0 {
            eprint!("\rW7 round {}/{rounds}", round + 1);
        }
    }
    eprintln!();
    let median = |v: &[f64]| {
        let mut v = v.to_vec();
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let paired =
        |a: &[f64], b: &[f64]| median(&a.iter().zip(b).map(|(x, y)| x / y).collect::<Vec<_>>());
    let [hw, hc, gw, gc] = &samples;
    format!(
        "### W7 outbound HTTP: a GET over loopback (keep-alive), from the guest and from the host\n\n\
         µs per request: median of {rounds} rounds, each a batch of {per_batch} GETs by the host \
         (ureq, default configuration) and then by the guest; wall time, and the calling \
         thread's CPU time (the work of the request on this thread, without waiting for the \
         server). Ratios: median of the per-round ratios.\n\n\
         | variant | wall µs | vs host | CPU µs | vs host |\n|---|--:|--:|--:|--:|\n\
         | host: ureq directly | {:.1} | 1.00 | {:.1} | 1.00 |\n\
         | guest: `wabi_guest::http::get` through `wabi.http_request` | {:.1} | {:.2} | {:.1} | {:.2} |\n",
        median(hw),
        median(hc),
        median(gw),
        paired(gw, hw),
        median(gc),
        paired(gc, hc),
    )
}
