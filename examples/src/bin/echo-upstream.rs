//! An upstream for the proxy example: answers every request with what it received, as JSON.
//!
//! ```sh
//! cargo run -p wabi-examples --bin echo-upstream -- --listen 127.0.0.1:9000
//! ```

use std::net::SocketAddr;

use clap::Parser;

#[derive(Parser)]
#[command(
    about = "An HTTP server that answers every request with the request itself, as JSON.",
    after_help = "Example:\n  cargo run -p wabi-examples --bin echo-upstream &\n  curl -s http://127.0.0.1:9000/hello"
)]
struct Args {
    /// Address to listen on (port 0: any free port).
    #[arg(long, default_value = "127.0.0.1:9000")]
    listen: SocketAddr,
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
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
    println!("echo upstream listening on http://{addr}");
    if let Err(e) = wabi_examples::upstream::serve(listener, Default::default()).await {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
