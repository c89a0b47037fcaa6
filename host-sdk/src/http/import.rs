//! The `wabi.http_request` import (ABI.md 4.4): read the request, send it under the module's
//! grant (on tokio's blocking pool for async engines), answer with an envelope in a block of
//! the guest's, like `wabi.host_call`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use wabi_spec::codec;
use wabi_spec::http::{HttpErrorKind, HttpErrorValue, HttpRequest};
use wabi_spec::layout::EnvelopeWriter;
use wabi_spec::names::{IMPORT_HTTP_REQUEST, IMPORT_MODULE};
use wasmtime::{Caller, Linker};

use super::client::{Failure, HttpClient, Outcome};
use crate::host_fn::answer;
#[cfg(feature = "async")]
use crate::host_fn::answer_async;
use crate::imports::read_caller;
use crate::state::HostState;

/// The name faults of this import are reported under.
const NAME: &str = "wabi.http_request";

/// What the guest asked for: an answer already known (a refusal), or a request to send.
enum Prepared {
    Answer(Vec<u8>),
    Send(Pending),
}

/// A request that passed the first checks, with its budget.
struct Pending {
    client: Arc<HttpClient>,
    request: HttpRequest,
    timeout: Duration,
    requests_left: u32,
}

/// A request sent, with what its log line says.
struct Sent {
    outcome: Outcome,
    started: Instant,
    method: String,
    url: String,
}

impl Pending {
    /// Send it on this thread (it blocks until the response or the timeout).
    fn send(self) -> Sent {
        let started = Instant::now();
        let (method, url) = (self.request.method.clone(), self.request.url.clone());
        let outcome = self
            .client
            .send(self.request, self.timeout, self.requests_left);
        Sent {
            outcome,
            started,
            method,
            url,
        }
    }
}

fn error_envelope(kind: HttpErrorKind, message: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let value = codec::to_vec(&HttpErrorValue { kind }).expect("a kind always encodes");
    EnvelopeWriter::error(&mut out, message, &value);
    out
}

/// Read and check the request; the guest's memory is only read here.
fn prepare(caller: &mut Caller<'_, HostState>, ptr: u32, len: u32) -> wasmtime::Result<Prepared> {
    crate::limits::deadline_at_host_call(caller.data_mut());
    let Some(client) = caller.data().http.clone() else {
        return Ok(Prepared::Answer(error_envelope(
            HttpErrorKind::Denied,
            "http: this plugin has no HTTP grant; the embedder grants hosts with ModuleBuilder::allow_http",
        )));
    };
    if len as usize > client.max_request_len() {
        // Not read at all: a guest cannot make the host copy more than the grant allows.
        return Ok(Prepared::Answer(error_envelope(
            HttpErrorKind::TooLarge,
            &format!(
                "http: the request is {len} bytes, over the grant's body limit plus {} bytes for URL and headers ({} bytes)",
                super::client::REQUEST_OVERHEAD,
                client.max_request_len()
            ),
        )));
    }
    let bytes = read_caller(caller, ptr, len, len)
        .map_err(|e| e.context("wabi.http_request: cannot read the request"))?;
    let request: HttpRequest = match codec::decode(&bytes) {
        Ok(r) => r,
        Err(e) => {
            return Ok(Prepared::Answer(error_envelope(
                HttpErrorKind::BadRequest,
                &format!(
                    "http: the request does not decode as {{method, url, headers, body}}: {e}"
                ),
            )))
        }
    };
    let state = caller.data();
    let remaining = state
        .deadline
        .map_or(Duration::MAX, crate::clock::remaining);
    Ok(Prepared::Send(Pending {
        timeout: client.timeout().min(remaining),
        requests_left: client
            .max_requests_per_call()
            .saturating_sub(state.http_requests),
        client,
        request,
    }))
}

/// Count what was sent, log it, and encode the answer.
fn finish(caller: &mut Caller<'_, HostState>, sent: Sent) -> Vec<u8> {
    let Sent {
        outcome,
        started,
        method,
        url,
    } = sent;
    let (method, url) = (method.as_str(), url.as_str());
    let state = caller.data_mut();
    state.http_requests = state.http_requests.saturating_add(outcome.sent);
    let elapsed_us = started.elapsed().as_micros() as u64;
    match outcome.result {
        Ok(response) => {
            tracing::debug!(target: "wabi::http", plugin = &*state.plugin, method, url, status = response.status, elapsed_us, "plugin HTTP request");
            let mut out = Vec::new();
            EnvelopeWriter::begin(&mut out);
            match codec::encode(&mut out, &response) {
                Ok(()) => {
                    EnvelopeWriter::finish(&mut out, wabi_spec::Status::Ok);
                    out
                }
                Err(e) => error_envelope(
                    HttpErrorKind::Connect,
                    &format!("http: cannot encode the response: {e}"),
                ),
            }
        }
        Err(Failure { kind, message }) => {
            tracing::debug!(target: "wabi::http", plugin = &*state.plugin, method, url, kind = kind.as_str(), elapsed_us, "plugin HTTP request refused or failed: {message}");
            error_envelope(kind, &message)
        }
    }
}

/// Define `wabi.http_request`, blocking or async as the engine is.
pub(crate) fn add_to_linker(
    linker: &mut Linker<HostState>,
    is_async: bool,
) -> wasmtime::Result<()> {
    if is_async {
        #[cfg(feature = "async")]
        linker.func_wrap_async(
            IMPORT_MODULE,
            IMPORT_HTTP_REQUEST,
            |mut caller: Caller<'_, HostState>, (ptr, len): (u32, u32)| {
                Box::new(async move {
                    let envelope = match prepare(&mut caller, ptr, len)? {
                        Prepared::Answer(envelope) => envelope,
                        Prepared::Send(pending) => {
                            // ureq blocks: run it where blocking is allowed, so the executor's
                            // other tasks go on meanwhile.
                            let sent = match tokio::runtime::Handle::try_current() {
                                Ok(handle) => handle
                                    .spawn_blocking(move || pending.send())
                                    .await
                                    .map_err(|e| {
                                    wasmtime::Error::msg(format!(
                                        "wabi.http_request: the request task failed: {e}"
                                    ))
                                })?,
                                Err(_) => pending.send(),
                            };
                            finish(&mut caller, sent)
                        }
                    };
                    answer_async(&mut caller, NAME, &envelope).await
                })
            },
        )?;
        return Ok(());
    }
    linker.func_wrap(
        IMPORT_MODULE,
        IMPORT_HTTP_REQUEST,
        |mut caller: Caller<'_, HostState>, ptr: u32, len: u32| -> wasmtime::Result<u64> {
            let envelope = match prepare(&mut caller, ptr, len)? {
                Prepared::Answer(envelope) => envelope,
                Prepared::Send(pending) => finish(&mut caller, pending.send()),
            };
            answer(&mut caller, NAME, &envelope)
        },
    )?;
    Ok(())
}
