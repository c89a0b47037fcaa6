//! An echo server to put behind the proxy: it answers every request with what it received, as
//! JSON, and remembers it, so tests (and curl users) see exactly what the plugin forwarded.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde::{Deserialize, Serialize};
use tokio::net::TcpListener;

/// One request as the upstream received it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub headers: BTreeMap<String, String>,
    /// The body as text (invalid UTF-8 replaced).
    pub body: String,
}

/// Every request the upstream has received, in order.
pub type Log = Arc<Mutex<Vec<Seen>>>;

/// Serve on `listener` until the task is dropped, recording every request in `log`.
pub async fn serve(listener: TcpListener, log: Log) -> std::io::Result<()> {
    loop {
        let (stream, _) = listener.accept().await?;
        let log = log.clone();
        tokio::spawn(async move {
            let service = service_fn(move |req| echo(req, log.clone()));
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

async fn echo(
    req: hyper::Request<Incoming>,
    log: Log,
) -> Result<hyper::Response<Full<Bytes>>, Infallible> {
    let (parts, body) = req.into_parts();
    let body = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let mut headers = BTreeMap::<String, String>::new();
    for (name, value) in &parts.headers {
        let value = String::from_utf8_lossy(value.as_bytes());
        headers
            .entry(name.as_str().to_owned())
            .and_modify(|v| {
                v.push_str(", ");
                v.push_str(&value);
            })
            .or_insert_with(|| value.into_owned());
    }
    let seen = Seen {
        method: parts.method.to_string(),
        path: parts
            .uri
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .to_owned(),
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    let json = serde_json::to_vec_pretty(&seen).unwrap_or_default();
    log.lock().unwrap_or_else(|p| p.into_inner()).push(seen);
    let mut response = hyper::Response::new(Full::new(Bytes::from(json)));
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json"),
    );
    response.headers_mut().insert(
        "x-upstream",
        hyper::header::HeaderValue::from_static("echo"),
    );
    Ok(response)
}
