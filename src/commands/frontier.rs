//! `frontier`: the cost–risk curve, CSV and SVG.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::Result;
use crate::frontier::{Frontier, FrontierOptions};
use crate::input::load_model;
use crate::report::Report;

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

/// `frontier MODEL`: read the model, compute the frontier, and write frontier.csv and
/// frontier.svg into `out_dir` (both or neither). `progress(done, total)` is called as
/// point solves finish.
pub fn frontier_model(
    model_dir: &Path,
    out_dir: &Path,
    opts: &FrontierOptions,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<FrontierRun> {
    opts.validate()?;
    let mut model = load_model(model_dir)?;
    let mut warnings = std::mem::take(&mut model.warnings);
    let frontier = match crate::frontier::frontier(&model, opts, progress)? {
        Ok(f) => f,
        Err(report) => {
            return Ok(FrontierRun {
                frontier: None,
                infeasible: Some(*report),
                written: Vec::new(),
                warnings,
            })
        }
    };
    if frontier.current_measure == 0.0 {
        warnings.push(format!(
            "the {} of the current plan is already 0 (without countries.csv every risk is 0): every point of the frontier is the current plan",
            opts.measure
        ));
    }
    let svg = crate::frontier::plot::svg(&frontier)?;
    let files = vec![
        (out_dir.join(crate::frontier::FRONTIER_CSV), frontier.csv()),
        (
            out_dir.join(crate::frontier::FRONTIER_SVG),
            svg.into_bytes(),
        ),
    ];
    crate::write::atomic::create_out_dir(out_dir)?;
    let written = crate::write::atomic::stage_all(&files)?.commit()?;
    Ok(FrontierRun {
        frontier: Some(frontier),
        infeasible: None,
        written,
        warnings,
    })
}
