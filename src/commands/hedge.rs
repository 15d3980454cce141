//! `hedge`: the hedge frontier, CSV and SVG.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::analysis::hedge::{hedge, Hedge, HEDGE_CSV, HEDGE_SVG};
use crate::analysis::robust::RobustOptions;
use crate::error::Result;
use crate::report::{hedge_table, html, inputs::inputs_table, write_results, Outputs};
use crate::values::NonNegative;

/// What `hedge` did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HedgeRun {
    /// The sweep.
    pub hedge: Hedge,
    /// Files written.
    pub written: Vec<PathBuf>,
    /// Warnings from reading the model and its scenarios.
    pub warnings: Vec<String>,
}

/// `hedge MODEL`: read the model and its scenarios, solve `solve --robust` at each of
/// `weights`, and write hedge.csv (in `outputs`' dialect) and hedge.svg into
/// `outputs.dir`, the `--report` page when asked (`outputs.report`), and the workbook
/// when asked (sheets `hedge` and `inputs`), all or none.
pub fn hedge_model(
    model_dir: &Path,
    scenarios: super::stress::ScenarioSource,
    outputs: &Outputs,
    weights: &[NonNegative],
    opts: &RobustOptions,
) -> Result<HedgeRun> {
    outputs.validate()?;
    outputs.check_not_input(model_dir)?;
    let scenarios_file = scenarios.file();
    let crate::input::Loaded {
        model,
        scenarios,
        warnings,
    } = super::stress::load_with_scenarios(model_dir, scenarios)?;
    let hedge = hedge(&model, &scenarios, weights, opts)?;
    let svg = crate::analysis::hedge::plot::svg(&hedge)?;
    let table = hedge_table(&hedge);
    let csv = [(outputs.dir.join(HEDGE_CSV), &table)];
    let inputs = inputs_table(&model);
    let mut other = vec![(outputs.dir.join(HEDGE_SVG), svg.into_bytes())];
    other.extend(outputs.report_file(|| {
        let more: Vec<&Path> = scenarios_file.into_iter().collect();
        html::hedge_page(&hedge, &html::input_files(model_dir, &more)?)
    })?);
    let written = write_results(outputs, &csv, &[&table, &inputs], other)?;
    drop(table);
    Ok(HedgeRun {
        hedge,
        written,
        warnings,
    })
}
