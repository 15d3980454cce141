//! `solve`: read, optimize, write the three files (and ranging, a workbook, a dialect).

use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Serialize;

use crate::analysis::ranging::{ranging, Ranging};
use crate::analysis::soft::{soft_breaks, SoftBreak};
use crate::error::Result;
use crate::input::{load, Loaded};
use crate::plan::solve_plan_then;
use crate::report::{assemble, html, mineral_part, write_report, Outputs, Report};
use crate::solve::SolveOptions;

/// Seconds spent in each phase of a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Timings {
    /// Reading and validating the model.
    pub read_secs: f64,
    /// Formulating the blocks (wall time; blocks are formulated in parallel).
    pub build_secs: f64,
    /// Solving the blocks (sum over blocks; they may run in parallel).
    pub solve_secs: f64,
    /// Wall time from formulation to the last block solved. It includes formatting each
    /// mineral's report rows, done as soon as its block is solved while other blocks
    /// still solve.
    pub optimize_wall_secs: f64,
    /// After the last block: assembling the report and writing the files.
    pub write_secs: f64,
}

/// What `solve` did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SolveRun {
    /// The report (also for infeasible models).
    pub report: Report,
    /// Files written (none unless every mineral has a plan).
    pub written: Vec<PathBuf>,
    /// stages.csv's rows (a model with stages and a plan; empty otherwise).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub stages: Vec<crate::report::StageRow>,
    /// ranging.csv's rows, when asked for ([`SolveOutputs::ranging`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ranging: Option<Ranging>,
    /// The soft rows the plan breaks, with what keeping each would cost.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub soft_breaks: Vec<SoftBreak>,
    /// True for a `--by-priority` run.
    #[serde(skip)]
    pub by_priority: bool,
    /// Phase timings (left out of JSON so output stays byte-for-byte reproducible).
    #[serde(skip)]
    pub timings: Timings,
}

impl SolveRun {
    /// Exit code per SPEC §5.
    pub fn exit_code(&self) -> u8 {
        self.report.status.exit_code()
    }
}

/// The default output folder of a model: `MODEL/results`, or for a model workbook
/// `results` beside it.
pub fn default_out_dir(model_dir: &Path) -> PathBuf {
    match model_dir.parent() {
        Some(parent) if model_dir.is_file() => parent.join("results"),
        _ => model_dir.join("results"),
    }
}

/// Where `solve` writes its results, and what beyond the three files of SPEC §4.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SolveOutputs {
    /// The CSV folder and dialect, and the workbook if asked for.
    pub files: Outputs,
    /// Also write ranging.csv (`--ranging`): the ranging of the optimal basis of each
    /// linear block (see [`crate::analysis::ranging`]).
    pub ranging: bool,
}

impl SolveOutputs {
    /// The three CSV files in `dir`, RFC 4180, nothing else.
    pub fn csv(dir: &Path) -> Self {
        SolveOutputs {
            files: Outputs::csv(dir),
            ranging: false,
        }
    }
}

/// `solve MODEL`: read, optimize, and (when every mineral has a plan) write the CSVs into
/// `out_dir`. Nothing is written for an infeasible or failed model.
pub fn solve_model(model_dir: &Path, out_dir: &Path, opts: &SolveOptions) -> Result<SolveRun> {
    solve_model_with(model_dir, &SolveOutputs::csv(out_dir), opts)
}

/// [`solve_model`] writing to `outputs`: a CSV dialect, a workbook, ranging.csv; all the
/// files or none.
pub fn solve_model_with(
    model_dir: &Path,
    outputs: &SolveOutputs,
    opts: &SolveOptions,
) -> Result<SolveRun> {
    outputs.files.validate()?;
    outputs.files.check_not_input(model_dir)?;
    let t = Instant::now();
    let Loaded {
        mut model,
        warnings,
        ..
    } = load(model_dir)?;
    if outputs.ranging {
        crate::model::coupling::solve_only(&model, "solve --ranging")?;
    }
    if opts.by_priority {
        crate::analysis::soft::by_priority(&mut model);
    }
    let read_secs = t.elapsed().as_secs_f64();
    let t = Instant::now();
    // Each mineral's plan is built, and its report rows formatted, as soon as its block
    // is solved; then its rows are dropped, unless ranging or soft rows need them.
    let keep_rows = outputs.ranging || model.has_soft_rows();
    let (plan, parts) = solve_plan_then(&model, opts, |mineral| {
        let part = mineral_part(&model, mineral);
        if !keep_rows {
            mineral.rows = Vec::new();
        }
        part
    })?;
    let optimize_wall_secs = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let mut report = assemble(&model, &plan, parts);
    report.warnings.splice(0..0, warnings);
    let ok = report.status.exit_code() == 0;
    let soft_breaks = match ok && model.has_soft_rows() {
        true => soft_breaks(&model, &plan, opts)?,
        false => Vec::new(),
    };
    let ranging = match outputs.ranging && ok {
        true => Some(ranging(&model, &plan)?),
        false => None,
    };
    let stages = match ok && !model.stages.names.is_empty() {
        true => crate::report::stage_rows(&model, &plan),
        false => Vec::new(),
    };
    let written = if ok {
        let tiered = model.offers.iter().any(|o| o.tiers.is_some());
        let tier_rows = match tiered {
            true => crate::report::tier_rows(&model, &plan.quantities()),
            false => Vec::new(),
        };
        let (bundle_rows, lot_rows) = coupling_rows(&model, &plan);
        let mut extra: Vec<_> = ranging.iter().map(crate::report::ranging_table).collect();
        if tiered {
            extra.push(crate::report::tiers_table(&tier_rows));
        }
        if !model.coupling.bundles.is_empty() {
            extra.push(crate::report::bundles_table(&bundle_rows));
        }
        if !model.coupling.discounts.is_empty() {
            extra.push(crate::report::lots_table(&lot_rows));
        }
        if !stages.is_empty() {
            extra.push(crate::report::stages_table(&stages));
        }
        let page = outputs.files.report_file(|| {
            let inputs = html::input_files(model_dir, &[])?;
            html::solve_page(&model, &report, &plan.quantities(), &inputs)
        })?;
        write_report(&outputs.files, &model, &report, &extra, page)?
    } else {
        Vec::new()
    };
    let timings = Timings {
        read_secs,
        build_secs: plan.build_wall_secs,
        solve_secs: plan.minerals.iter().map(|m| m.solve_secs).sum(),
        optimize_wall_secs,
        write_secs: t.elapsed().as_secs_f64(),
    };
    Ok(SolveRun {
        report,
        written,
        stages,
        ranging,
        soft_breaks,
        by_priority: opts.by_priority,
        timings,
    })
}

/// The rows of bundle_awards.csv and lot_discounts.csv (none without the files).
fn coupling_rows(
    model: &crate::model::Model,
    plan: &crate::plan::Plan,
) -> (Vec<crate::report::BundleRow>, Vec<crate::report::LotRow>) {
    if model.coupling.is_empty() {
        return (Vec::new(), Vec::new());
    }
    (
        crate::report::bundle_rows(model, plan),
        crate::report::lot_rows(model, plan),
    )
}
