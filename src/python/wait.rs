//! Work run with the GIL released, interruptible by Ctrl-C: the work runs on a thread of
//! its own while the caller's thread waits in slices of 50 ms, asking Python between
//! slices whether a signal arrived (`Python::check_signals`). When one did, it asks the
//! work to stop (`solve::request_stop`: every solver call and loop then ends as if its
//! time limit had passed), waits for the stopped work to end (at most [`STOP_WAIT`]),
//! drops its result and raises `KeyboardInterrupt`.

use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::time::Duration;

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;

/// How often a waiting call checks for Ctrl-C.
const SIGNAL_POLL: Duration = Duration::from_millis(50);

/// How long an interrupted call waits for its stopped work to end before it raises anyway
/// (a single solver call that does not honour time limits can outlast the request).
const STOP_WAIT: Duration = Duration::from_secs(10);

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
            Err(RecvTimeoutError::Timeout) => {
                if let Err(signal) = py.check_signals() {
                    crate::solve::request_stop();
                    let _ = py.allow_threads(move || rx.recv_timeout(STOP_WAIT));
                    return Err(signal);
                }
            }
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
