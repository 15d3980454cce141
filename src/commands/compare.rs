//! `compare`: named policy variants of one model side by side.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::analysis::compare::{compare, CompareOptions, Comparison};
use crate::error::Result;
use crate::input::{load, load_cases, CaseSpec, Loaded};
use crate::report::{compare_table, inputs::inputs_table, write_tables, Outputs};

/// What `compare` did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompareRun {
    /// The comparison.
    pub comparison: Comparison,
    /// Warnings from reading the model and the cases.
    pub warnings: Vec<String>,
    /// Files written.
    pub written: Vec<PathBuf>,
}

/// `compare MODEL [--cases FILE]`: read the model and the cases (without a file:
/// `full_policy` and `no_rules`), solve or evaluate every case, and write compare.csv to
/// `outputs` (its dialect, and the workbook when asked, with an `inputs` sheet).
pub fn compare_model(
    model_dir: &Path,
    cases: Option<&Path>,
    outputs: &Outputs,
    opts: &CompareOptions,
) -> Result<CompareRun> {
    outputs.validate()?;
    outputs.check_not_input(model_dir)?;
    let Loaded {
        model,
        scenarios,
        mut warnings,
    } = load(model_dir)?;
    let cases = match cases {
        Some(path) => {
            let (cases, more) = load_cases(path, &model)?;
            warnings.extend(more);
            cases
        }
        None => vec![CaseSpec::full_policy(&model), CaseSpec::no_rules()],
    };
    let comparison = compare(&model, &cases, &scenarios, opts)?;
    let written = write_tables(
        outputs,
        &[compare_table(&comparison)],
        &[inputs_table(&model)],
    )?;
    Ok(CompareRun {
        comparison,
        warnings,
        written,
    })
}
