//! `explain`: the least relaxation of a model with no solution.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::write_files;
use crate::analysis::explain::{explain, ExplainOptions, ExplainReport};
use crate::error::Result;
use crate::input::load_model;

/// What `explain` did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExplainRun {
    /// The finding.
    pub report: ExplainReport,
    /// Warnings from reading the model.
    pub warnings: Vec<String>,
    /// Files written.
    pub written: Vec<PathBuf>,
}

/// `explain MODEL`: read the model, find the least relaxation of each mineral without a
/// solution, and write explain.csv into `out_dir` (a header only for a feasible model).
pub fn explain_model(
    model_dir: &Path,
    out_dir: &Path,
    opts: &ExplainOptions,
) -> Result<ExplainRun> {
    let mut model = load_model(model_dir)?;
    let warnings = std::mem::take(&mut model.warnings);
    let report = explain(&model, opts)?;
    let written = write_files(out_dir, crate::report::explain_files(&report))?;
    Ok(ExplainRun {
        report,
        warnings,
        written,
    })
}
