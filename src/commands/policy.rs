//! `policy`: what the policy costs, rule family by rule family.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::analysis::policy_cost::policy_cost;
use crate::error::Result;
use crate::input::{load, Loaded};
use crate::report::{
    html, inputs::inputs_table, policy_table, write_tables_with, Outputs, PolicyReport,
};
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
        let page = outputs
            .report_file(|| html::policy_page(&report, &html::input_files(model_dir, &[])?))?;
        let tables = [policy_table(&report)];
        write_tables_with(outputs, &tables, &[inputs_table(&model)], page)?
    } else {
        Vec::new()
    };
    Ok(PolicyRun {
        report,
        warnings,
        written,
    })
}
