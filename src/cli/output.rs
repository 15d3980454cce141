//! The one output layer of the binary: results on standard output as text or JSON,
//! warnings and notes on standard error. A broken pipe (`sourcemix … | head`) ends output
//! quietly; any other failure to write standard output is an error (exit 5). Results are
//! printed after the files are written, so a full standard output (`>/dev/full`) is exit 5
//! with the new files in place; a closed one (`>&-`) is refused before anything runs.

use std::io::{ErrorKind, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use clap::ValueEnum;
use serde::Serialize;
use sourcemix::Error;

/// How a command prints its result on standard output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum Format {
    /// Aligned tables and sentences for a person.
    #[default]
    Text,
    /// One JSON document.
    Json,
}

/// Set once standard output's reader has gone: nothing more is written to it.
static PIPE_CLOSED: AtomicBool = AtomicBool::new(false);

/// Set when standard output was closed at start (`>&-`).
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

/// Runs before `main`, and so before Rust's runtime reopens a closed standard output on
/// /dev/null (which would make `>&-` indistinguishable from `>/dev/null`).
#[cfg(target_os = "linux")]
#[used]
#[link_section = ".init_array"]
static PROBE_STDOUT: extern "C" fn() = probe_stdout;

#[cfg(target_os = "linux")]
extern "C" fn probe_stdout() {
    // SAFETY: F_GETFD only asks whether descriptor 1 is open.
    if unsafe { libc::fcntl(1, libc::F_GETFD) } == -1 {
        STDOUT_CLOSED.store(true, Ordering::Relaxed);
    }
}

/// Refuses a run whose standard output was closed (`>&-`, Linux): its results could not
/// be printed, an error (exit 5) before anything is read or written.
pub fn check_stdout_open() -> Result<(), Error> {
    if STDOUT_CLOSED.load(Ordering::Relaxed) {
        return Err(Error::write(
            "-",
            std::io::Error::other("standard output is closed; nothing was run"),
        ));
    }
    Ok(())
}

/// Writes `text` to standard output.
pub fn text(text: &str) -> Result<(), Error> {
    if PIPE_CLOSED.load(Ordering::Relaxed) {
        return Ok(());
    }
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == ErrorKind::BrokenPipe => {
            PIPE_CLOSED.store(true, Ordering::Relaxed);
            Ok(())
        }
        Err(e) => Err(Error::write(
            "-",
            std::io::Error::new(
                e.kind(),
                format!("{e} (result files, if any, were written before)"),
            ),
        )),
    }
}

/// Writes `value` as one pretty-printed JSON document.
pub fn json<T: Serialize + ?Sized>(value: &T) -> Result<(), Error> {
    let mut doc = sourcemix::report::json::to_string_pretty(value)
        .map_err(|e| Error::Serialize(e.to_string()))?;
    doc.push('\n');
    text(&doc)
}

/// Prints `value` in `format`: JSON as it serializes, text as `render` words it.
pub fn result<T: Serialize + ?Sized>(
    format: Format,
    value: &T,
    render: impl FnOnce(&T) -> String,
) -> Result<(), Error> {
    match format {
        Format::Text => text(&render(value)),
        Format::Json => json(value),
    }
}

/// Prints each warning on standard error.
pub fn warnings<S: AsRef<str>>(list: &[S]) {
    for w in list {
        eprintln!("warning: {}", w.as_ref());
    }
}

/// Prints a note on standard error (what was written, timings).
pub fn note(text: &str) {
    eprintln!("{text}");
}
