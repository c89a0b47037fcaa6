//! Where guest log lines and captured stdout/stderr go.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use wabi_spec::layout::LogLevel;
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};
use wasmtime_wasi::p2::{OutputStream, Pollable, StreamError};

/// Where a log line came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogSource {
    /// The guest's `wabi.log` import.
    Guest,
    /// The guest's WASI stdout.
    Stdout,
    /// The guest's WASI stderr.
    Stderr,
}

/// One line a plugin logged.
#[derive(Clone, Copy, Debug)]
pub struct LogRecord<'a> {
    /// The plugin's name (see [`crate::ModuleBuilder::name`]).
    pub plugin: &'a str,
    /// Where the line came from.
    pub source: LogSource,
    /// Its level (stdout is `Info`, stderr is `Warn`).
    pub level: LogLevel,
    /// The text, without the trailing newline; invalid UTF-8 replaced.
    pub message: &'a str,
}

/// Receives every log line of a plugin. The default forwards to `tracing` (target `wabi::guest`).
pub type LogHandler = Arc<dyn Fn(&LogRecord<'_>) + Send + Sync>;

/// The default handler: a `tracing` event with the plugin's name and the line's source.
pub fn tracing_handler() -> LogHandler {
    Arc::new(|r: &LogRecord<'_>| {
        let (plugin, source, message) = (r.plugin, r.source, r.message);
        match r.level {
            LogLevel::Trace => tracing::trace!(target: "wabi::guest", plugin, ?source, "{message}"),
            LogLevel::Debug => tracing::debug!(target: "wabi::guest", plugin, ?source, "{message}"),
            LogLevel::Info => tracing::info!(target: "wabi::guest", plugin, ?source, "{message}"),
            LogLevel::Warn => tracing::warn!(target: "wabi::guest", plugin, ?source, "{message}"),
            LogLevel::Error => tracing::error!(target: "wabi::guest", plugin, ?source, "{message}"),
        }
    })
}

/// Maximum bytes of one log line; longer lines are cut and marked.
pub const MAX_LOG_LINE: usize = 64 * 1024;
/// How much recent output of each stream is kept to find a `panic: ` line after a trap.
const OUTPUT_TAIL: usize = 4 * 1024;
/// What Go's and TinyGo's runtimes print before the message of a panic they cannot recover.
const PANIC_PREFIX: &str = "panic: ";

/// Emit one line through `handler`, truncated to [`MAX_LOG_LINE`] bytes.
/// `dropped` counts bytes of the line already discarded before it reached here.
pub(crate) fn emit(
    handler: &LogHandler,
    plugin: &str,
    source: LogSource,
    level: LogLevel,
    raw: &[u8],
    dropped: usize,
) {
    let cut = raw.len().saturating_sub(MAX_LOG_LINE) + dropped;
    let text = String::from_utf8_lossy(&raw[..raw.len().min(MAX_LOG_LINE)]);
    let message = if cut > 0 {
        format!("{text}… [{cut} bytes cut]")
    } else {
        text.into_owned()
    };
    handler(&LogRecord {
        plugin,
        source,
        level,
        message: &message,
    });
}

struct OutputState {
    plugin: Arc<str>,
    source: LogSource,
    handler: LogHandler,
    line: Vec<u8>,
    /// Bytes of the current line dropped because it exceeded [`MAX_LOG_LINE`].
    dropped: usize,
    tail: Vec<u8>,
}

/// A guest's stdout or stderr: split into lines and sent to the log handler. The last few KiB
/// written since the call began are also kept, so that a trap can be explained by a `panic: `
/// line: TinyGo's runtime prints its panics to stdout (fd 1, through a 120-byte buffer that it
/// flushes at each newline) and then executes `unreachable`; mainline Go's unrecovered panics
/// go to stderr.
#[derive(Clone)]
pub(crate) struct GuestOutput(Arc<Shared>);

struct Shared {
    state: Mutex<OutputState>,
    /// Whether anything was written since the tail was last cleared: every call clears it, and
    /// most calls write nothing, so this spares them the lock.
    written: AtomicBool,
}

impl GuestOutput {
    pub(crate) fn new(plugin: Arc<str>, source: LogSource, handler: LogHandler) -> Self {
        GuestOutput(Arc::new(Shared {
            state: Mutex::new(OutputState {
                plugin,
                source,
                handler,
                line: Vec::new(),
                dropped: 0,
                tail: Vec::new(),
            }),
            written: AtomicBool::new(false),
        }))
    }

    fn level(source: LogSource) -> LogLevel {
        if source == LogSource::Stderr {
            LogLevel::Warn
        } else {
            LogLevel::Info
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, OutputState> {
        self.0.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn push(&self, mut bytes: &[u8]) {
        let mut st = self.lock();
        // Relaxed: a store, and so its output streams, is used by one thread at a time.
        self.0.written.store(true, Ordering::Relaxed);
        st.tail
            .extend_from_slice(&bytes[bytes.len().saturating_sub(OUTPUT_TAIL)..]);
        let excess = st.tail.len().saturating_sub(OUTPUT_TAIL);
        st.tail.drain(..excess);
        while let Some(nl) = bytes.iter().position(|&b| b == b'\n') {
            let (head, rest) = bytes.split_at(nl);
            bytes = &rest[1..];
            let st = &mut *st;
            let line: &[u8] = if st.line.is_empty() {
                head
            } else {
                let keep = head.len().min(MAX_LOG_LINE.saturating_sub(st.line.len()));
                st.line.extend_from_slice(&head[..keep]);
                st.dropped += head.len() - keep;
                &st.line
            };
            let level = Self::level(st.source);
            emit(&st.handler, &st.plugin, st.source, level, line, st.dropped);
            st.line.clear();
            st.dropped = 0;
        }
        let keep = bytes
            .len()
            .min(MAX_LOG_LINE - st.line.len().min(MAX_LOG_LINE));
        st.line.extend_from_slice(&bytes[..keep]);
        st.dropped += bytes.len() - keep;
    }

    /// Forget the recent output (at the start of a call).
    #[inline]
    pub(crate) fn clear_tail(&self) {
        if self.0.written.swap(false, Ordering::Relaxed) {
            self.lock().tail.clear();
        }
    }

    /// Take the recent output and return the message of its last `panic: ` line, if any.
    pub(crate) fn take_panic_line(&self) -> Option<String> {
        let mut st = self.lock();
        let tail = std::mem::take(&mut st.tail);
        let text = String::from_utf8_lossy(&tail);
        // The last line that reports a panic; output the guest wrote without a newline before
        // it may share its line (TinyGo buffers `print` until a newline), and the message may
        // itself contain "panic: ", so the line's first occurrence starts the message.
        let lines: Vec<&str> = text.lines().collect();
        let at = lines.iter().rposition(|l| l.contains(PANIC_PREFIX))?;
        let line = lines[at];
        let start = line.find(PANIC_PREFIX)? + PANIC_PREFIX.len();
        let mut message = line[start..].to_string();
        if st.source == LogSource::Stdout {
            // TinyGo traps right after the message, so what follows it on stdout is the rest
            // of a message with newlines. (Go's stderr continues with goroutine traces.)
            for rest in &lines[at + 1..] {
                message.push('\n');
                message.push_str(rest);
            }
        }
        Some(message.trim_end().to_string())
    }
}

impl IsTerminal for GuestOutput {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for GuestOutput {
    fn p2_stream(&self) -> Box<dyn OutputStream> {
        Box::new(self.clone())
    }

    fn async_stream(&self) -> Box<dyn tokio::io::AsyncWrite + Send + Sync> {
        Box::new(self.clone())
    }
}

#[async_trait::async_trait]
impl Pollable for GuestOutput {
    async fn ready(&mut self) {}
}

impl OutputStream for GuestOutput {
    fn write(&mut self, bytes: Bytes) -> Result<(), StreamError> {
        self.push(&bytes);
        Ok(())
    }

    fn flush(&mut self) -> Result<(), StreamError> {
        Ok(())
    }

    fn check_write(&mut self) -> Result<usize, StreamError> {
        Ok(64 * 1024)
    }
}

impl tokio::io::AsyncWrite for GuestOutput {
    fn poll_write(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        self.push(buf);
        std::task::Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn poll_shutdown(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn capture() -> (GuestOutput, Arc<Mutex<Vec<String>>>) {
        let lines = Arc::new(Mutex::new(Vec::new()));
        let sink = lines.clone();
        let handler: LogHandler =
            Arc::new(move |r: &LogRecord<'_>| sink.lock().unwrap().push(r.message.to_string()));
        (
            GuestOutput::new("p".into(), LogSource::Stderr, handler),
            lines,
        )
    }

    #[test]
    fn splits_lines_across_writes_and_finds_panics() {
        let (out, lines) = capture();
        out.push(b"hel");
        out.push(b"lo\nwor");
        out.push(b"ld\npanic: boom \xff\n[recovered]\n");
        assert_eq!(
            *lines.lock().unwrap(),
            ["hello", "world", "panic: boom \u{fffd}", "[recovered]"]
        );
        assert_eq!(out.take_panic_line().as_deref(), Some("boom \u{fffd}"));
        assert_eq!(out.take_panic_line(), None, "the tail is consumed");
    }

    #[test]
    fn long_lines_are_cut_not_buffered_forever() {
        let (out, lines) = capture();
        for _ in 0..100 {
            out.push(&[b'x'; 10_000]);
        }
        out.push(b"\n");
        let lines = lines.lock().unwrap();
        assert_eq!(lines.len(), 1);
        assert!(lines[0].len() < MAX_LOG_LINE + 64);
        assert!(
            lines[0].ends_with("[934464 bytes cut]"),
            "{}",
            &lines[0][lines[0].len() - 30..]
        );
    }
}
