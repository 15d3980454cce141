//! Error types: one per layer, each carrying what a planner needs to act on it.

use std::fmt;
use std::path::PathBuf;

/// Most input problems reported for one run; the rest are counted, not listed.
pub const MAX_REPORTED_ISSUES: usize = 50;

/// One problem found in an input file: where it is, what was found, what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputIssue {
    /// File name as the user knows it, e.g. `suppliers.csv`.
    pub file: String,
    /// 1-based line in the file, where the problem has one.
    pub line: Option<u64>,
    /// Column name (header) where the problem has one.
    pub column: Option<String>,
    /// The offending value as found in the file.
    pub value: Option<String>,
    /// What is wrong and what was expected, in words.
    pub message: String,
}

impl InputIssue {
    /// A problem with the file as a whole (missing file, missing column, …).
    pub fn file(file: &str, message: impl Into<String>) -> Self {
        InputIssue {
            file: file.to_string(),
            line: None,
            column: None,
            value: None,
            message: message.into(),
        }
    }

    /// A problem with one cell.
    pub fn cell(
        file: &str,
        line: u64,
        column: &str,
        value: &str,
        message: impl Into<String>,
    ) -> Self {
        InputIssue {
            file: file.to_string(),
            line: Some(line),
            column: Some(column.to_string()),
            value: Some(value.to_string()),
            message: message.into(),
        }
    }

    /// A problem with one line (a duplicate key, a wrong number of fields, …).
    pub fn line(file: &str, line: u64, message: impl Into<String>) -> Self {
        InputIssue {
            file: file.to_string(),
            line: Some(line),
            column: None,
            value: None,
            message: message.into(),
        }
    }
}

impl fmt::Display for InputIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        write!(f, ":")?;
        if let Some(column) = &self.column {
            write!(f, " column {column}:")?;
        }
        if let Some(value) = &self.value {
            write!(f, " {value:?}")?;
        }
        write!(f, " {}", self.message)
    }
}

/// All input problems found in a model, in file order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InputErrors {
    /// The problems, at most [`MAX_REPORTED_ISSUES`] of them.
    pub issues: Vec<InputIssue>,
    /// How many more were found but not kept.
    pub omitted: usize,
}

impl InputErrors {
    /// Records a problem, keeping at most [`MAX_REPORTED_ISSUES`].
    pub fn push(&mut self, issue: InputIssue) {
        if self.issues.len() < MAX_REPORTED_ISSUES {
            self.issues.push(issue);
        } else {
            self.omitted += 1;
        }
    }

    /// Records every problem of `other` after those already here.
    pub fn append(&mut self, other: InputErrors) {
        for issue in other.issues {
            self.push(issue);
        }
        self.omitted += other.omitted;
    }

    /// True when no problem was recorded.
    pub fn is_empty(&self) -> bool {
        self.issues.is_empty() && self.omitted == 0
    }

    /// Ok when empty, otherwise the errors.
    pub fn into_result(self) -> Result<(), Error> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(Error::Input(self))
        }
    }
}

impl fmt::Display for InputErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (k, issue) in self.issues.iter().enumerate() {
            if k > 0 {
                writeln!(f)?;
            }
            write!(f, "{issue}")?;
        }
        if self.omitted > 0 {
            write!(f, "\n… and {} more problems", self.omitted)?;
        }
        Ok(())
    }
}

/// Why a command could not run. Outcomes such as "infeasible" are data, not errors;
/// see [`crate::solve::Status`].
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The model's files are malformed or inconsistent (exit code 2).
    #[error("{0}")]
    Input(InputErrors),
    /// The request itself is wrong: a flag, a solver that lacks a capability (exit code 2).
    #[error("{0}")]
    Usage(String),
    /// A feature of the model this build cannot handle yet (exit code 2).
    #[error("{0}")]
    Unsupported(String),
    /// The solver failed, or stopped without a feasible plan (exit code 4).
    #[error("{0}")]
    Solver(String),
    /// Results could not be written: a full disk, a missing permission, a closed standard
    /// output other than by a broken pipe (exit code 5). Nothing partial is left.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file or folder involved (`-` for standard output).
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A result could not be serialized (exit code 5).
    #[error("cannot serialize the result as JSON: {0}")]
    Serialize(String),
}

impl Error {
    /// The process exit code this error maps to (SPEC §5).
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Input(_) | Error::Usage(_) | Error::Unsupported(_) => 2,
            Error::Solver(_) => 4,
            Error::Write { .. } | Error::Serialize(_) => 5,
        }
    }

    /// A failed write of results, with its path.
    pub fn write(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Write {
            path: path.into(),
            source,
        }
    }
}

/// Result alias for the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;
