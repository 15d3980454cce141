//! `policy`: what the policy costs, rule family by rule family.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::analysis::policy_cost::policy_cost;
use crate::error::Result;
use crate::input::{load, Loaded};
use crate::report::{inputs::inputs_table, policy_table, write_tables, Outputs, PolicyReport};
use crate::solve::SolveOptions;

/// What `policy` did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PolicyRun {
    /// The comparison.
    pub report: PolicyReport,
    /// Warnings from reading the model.
    pub warnings: Vec<String>,
    /// Files written (none when the full policy has no solution).
    pub written: Vec<PathBuf>,
}

/// `policy MODEL`: read, solve every case, and (when the full policy has a solution)
/// write policy.csv to `outputs` (its dialect, and the workbook when asked, with an
/// `inputs` sheet).
pub fn policy_model(model_dir: &Path, outputs: &Outputs, opts: &SolveOptions) -> Result<PolicyRun> {
    outputs.validate()?;
    outputs.check_not_input(model_dir)?;
    let Loaded {
        model, warnings, ..
    } = load(model_dir)?;
    let report = PolicyReport::new(policy_cost(&model, opts)?);
    let written = if report.feasible {
        write_tables(outputs, &[policy_table(&report)], &[inputs_table(&model)])?
    } else {
        Vec::new()
    };
    Ok(PolicyRun {
        report,
        warnings,
        written,
    })
}
