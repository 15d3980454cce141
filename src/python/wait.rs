//! Work run with the GIL released, interruptible by Ctrl-C: the work runs on a thread of
//! its own while the caller's thread waits in slices of 50 ms, asking Python between
//! slices whether a signal arrived (`Python::check_signals`), and raises
//! `KeyboardInterrupt` at once when one did. The abandoned work finishes on its thread
//! (the library has no cancellation point) and its result is dropped.

use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::time::Duration;

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;

/// How often a waiting call checks for Ctrl-C.
const SIGNAL_POLL: Duration = Duration::from_millis(50);

/// Runs `work` off the GIL and returns its result, or raises `KeyboardInterrupt` (or
/// whatever a signal handler raises) as soon as Python reports a signal.
pub fn interruptible<T: Send + 'static>(
    py: Python<'_>,
    work: impl FnOnce() -> T + Send + 'static,
) -> PyResult<T> {
    let (tx, rx) = channel();
    std::thread::Builder::new()
        .name("sourcemix-work".into())
        .spawn(move || {
            // The receiver is gone only when the caller was interrupted.
            let _ = tx.send(work());
        })
        .map_err(|e| PyRuntimeError::new_err(format!("cannot start a thread: {e}")))?;
    let mut rx = rx;
    loop {
        let (got, back) = py.allow_threads(move || wait_slice(rx));
        rx = back;
        match got {
            Ok(value) => return Ok(value),
            Err(RecvTimeoutError::Timeout) => py.check_signals()?,
            Err(RecvTimeoutError::Disconnected) => {
                return Err(PyRuntimeError::new_err(
                    "sourcemix's worker thread panicked",
                ))
            }
        }
    }
}

/// One slice of waiting (the receiver moves in and out: it is not `Sync`).
fn wait_slice<T>(rx: Receiver<T>) -> (Result<T, RecvTimeoutError>, Receiver<T>) {
    (rx.recv_timeout(SIGNAL_POLL), rx)
}
