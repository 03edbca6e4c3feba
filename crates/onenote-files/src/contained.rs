//! Running the parser where its panics stay: a panic while reading one file becomes that
//! file's reason for being skipped, and is not printed (the user reads the reason instead).
//!
//! A stack overflow cannot be contained this way — it aborts the process. The one the fuzzer
//! found is fixed in the parser itself (vendor/onenote_parser/PATCHED.md).

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Once;

thread_local! {
    static QUIET: Cell<bool> = const { Cell::new(false) };
}

/// Runs `read`, turning a panic into its message.
pub fn quietly<T>(read: impl FnOnce() -> T) -> Result<T, String> {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(Cell::get) {
                previous(info);
            }
        }));
    });
    let was = QUIET.with(|q| q.replace(true));
    let result = catch_unwind(AssertUnwindSafe(read));
    QUIET.with(|q| q.set(was));
    result.map_err(|panic| {
        let message = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        format!("the file could not be read (the reader stopped: {message})")
    })
}
