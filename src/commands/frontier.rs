//! `frontier`: the cost–risk curve, CSV and SVG.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::analysis::frontier::{Frontier, FrontierOptions, FrontierOutcome};
use crate::error::Result;
use crate::input::{load, Loaded};
use crate::report::{
    build_report, frontier_table, html, inputs::inputs_table, write_results, Outputs, Report,
};

/// What `frontier` did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FrontierRun {
    /// The frontier, when the model has a plan.
    pub frontier: Option<Frontier>,
    /// For a model without a plan: the solve report (problems and the least relaxation).
    pub infeasible: Option<Report>,
    /// Files written.
    pub written: Vec<PathBuf>,
    /// Warnings from reading the model.
    pub warnings: Vec<String>,
}

impl FrontierRun {
    /// Exit code per SPEC §5: that of the model's own solve, 0 when the frontier exists.
    pub fn exit_code(&self) -> u8 {
        self.infeasible
            .as_ref()
            .map_or(0, |r| r.status.exit_code().max(3))
    }
}

/// `frontier MODEL`: read the model, compute the frontier, and write frontier.csv (in
/// `outputs`' dialect) and frontier.svg into `outputs.dir`, and the workbook when asked
/// (sheets `frontier` and `inputs`), all or none. `progress(done, total)` is called as
/// point solves finish.
pub fn frontier_model(
    model_dir: &Path,
    outputs: &Outputs,
    opts: &FrontierOptions,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<FrontierRun> {
    outputs.validate()?;
    outputs.check_not_input(model_dir)?;
    let Loaded {
        model,
        mut warnings,
        ..
    } = load(model_dir)?;
    let frontier = match crate::analysis::frontier::frontier(&model, opts, progress)? {
        FrontierOutcome::Frontier(f) => f,
        FrontierOutcome::NoPlan(plan) => {
            return Ok(FrontierRun {
                frontier: None,
                infeasible: Some(build_report(&model, &plan)),
                written: Vec::new(),
                warnings,
            })
        }
    };
    warnings.extend(frontier.warnings());
    let svg = crate::analysis::frontier::plot::svg(&frontier)?;
    let table = frontier_table(&frontier);
    let csv = [(
        outputs.dir.join(crate::analysis::frontier::FRONTIER_CSV),
        &table,
    )];
    let inputs = inputs_table(&model);
    let mut other = vec![(
        outputs.dir.join(crate::analysis::frontier::FRONTIER_SVG),
        svg.into_bytes(),
    )];
    other.extend(
        outputs
            .report_file(|| html::frontier_page(&frontier, &html::input_files(model_dir, &[])?))?,
    );
    let written = write_results(outputs, &csv, &[&table, &inputs], other)?;
    drop(table);
    Ok(FrontierRun {
        frontier: Some(frontier),
        infeasible: None,
        written,
        warnings,
    })
}
