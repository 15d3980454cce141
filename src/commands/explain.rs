//! `explain`: the least relaxation of a model with no solution.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::analysis::explain::{explain, ExplainOptions};
use crate::error::Result;
use crate::input::{load, Loaded};
use crate::report::{explain_table, inputs::inputs_table, write_tables, ExplainReport, Outputs};

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
/// solution, and write explain.csv to `outputs` (a header only for a feasible model; in
/// its dialect, and the workbook when asked, with an `inputs` sheet).
pub fn explain_model(
    model_dir: &Path,
    outputs: &Outputs,
    opts: &ExplainOptions,
) -> Result<ExplainRun> {
    outputs.validate()?;
    outputs.check_not_input(model_dir)?;
    let Loaded {
        model, warnings, ..
    } = load(model_dir)?;
    let mut report = ExplainReport::new(explain(&model, opts)?);
    report.notes = crate::report::soft_notes(&model, report.feasible);
    let written = write_tables(outputs, &[explain_table(&report)], &[inputs_table(&model)])?;
    Ok(ExplainRun {
        report,
        warnings,
        written,
    })
}
