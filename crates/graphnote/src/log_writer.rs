//! Where log lines go: standard error, written at once when the log is quiet and in batches when
//! it is busy.
//!
//! A line is copied into a shared buffer (a lock held for a copy). When lines are not coming
//! fast — fewer than one every [`BUSY_GAP`] on average — or the line is a warning or worse, the
//! thread whose line it is writes the buffer out at once: a quiet server's lines are on standard
//! error before the response they describe is sent (a person or a test reading the log right
//! after a request finds every line of it). While the log is busy, a small thread writes the
//! buffer out every [`LINGER`] instead, so serving threads neither make a write per request nor
//! wait for one; it sleeps, and is woken, only when the log falls quiet and picks up again.
//! [`flush`] writes what is left when the process stops (SIGTERM's graceful exit writes every
//! line of the requests it served).
//!
//! Nothing is dropped: a line is either in the buffer or written. A buffer that reaches
//! [`BATCH_BYTES`] is written by the thread that filled it, so a slow reader of standard error
//! holds up the threads that log (back-pressure), as writing each line itself would. The buffer
//! is handed to the writing thread under the lock and written outside it, so other threads go on
//! adding lines meanwhile; [`OUTPUT`] keeps the writes in the order of their lines. Measured
//! against one write per line and against writing under the buffer's lock: docs/benchmarks.md,
//! "Request logs".

use std::io::Write;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tracing_subscriber::fmt::MakeWriter;

/// How much is gathered before the thread that fills the buffer writes it itself (a few
/// hundred lines).
const BATCH_BYTES: usize = 32 * 1024;
/// How often the buffer is written out while the log is busy: the longest a line waits.
const LINGER: Duration = Duration::from_millis(1);
/// Lines closer together than this on average make the log busy (10,000 lines a second: one
/// write each would cost a few percent of a core).
const BUSY_GAP: Duration = Duration::from_micros(100);
/// The longest gap the average counts in full, so a burst after a pause is seen within a few
/// lines.
const GAP_CAP: Duration = Duration::from_millis(10);

/// The lines not yet written, how far apart lines have come lately, and whether the flushing
/// thread sleeps until it is woken.
struct Pending {
    bytes: Vec<u8>,
    last_line: Option<Instant>,
    /// A moving average of the gap between lines, in microseconds (each line counts for an
    /// eighth).
    average_gap_us: u64,
    flusher_asleep: bool,
}

static PENDING: Mutex<Pending> = Mutex::new(Pending {
    bytes: Vec::new(),
    last_line: None,
    average_gap_us: GAP_CAP.as_micros() as u64,
    flusher_asleep: false,
});
/// Wakes the flushing thread when a line is held back while it sleeps.
static LINE_WAITING: Condvar = Condvar::new();
/// Held from taking the buffer until its bytes are written, so batches reach standard error in
/// the order they were taken. Always taken while [`PENDING`] is held, never the other way round.
static OUTPUT: Mutex<()> = Mutex::new(());

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
        pending.bytes.extend_from_slice(bytes);
        let gap = pending
            .last_line
            .map_or(GAP_CAP, |at| now.saturating_duration_since(at).min(GAP_CAP));
        pending.last_line = Some(now);
        pending.average_gap_us = (pending.average_gap_us * 7 + gap.as_micros() as u64) / 8;
        let busy = pending.average_gap_us < BUSY_GAP.as_micros() as u64;
        if self.urgent || !busy || pending.bytes.len() >= BATCH_BYTES {
            write_out(pending)?;
        } else if pending.flusher_asleep {
            pending.flusher_asleep = false;
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

/// Takes what the buffer holds and writes it to standard error, letting other threads add lines
/// while it is written.
fn write_out(mut pending: MutexGuard<'static, Pending>) -> std::io::Result<()> {
    if pending.bytes.is_empty() {
        return Ok(());
    }
    let capacity = pending.bytes.capacity();
    let batch = std::mem::replace(&mut pending.bytes, Vec::with_capacity(capacity));
    let output = OUTPUT
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    drop(pending);
    let written = std::io::stderr().lock().write_all(&batch);
    drop(output);
    written
}

/// Writes every line still in the buffer. Called when the process stops.
pub fn flush() {
    let _ = write_out(pending());
}

/// Starts the thread that writes the buffer out every [`LINGER`] while lines are held back, and
/// sleeps while none are.
pub fn start_flushing() {
    let _ = std::thread::Builder::new()
        .name("log-flush".into())
        .spawn(|| {
            loop {
                let mut waiting = pending();
                while waiting.bytes.is_empty() {
                    waiting.flusher_asleep = true;
                    waiting = LINE_WAITING
                        .wait(waiting)
                        .unwrap_or_else(|poisoned| poisoned.into_inner());
                }
                waiting.flusher_asleep = false;
                drop(waiting);
                // Awake while lines keep coming: no line needs to wake it, and none waits
                // longer than LINGER.
                loop {
                    std::thread::sleep(LINGER);
                    let pending = pending();
                    if pending.bytes.is_empty() {
                        break;
                    }
                    let _ = write_out(pending);
                }
            }
        });
}
