//! One library entry point per command of the `sourcemix` binary: typed options in, typed
//! results out; each reads the model, calls the analysis, and writes its files. Options
//! are validated by the analysis they configure. The tools whose library function is the
//! whole command (`generate`, `convert`, `export`, `solvers`) are re-exported here, so
//! every command's entry point stands beside the others.

mod bench;
mod check;
mod compare;
mod explain;
mod frontier;
mod hedge;
mod policy;
mod robust;
mod scenarios;
mod solve;
mod stress;

pub use bench::*;
pub use check::*;
pub use compare::*;
pub use explain::*;
pub use frontier::*;
pub use hedge::*;
pub use policy::*;
pub use robust::*;
pub use scenarios::*;
pub use solve::*;
pub use stress::*;

/// `solvers`: the backends compiled in and what each supports.
pub use crate::engine::{catalog, SolverInfo};
/// `convert SRC DST`: a model folder into one workbook, or a workbook into a folder.
pub use crate::tools::convert::convert;
/// `export MODEL`: the exact problem as a free-MPS or CPLEX-LP file.
pub use crate::tools::export::{export_model, ExportFormat, ExportOptions, ExportSummary};
/// `generate DIR`: a synthetic model of a given size, deterministic per seed.
pub use crate::tools::generate::{generate, generate_tiered, GenerateOptions};
/// On a signal: stop writing for good, removing every temporary file in flight; the
/// guard it returns keeps a new commit from starting before the process exits.
pub use crate::write::interrupt::stop as stop_writing;
/// Every command that writes: what to tell while a run waits for another run's lock on
/// its results folder (set once, by the binary).
#[cfg(unix)]
pub use crate::write::lock::on_wait;
