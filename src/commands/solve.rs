//! `solve`: read, optimize, write the three files (and ranging, a workbook, a dialect).

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Serialize;

use crate::analysis::ranging::Ranging;
use crate::analysis::soft::{soft_breaks, SoftBreak};
use crate::error::Result;
use crate::input::{load, Loaded};
use crate::model::Model;
use crate::plan::solve_plan_then;
use crate::report::{assemble, html, mineral_part, render_soft_breaks, render_text};
use crate::report::{bundle_rows, bundles_table, lot_rows, lots_table, ranging_table};
use crate::report::{tier_rows, tiers_table, write_report, Outputs, Report, Table};
use crate::report::{BundleRow, LotRow, TierRow};
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

    /// The text `solve` prints (see [`solve_text`]).
    pub fn text(&self) -> String {
        solve_text(
            &self.report,
            &self.stages,
            &self.soft_breaks,
            self.by_priority,
        )
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
/// files or none. The results are [`solve_loaded`]'s.
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
    // Marked here too, so the page and the workbook's inputs see the rows as solved.
    if opts.by_priority {
        crate::analysis::soft::by_priority(&mut model);
    }
    let read_secs = t.elapsed().as_secs_f64();
    let mut solved = solve_loaded(&model, opts, outputs.ranging)?;
    let t = Instant::now();
    solved.report.warnings.splice(0..0, warnings);
    let written = if solved.report.status.exit_code() == 0 {
        let page = outputs.files.report_file(|| {
            let inputs = html::input_files(model_dir, &[])?;
            html::solve_page(&model, &solved.report, &solved.quantities, &inputs)
        })?;
        let extra = solved.extra_tables();
        write_report(&outputs.files, &model, &solved.report, &extra, page)?
    } else {
        Vec::new()
    };
    let timings = Timings {
        read_secs,
        write_secs: t.elapsed().as_secs_f64(),
        ..solved.timings
    };
    Ok(SolveRun {
        report: solved.report,
        written,
        stages: solved.stages,
        ranging: solved.ranging,
        soft_breaks: solved.soft_breaks,
        by_priority: solved.by_priority,
        timings,
    })
}

/// What `solve` computes for a loaded model before anything is written: the report, the
/// plan's quantities as written, the soft rows it breaks, and the rows of the files
/// beyond the three (ranging.csv when `ranging`, tier_prices.csv, bundle_awards.csv,
/// lot_discounts.csv when the model has tiers, bundles, discounts). The command and the
/// Python package both take it from here.
#[derive(Debug, Clone, PartialEq)]
pub struct Solved {
    /// The report (also for infeasible models).
    pub report: Report,
    /// The plan's quantities as written, one per offer (for the page and `stress`).
    pub quantities: Vec<f64>,
    /// The soft rows the plan breaks, with what keeping each would cost.
    pub soft_breaks: Vec<SoftBreak>,
    /// True for a `--by-priority` run.
    pub by_priority: bool,
    /// stages.csv's rows (a model with stages and a plan; empty otherwise).
    pub stages: Vec<crate::report::StageRow>,
    /// ranging.csv's rows, when asked for and the model has a plan.
    pub ranging: Option<Ranging>,
    /// tier_prices.csv's rows, when the model has tiered offers and a plan.
    pub tiers: Option<Vec<TierRow>>,
    /// bundle_awards.csv's rows, when the model has bundles and a plan.
    pub bundles: Option<Vec<BundleRow>>,
    /// lot_discounts.csv's rows, when the model has discounts and a plan.
    pub lots: Option<Vec<LotRow>>,
    /// Build, solve and optimize timings (read and write are the caller's).
    pub timings: Timings,
}

impl Solved {
    /// The text `solve` prints: the report, the concentration by stage, then the soft
    /// rules the plan breaks.
    pub fn text(&self) -> String {
        solve_text(
            &self.report,
            &self.stages,
            &self.soft_breaks,
            self.by_priority,
        )
    }

    /// The tables after the three of the report, in the order they are written.
    pub fn extra_tables(&self) -> Vec<Table<'_>> {
        let mut extra: Vec<_> = self.ranging.iter().map(ranging_table).collect();
        extra.extend(self.tiers.as_deref().map(tiers_table));
        extra.extend(self.bundles.as_deref().map(bundles_table));
        extra.extend(self.lots.as_deref().map(lots_table));
        if !self.stages.is_empty() {
            extra.push(crate::report::stages_table(&self.stages));
        }
        extra
    }

    /// Every table `solve` writes, in file order.
    pub fn tables(&self) -> Vec<Table<'_>> {
        let mut tables = self.report.tables();
        tables.extend(self.extra_tables());
        tables
    }
}

/// The text `solve` prints for `report`, its plan's concentration by stage (`stages`,
/// empty without stages) and the soft rows its plan breaks.
pub fn solve_text(
    report: &Report,
    stages: &[crate::report::StageRow],
    breaks: &[SoftBreak],
    by_priority: bool,
) -> String {
    let mut text = render_text(report);
    if !stages.is_empty() {
        text.push_str(&crate::report::stage_lines(stages));
    }
    text + &render_soft_breaks(breaks, by_priority)
}

/// `solve` on a loaded model (its rows with a priority marked first under
/// `opts.by_priority`, on a copy unless already marked): see [`Solved`].
/// Each mineral's plan is built, and its report rows formatted, as soon as its block is solved; then its
/// rows are dropped, unless ranging or soft rows need them.
pub fn solve_loaded(model: &Model, opts: &SolveOptions, ranging: bool) -> Result<Solved> {
    let model = marked(model, opts);
    let model = model.as_ref();
    let t = Instant::now();
    let keep_rows = ranging || model.has_soft_rows();
    let (plan, parts) = solve_plan_then(model, opts, |mineral| {
        let part = mineral_part(model, mineral);
        if !keep_rows {
            mineral.rows = Vec::new();
        }
        part
    })?;
    let timings = Timings {
        build_secs: plan.build_wall_secs,
        solve_secs: plan.minerals.iter().map(|m| m.solve_secs).sum(),
        optimize_wall_secs: t.elapsed().as_secs_f64(),
        ..Timings::default()
    };
    let report = assemble(model, &plan, parts);
    let ok = report.status.exit_code() == 0;
    let quantities = plan.quantities();
    let has = |yes: bool| ok && yes;
    Ok(Solved {
        soft_breaks: match has(model.has_soft_rows()) {
            true => soft_breaks(model, &plan, opts)?,
            false => Vec::new(),
        },
        by_priority: opts.by_priority,
        stages: match has(!model.stages.names.is_empty()) {
            true => crate::report::stage_rows(model, &plan),
            false => Vec::new(),
        },
        ranging: match has(ranging) {
            true => Some(crate::analysis::ranging::ranging(model, &plan)?),
            false => None,
        },
        tiers: has(model.offers.iter().any(|o| o.tiers.is_some()))
            .then(|| tier_rows(model, &quantities)),
        bundles: has(!model.coupling.bundles.is_empty()).then(|| bundle_rows(model, &plan)),
        lots: has(!model.coupling.discounts.is_empty()).then(|| lot_rows(model, &plan)),
        report,
        quantities,
        timings,
    })
}

/// `model` with its rows with a priority marked to give way under `--by-priority`.
fn marked<'m>(model: &'m Model, opts: &SolveOptions) -> Cow<'m, Model> {
    let unmarked = |m: &Model| m.policy.iter().any(|r| !r.soft.by_priority);
    if !opts.by_priority || !unmarked(model) {
        return Cow::Borrowed(model);
    }
    let mut copy = model.clone();
    crate::analysis::soft::by_priority(&mut copy);
    Cow::Owned(copy)
}
