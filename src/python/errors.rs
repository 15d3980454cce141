//! The library's errors as Python exceptions, one class per exit code of the CLI, and
//! input errors of in-memory frames named by frame, row and column.

use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;

use crate::error::{InputErrors, InputIssue};

create_exception!(
    sourcemix,
    Error,
    PyException,
    "Base of sourcemix's errors; `exit_code` is the CLI's exit code for it."
);
create_exception!(
    sourcemix,
    InputError,
    Error,
    "Malformed or inconsistent input, or a bad option value (exit code 2)."
);
create_exception!(
    sourcemix,
    InfeasibleError,
    Error,
    "No plan obeys the policy (exit code 3); `result` holds the outcome."
);
create_exception!(
    sourcemix,
    SolverError,
    Error,
    "The solver failed or a limit stopped it without a plan (exit code 4)."
);
create_exception!(
    sourcemix,
    WriteError,
    Error,
    "A result could not be written (exit code 5)."
);

/// Adds the exception classes to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("Error", py.get_type::<Error>())?;
    m.add("InputError", py.get_type::<InputError>())?;
    m.add("InfeasibleError", py.get_type::<InfeasibleError>())?;
    m.add("SolverError", py.get_type::<SolverError>())?;
    m.add("WriteError", py.get_type::<WriteError>())?;
    Ok(())
}

/// The Python exception for a library error; with `frames`, input issues name the frame,
/// its 0-based row and the column instead of the CSV file and line handed over.
pub fn to_py(err: crate::Error, frames: bool) -> PyErr {
    use crate::Error as E;
    let message = match (&err, frames) {
        (E::Input(issues), true) => frame_message(issues),
        _ => err.to_string(),
    };
    let py_err = match &err {
        E::Input(_) | E::Usage(_) | E::Unsupported(_) => InputError::new_err(message),
        E::Solver(_) => SolverError::new_err(message),
        E::Write { .. } | E::Serialize(_) => WriteError::new_err(message),
    };
    with_exit_code(py_err, err.exit_code())
}

/// A bad keyword value, with the message the CLI gives for the same flag value.
pub fn bad_option(flag: &str, value: &str, why: &str) -> PyErr {
    let message = format!("invalid value '{value}' for '--{flag}': {why}");
    with_exit_code(InputError::new_err(message), 2)
}

/// `err` with its `exit_code` attribute set.
pub fn with_exit_code(err: PyErr, code: u8) -> PyErr {
    Python::with_gil(|py| {
        // Setting an attribute on a fresh exception instance cannot fail in practice;
        // if it did, the exception would still carry its class and message.
        let _ = err.value(py).setattr("exit_code", code);
    });
    err
}

/// The issues of tables handed over as frames: `suppliers frame, row 3, column unit_cost:
/// "x" is not a number …` (row 0 is the frame's first row; the CSV's line 2).
fn frame_message(errors: &InputErrors) -> String {
    let mut lines: Vec<String> = errors.issues.iter().map(frame_issue).collect();
    if errors.omitted > 0 {
        lines.push(format!("… and {} more problems", errors.omitted));
    }
    lines.join("\n")
}

fn frame_issue(issue: &InputIssue) -> String {
    let frame = issue.file.strip_suffix(".csv").unwrap_or(&issue.file);
    let mut out = format!("{frame} frame");
    match issue.line {
        Some(1) => out.push_str(", header"),
        Some(line) => out.push_str(&format!(", row {}", line - 2)),
        None => {}
    }
    if let Some(column) = &issue.column {
        out.push_str(&format!(", column {column}"));
    }
    out.push(':');
    if let Some(value) = &issue.value {
        out.push_str(&format!(" {value:?}"));
    }
    out.push(' ');
    out.push_str(&issue.message);
    out
}
