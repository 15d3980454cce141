//! One library entry point per command of the `sourcemix` binary: typed options in,
//! typed results out; each reads the model, calls the analysis, and writes its files.
//! Options are validated once, by the analysis they configure.

use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Serialize;

use crate::check::{check, CheckReport};
use crate::error::Result;
use crate::input::{load_model, load_plan, load_scenarios};
use crate::model::Model;
use crate::report::{assemble, mineral_part, write_report, Outputs, Report};
use crate::solve::{solve_then, SolveOptions};
use crate::stress::{stress, StressOptions, StressReport};

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

/// `solve MODEL`: read, optimize, and (when every mineral has a plan) write the CSVs into
/// `out_dir`. Nothing is written for an infeasible or failed model.
pub fn solve_model(model_dir: &Path, out_dir: &Path, opts: &SolveOptions) -> Result<SolveRun> {
    solve_model_to(model_dir, &Outputs::csv(out_dir), opts)
}

/// [`solve_model`] writing to `outputs` (CSV dialect, optional workbook).
pub fn solve_model_to(
    model_dir: &Path,
    outputs: &Outputs,
    opts: &SolveOptions,
) -> Result<SolveRun> {
    outputs.validate()?;
    outputs.check_not_input(model_dir)?;
    let t = Instant::now();
    let model = load_model(model_dir)?;
    let read_secs = t.elapsed().as_secs_f64();
    let t = Instant::now();
    // Each mineral's report rows are built and formatted as soon as its block is solved.
    let (solution, parts) = solve_then(&model, opts, |ms| mineral_part(&model, ms))?;
    let optimize_wall_secs = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let report = assemble(&model, &solution, parts);
    let written = if report.status.exit_code() == 0 {
        write_report(outputs, &model, &report)?
    } else {
        Vec::new()
    };
    let timings = Timings {
        read_secs,
        build_secs: solution.build_wall_secs,
        solve_secs: solution.minerals.iter().map(|m| m.solve_secs).sum(),
        optimize_wall_secs,
        write_secs: t.elapsed().as_secs_f64(),
    };
    Ok(SolveRun {
        report,
        written,
        timings,
    })
}

/// What `stress` did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StressRun {
    /// The per-scenario rows and the summary.
    pub report: StressReport,
    /// Warnings (model, plan, scenarios; a plan that breaks the policy).
    pub warnings: Vec<String>,
    /// Files written.
    pub written: Vec<PathBuf>,
}

/// `stress MODEL --plan FILE [--scenarios FILE]`: read the model and the plan, check the
/// plan against the policy (a warning when it breaks a rule), evaluate every scenario,
/// and write stress.csv and stress_summary.csv into `out_dir` (both or neither).
pub fn stress_model(
    model_dir: &Path,
    plan_path: &Path,
    scenarios_path: Option<&Path>,
    out_dir: &Path,
    opts: &StressOptions,
) -> Result<StressRun> {
    stress_model_to(
        model_dir,
        plan_path,
        scenarios_path,
        &Outputs::csv(out_dir),
        opts,
    )
}

/// [`stress_model`] writing to `outputs` (CSV dialect, optional workbook with an
/// `inputs` sheet).
pub fn stress_model_to(
    model_dir: &Path,
    plan_path: &Path,
    scenarios_path: Option<&Path>,
    outputs: &Outputs,
    opts: &StressOptions,
) -> Result<StressRun> {
    outputs.validate()?;
    outputs.check_not_input(model_dir)?;
    let mut model = load_model(model_dir)?;
    let mut warnings = std::mem::take(&mut model.warnings);
    if let Some(path) = scenarios_path {
        let (scenarios, more) = load_scenarios(path, &model)?;
        model.scenarios = scenarios;
        warnings.extend(more);
    }
    let plan = load_plan(plan_path, &model)?;
    warnings.extend(plan.warnings.iter().cloned());
    warnings.extend(policy_breaches(&model, &plan.quantities, plan_path));
    if model.scenarios.is_empty() {
        warnings.push(
            "no scenarios (no scenarios.csv and no --scenarios): only the baseline is evaluated"
                .into(),
        );
    }
    let report = stress(&model, &plan.quantities, &model.scenarios, opts)?;
    let inputs = crate::report::inputs::inputs_table(&model);
    let written = crate::report::write_tables(outputs, &report.tables(), &[inputs])?;
    Ok(StressRun {
        report,
        warnings,
        written,
    })
}

/// One warning per mineral whose planned quantities break a rule of the model (checked
/// by the independent plan checker, with the unplanned part of demand as unmet).
fn policy_breaches(model: &Model, quantities: &[f64], plan_path: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for (m, mineral) in model.minerals.iter().enumerate() {
        let x = &quantities[mineral.offers.clone()];
        let unmet = (mineral.demand - x.iter().sum::<f64>()).max(0.0);
        let instances = crate::rows::expand(model, m);
        if let Err(why) = crate::verify::verify_mineral(model, m, x, unmet, &instances) {
            out.push(format!(
                "{}: the plan for {} breaks the model's rules ({why}); it is stressed as it is",
                plan_path.display(),
                mineral.name
            ));
        }
    }
    out
}

/// `check MODEL`: validate and report sizes and suspicious data.
pub fn check_model(model_dir: &Path) -> Result<CheckReport> {
    let model = load_model(model_dir)?;
    Ok(check(&model))
}
