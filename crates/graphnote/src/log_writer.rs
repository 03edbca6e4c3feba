//! Where log lines go: standard error, written at once when the log is quiet and in batches when
//! it is busy.
//!
//! A line is copied into a shared buffer (a lock held for a copy). The buffer is written out in
//! one write, by the thread whose line it is, when that line is a warning or worse, when the
//! buffer holds [`BATCH_BYTES`], when nothing was written for [`LINGER`], or when lines are not
//! coming fast: fewer than one every [`BUSY_GAP`] on average. So a quiet server's lines are on
//! standard error before the response they describe is sent (a person or a test reading the log
//! right after a request finds every line of it), and a busy one makes about one write per
//! [`LINGER`] instead of one per request. A line held back is written by the next line past
//! [`LINGER`] or, if none comes, by a small thread woken for it, at most [`LINGER`] later.
//! [`flush`] writes what is left when the process stops (SIGTERM's graceful exit writes every
//! line of the requests it served).
//!
//! Nothing is dropped: a line is either in the buffer or written, and a slow reader of standard
//! error holds up the threads that write (back-pressure), as writing each line itself would.
//! Measured against one write per line and against a writer thread: docs/benchmarks.md,
//! "Request logs".

use std::io::Write;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tracing_subscriber::fmt::MakeWriter;

/// How much is gathered before one write, however recent the last (a few hundred lines).
const BATCH_BYTES: usize = 32 * 1024;
/// The longest a line waits in the buffer, and the shortest time between two writes of lines
/// below warning level while the log is busy.
const LINGER: Duration = Duration::from_millis(1);
/// Lines closer together than this on average make the log busy (10,000 lines a second: one
/// write each would cost a few percent of a core).
const BUSY_GAP: Duration = Duration::from_micros(100);
/// The longest gap the average counts in full, so a burst after a pause is seen within a few
/// lines.
const GAP_CAP: Duration = Duration::from_millis(10);

/// The lines not yet written, when standard error was last written, and how far apart lines
/// have come lately.
struct Pending {
    bytes: Vec<u8>,
    written_at: Option<Instant>,
    last_line: Option<Instant>,
    /// A moving average of the gap between lines, in microseconds (each line counts for an
    /// eighth).
    average_gap_us: u64,
}

static PENDING: Mutex<Pending> = Mutex::new(Pending {
    bytes: Vec::new(),
    written_at: None,
    last_line: None,
    average_gap_us: GAP_CAP.as_micros() as u64,
});
/// Wakes the flushing thread when a line stays in an empty buffer.
static LINE_WAITING: Condvar = Condvar::new();

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
        let now = Instant::now();
        let mut pending = pending();
        let was_empty = pending.bytes.is_empty();
        pending.bytes.extend_from_slice(bytes);
        let gap = pending
            .last_line
            .map_or(GAP_CAP, |at| now.saturating_duration_since(at).min(GAP_CAP));
        pending.last_line = Some(now);
        pending.average_gap_us = (pending.average_gap_us * 7 + gap.as_micros() as u64) / 8;
        let busy = pending.average_gap_us < BUSY_GAP.as_micros() as u64;
        let lingered = pending
            .written_at
            .is_none_or(|at| now.saturating_duration_since(at) >= LINGER);
        if self.urgent || !busy || lingered || pending.bytes.len() >= BATCH_BYTES {
            write_out(&mut pending)?;
        } else if was_empty {
            LINE_WAITING.notify_one();
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn pending() -> MutexGuard<'static, Pending> {
    PENDING
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Writes what the buffer holds to standard error and empties it.
fn write_out(pending: &mut Pending) -> std::io::Result<()> {
    if pending.bytes.is_empty() {
        return Ok(());
    }
    let written = std::io::stderr().lock().write_all(&pending.bytes);
    pending.bytes.clear();
    pending.written_at = Some(Instant::now());
    written
}

/// Writes every line still in the buffer. Called when the process stops.
pub fn flush() {
    let _ = write_out(&mut pending());
}

/// Starts the thread that writes out a line no later line has written within [`LINGER`].
pub fn start_flushing() {
    let _ = std::thread::Builder::new()
        .name("log-flush".into())
        .spawn(|| {
            loop {
                let mut waiting = pending();
                while waiting.bytes.is_empty() {
                    waiting = LINE_WAITING
                        .wait(waiting)
                        .unwrap_or_else(|poisoned| poisoned.into_inner());
                }
                drop(waiting);
                std::thread::sleep(LINGER);
                flush();
            }
        });
}
