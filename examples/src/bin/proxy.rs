//! A reverse proxy that runs the gateway plugin on every request (see examples/README.md).
//!
//! ```sh
//! cargo run -p wabi-examples --bin echo-upstream &          # 127.0.0.1:9000
//! cargo run -p wabi-examples --bin proxy -- --config block_prefix=/admin
//! curl -i http://127.0.0.1:8080/api/users
//! ```

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use wabi_examples::proxy::{Proxy, ProxyOptions};

#[derive(Parser)]
#[command(
    about = "A reverse proxy on 127.0.0.1 that runs a wabi plugin on every request.",
    after_help = "Example:\n  cargo run -p wabi-examples --bin echo-upstream &\n  cargo run -p wabi-examples --bin proxy -- --config block_prefix=/admin\n  curl -i http://127.0.0.1:8080/api/users"
)]
struct Args {
    /// Address to listen on (port 0: any free port).
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Where forwarded requests go.
    #[arg(long, default_value = "http://127.0.0.1:9000")]
    upstream: hyper::Uri,
    /// The plugin (default: the Rust gateway plugin this crate built).
    #[arg(long, default_value = wabi_examples::GATEWAY_WASM)]
    plugin: PathBuf,
    /// The plugin function called on every request: fn(Request) -> Action.
    #[arg(long, default_value = "transform")]
    function: String,
    /// A configuration entry for the plugin (repeatable), e.g. block_prefix=/admin.
    #[arg(long = "config", value_name = "KEY=VALUE", value_parser = pair)]
    config: Vec<(String, String)>,
    /// Deadline of each plugin call, in milliseconds.
    #[arg(long, default_value_t = 50)]
    timeout_ms: u64,
    /// Memory limit of each plugin instance, in MiB.
    #[arg(long, default_value_t = 64)]
    memory_mib: usize,
    /// Idle plugin instances kept for reuse.
    #[arg(long, default_value_t = 16)]
    pool: usize,
    /// Let the plugin make HTTP requests to hosts this pattern matches (repeatable), e.g.
    /// http://127.0.0.1:9100 for the auth-gateway plugin's auth service.
    #[arg(long = "allow-http", value_name = "PATTERN")]
    allow_http: Vec<String>,
    /// Let those requests reach this loopback or private range (repeatable), e.g. 127.0.0.1.
    #[arg(long = "allow-http-address", value_name = "RANGE")]
    allow_http_address: Vec<String>,
}

fn pair(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .filter(|(k, _)| !k.is_empty())
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .ok_or_else(|| format!("`{s}` is not KEY=VALUE"))
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let mut options = ProxyOptions::new(&args.plugin, args.upstream.clone());
    options.function = args.function;
    options.config = args.config;
    options.limits.timeout = Some(Duration::from_millis(args.timeout_ms));
    options.limits.max_memory = args.memory_mib << 20;
    options.max_idle = args.pool;
    options.log = true;
    if !args.allow_http.is_empty() {
        let grant = args
            .allow_http_address
            .iter()
            .fold(wabi_host::HttpGrant::hosts(&args.allow_http), |g, r| {
                g.allow_addresses(r)
            });
        options.http = Some(grant);
    }
    let proxy = match Proxy::new(&wabi_host::Engine::default(), options) {
        Ok(p) => p,
        Err(e) => {
            eprintln!(
                "error: cannot load the plugin {}: {e}",
                args.plugin.display()
            );
            std::process::exit(2);
        }
    };
    let listener = match tokio::net::TcpListener::bind(args.listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: cannot listen on {}: {e}", args.listen);
            std::process::exit(2);
        }
    };
    let addr = listener
        .local_addr()
        .expect("a bound socket has an address");
    println!(
        "proxy listening on http://{addr}, forwarding to {} through {}",
        args.upstream.to_string().trim_end_matches('/'),
        args.plugin.display()
    );
    if let Err(e) = proxy.serve(listener).await {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
