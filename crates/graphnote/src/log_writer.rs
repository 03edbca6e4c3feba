//! Where log lines go: standard error, in batches. A request's line is copied into a shared
//! buffer (a lock held for a copy, never for a write); the buffer goes to standard error in one
//! write when it holds [`BATCH_BYTES`], when a line is a warning or worse, at the latest every
//! [`FLUSH_EVERY`] (a small thread), and when the process stops ([`flush`], called once the
//! servers have finished: SIGTERM's graceful exit writes every line of the requests it served).
//!
//! Measured against what it replaces (one `write` to standard error per line, under its lock,
//! from the worker thread that served the request) and against handing lines to a writer
//! thread: see docs/benchmarks.md, "Request logs". Nothing is dropped: a full buffer is written
//! by the thread that filled it (back-pressure), so a line is either in the buffer or written.

use std::io::Write;
use std::sync::Mutex;
use std::time::Duration;

use tracing_subscriber::fmt::MakeWriter;

/// How much is gathered before one write (a few hundred request lines).
const BATCH_BYTES: usize = 32 * 1024;
/// The longest a line waits in the buffer.
const FLUSH_EVERY: Duration = Duration::from_millis(100);

static BUFFER: Mutex<Vec<u8>> = Mutex::new(Vec::new());

/// The subscriber's writer: each event's formatted line, appended to the shared buffer.
#[derive(Clone, Copy, Default)]
pub struct BatchedStderr;

/// One event's line on its way into the buffer.
pub struct Line {
    /// Written at once (warnings and errors: someone may be watching for them).
    urgent: bool,
}

impl<'a> MakeWriter<'a> for BatchedStderr {
    type Writer = Line;

    fn make_writer(&'a self) -> Line {
        Line { urgent: true }
    }

    fn make_writer_for(&'a self, meta: &tracing::Metadata<'_>) -> Line {
        Line {
            urgent: *meta.level() <= tracing::Level::WARN,
        }
    }
}

impl Write for Line {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let mut buffer = BUFFER
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        buffer.extend_from_slice(bytes);
        if self.urgent || buffer.len() >= BATCH_BYTES {
            write_out(&mut buffer)?;
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Writes what the buffer holds to standard error and empties it.
fn write_out(buffer: &mut Vec<u8>) -> std::io::Result<()> {
    if buffer.is_empty() {
        return Ok(());
    }
    let written = std::io::stderr().lock().write_all(buffer);
    buffer.clear();
    written
}

/// Writes every line still in the buffer. Called when the process stops.
pub fn flush() {
    let mut buffer = BUFFER
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let _ = write_out(&mut buffer);
}

/// Starts the thread that writes the buffer out at least every [`FLUSH_EVERY`].
pub fn start_flushing() {
    let _ = std::thread::Builder::new()
        .name("log-flush".into())
        .spawn(|| {
            loop {
                std::thread::sleep(FLUSH_EVERY);
                flush();
            }
        });
}
