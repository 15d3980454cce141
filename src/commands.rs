//! One library entry point per command of the `sourcemix` binary: typed options in,
//! typed results out; each reads the model, calls the analysis, and writes its files.
//! Options are validated once, by the analysis they configure.

use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Serialize;

use crate::analysis::explain::{explain, ExplainOptions, ExplainReport};
use crate::analysis::policy::{policy_cost, PolicyReport};
use crate::check::{check, CheckReport};
use crate::error::Result;
use crate::frontier::{Frontier, FrontierOptions};
use crate::input::correlation::load_correlation;
use crate::input::{load_model, load_plan, load_scenarios};
use crate::model::Model;
use crate::ranging::{ranging, Ranging};
use crate::report::{
    assemble, build_report, csv_files, mineral_part, write_report, Outputs, Report,
};
use crate::sampling::{sample, SampledScenarios, SamplingOptions};
use crate::solve::{solve_then, SolveOptions, Status};
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
    /// ranging.csv's rows, when asked for ([`SolveOutputs::ranging`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ranging: Option<Ranging>,
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
    /// linear block (see [`crate::ranging`]).
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
    let model = load_model(model_dir)?;
    let read_secs = t.elapsed().as_secs_f64();
    let t = Instant::now();
    // Each mineral's report rows are built and formatted as soon as its block is solved.
    let (solution, parts) = solve_then(&model, opts, |ms| mineral_part(&model, ms))?;
    let optimize_wall_secs = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let report = assemble(&model, &solution, parts);
    let ok = report.status.exit_code() == 0;
    let ranging = match outputs.ranging && ok {
        true => Some(ranging(&model, &solution)?),
        false => None,
    };
    let written = if ok {
        let extra: Vec<_> = ranging.iter().map(Ranging::table).collect();
        write_report(&outputs.files, &model, &report, &extra)?
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
        ranging,
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

/// `check MODEL`: validate and report sizes and suspicious data.
pub fn check_model(model_dir: &Path) -> Result<CheckReport> {
    let model = load_model(model_dir)?;
    Ok(check(&model))
}

/// What `scenarios` did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenariosRun {
    /// The samples and scenarios.
    pub result: SampledScenarios,
    /// Warnings of the model and of the sampling.
    pub warnings: Vec<String>,
    /// The file written.
    pub written: PathBuf,
    /// True when it replaced an existing file.
    pub replaced: bool,
}

/// The default output of `scenarios`: `MODEL/scenarios.csv` (SPEC §3).
pub fn default_scenarios_file(model_dir: &Path) -> PathBuf {
    model_dir.join(crate::input::files::SCENARIOS)
}

/// `scenarios MODEL --samples N --seed S [--correlation FILE] [--out FILE]`: read the
/// model (all but its scenarios.csv, which need not be valid: it is what gets replaced)
/// and the correlation file, sample, and write the scenarios.csv to `out` whole or not at
/// all (a refused or failed run leaves an earlier file untouched). `progress` is called
/// with the samples of each chunk done.
pub fn scenarios_model(
    model_dir: &Path,
    correlation: Option<&Path>,
    out: &Path,
    opts: &SamplingOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<ScenariosRun> {
    opts.validate()?;
    if out.is_dir() {
        return Err(crate::Error::Usage(format!(
            "--out {} is a folder; expected the scenarios.csv file to write",
            out.display()
        )));
    }
    let mut model = load_model_without_scenarios(model_dir)?;
    let mut warnings = std::mem::take(&mut model.warnings);
    let correlations = correlation
        .map(|p| load_correlation(p, &model))
        .transpose()?;
    let result = sample(&model, correlations.as_ref(), opts, progress)?;
    warnings.extend(result.warnings.iter().cloned());
    let replaced = out.exists();
    if let Some(dir) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        crate::write::atomic::create_out_dir(dir)?;
    }
    let files = [(out.to_path_buf(), crate::report::scenarios_csv(&result))];
    crate::write::atomic::stage_all(&files)?.commit()?;
    Ok(ScenariosRun {
        result,
        warnings,
        written: out.to_path_buf(),
        replaced,
    })
}

/// The model in `dir` without its scenarios.csv.
fn load_model_without_scenarios(dir: &Path) -> Result<Model> {
    use crate::input::files::{CONSTRAINTS, COUNTRIES, DEMAND, SUPPLIERS};
    if !dir.is_dir() {
        // load_model's error names the folder.
        return load_model(dir);
    }
    let names = [SUPPLIERS, DEMAND, COUNTRIES, CONSTRAINTS];
    crate::input::parse_model(&crate::input::ModelFiles::read_dir(dir, &names))
}

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
/// solution, and write explain.csv into `out_dir` (a header only for a feasible model).
pub fn explain_model(
    model_dir: &Path,
    out_dir: &Path,
    opts: &ExplainOptions,
) -> Result<ExplainRun> {
    let mut model = load_model(model_dir)?;
    let warnings = std::mem::take(&mut model.warnings);
    let report = explain(&model, opts)?;
    let written = write_files(out_dir, crate::report::explain_files(&report))?;
    Ok(ExplainRun {
        report,
        warnings,
        written,
    })
}

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
/// write policy.csv into `out_dir`.
pub fn policy_model(model_dir: &Path, out_dir: &Path, opts: &SolveOptions) -> Result<PolicyRun> {
    let mut model = load_model(model_dir)?;
    let warnings = std::mem::take(&mut model.warnings);
    let report = policy_cost(&model, opts)?;
    let written = if report.feasible {
        write_files(out_dir, crate::report::policy_files(&report))?
    } else {
        Vec::new()
    };
    Ok(PolicyRun {
        report,
        warnings,
        written,
    })
}

/// Writes named files into `out_dir` (created if needed), all or none.
fn write_files(out_dir: &Path, files: Vec<(&'static str, Vec<u8>)>) -> Result<Vec<PathBuf>> {
    let files: Vec<(PathBuf, Vec<u8>)> = files
        .into_iter()
        .map(|(name, bytes)| (out_dir.join(name), bytes))
        .collect();
    crate::write::atomic::create_out_dir(out_dir)?;
    Ok(crate::write::atomic::stage_all(&files)?.commit()?)
}

/// What `solve --robust` did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RobustRun {
    /// The report of the robust plan (or of the nominal solve when the model has no plan).
    pub report: Report,
    /// How the robust plan was found: method, status, bounds per round.
    pub robust: Option<crate::robust::RobustSolution>,
    /// The nominal and robust plans side by side.
    pub comparison: Option<crate::robust::report::Comparison>,
    /// The robust plan's stress report (stress.csv, stress_summary.csv).
    pub stress: Option<StressReport>,
    /// Warnings (model, scenarios).
    pub warnings: Vec<String>,
    /// Files written: the three of `solve` and the two of `stress`, all or none.
    pub written: Vec<PathBuf>,
}

impl RobustRun {
    /// Exit code per SPEC §5.
    pub fn exit_code(&self) -> u8 {
        self.report.status.exit_code()
    }
}

/// `solve MODEL --robust`: read the model (and `scenarios_path` instead of its
/// scenarios.csv), solve the robust program, and write allocation.csv, summary.csv,
/// constraints.csv, stress.csv and stress_summary.csv for the robust plan into
/// `out_dir`, all or none. The stress files come from [`stress`] on the chosen plan, the
/// same code path as the `stress` command. `progress` sees every round.
pub fn robust_model(
    model_dir: &Path,
    scenarios_path: Option<&Path>,
    out_dir: &Path,
    opts: &crate::robust::RobustOptions,
    progress: &(dyn Fn(&crate::robust::Iteration) + Sync),
) -> Result<RobustRun> {
    use crate::robust::report::{plan_solution, Comparison};
    opts.validate()?;
    let mut model = load_model(model_dir)?;
    let mut warnings = std::mem::take(&mut model.warnings);
    if let Some(path) = scenarios_path {
        let (scenarios, more) = load_scenarios(path, &model)?;
        model.scenarios = scenarios;
        warnings.extend(more);
    }
    if model.scenarios.is_empty() {
        warnings.push(
            "no scenarios (no scenarios.csv and no --scenarios): the robust plan only sees the baseline".into(),
        );
    }
    let outcome = crate::robust::solve_robust(&model, &model.scenarios, opts, progress)?;
    let no_plan = |report: Report, robust| RobustRun {
        report,
        robust,
        comparison: None,
        stress: None,
        warnings: warnings.clone(),
        written: Vec::new(),
    };
    let Some(robust) = outcome.robust else {
        return Ok(no_plan(build_report(&model, &outcome.nominal), None));
    };
    let solution = plan_solution(&model, &robust);
    let mut report = build_report(&model, &solution);
    report.warnings.clear();
    if report.status.exit_code() != 0 {
        // One message for the whole plan, not one per mineral.
        if let Status::Failed { message, .. } = &robust.status {
            report.problems = vec![message.clone()];
        }
        return Ok(no_plan(report, Some(robust)));
    }
    if robust.status == Status::Feasible {
        // One message for the whole plan (CVaR couples the minerals), not one per mineral.
        report.problems = vec![format!(
            "a time limit stopped the robust solve with a feasible plan, not proven optimal{}",
            robust
                .gap
                .map(|g| format!(
                    "; its E + W·CVaR is at most {:.4}% above the optimum",
                    g * 100.0
                ))
                .unwrap_or_default()
        )];
    }
    let stress_opts = StressOptions {
        alpha: opts.alpha,
        spot_premium: opts.spot_premium,
    };
    let nominal_plan: Vec<f64> = outcome
        .nominal
        .minerals
        .iter()
        .flat_map(|m| m.quantities.iter().copied())
        .collect();
    let nominal_stress = stress(&model, &nominal_plan, &model.scenarios, &stress_opts)?;
    // The plan as written (allocation.csv) and read back, so `stress --plan` on the
    // written file reproduces the stress files byte for byte.
    let solve_files = csv_files(&report);
    let written_plan = {
        let bytes: &[u8] = &solve_files[0].1;
        let files = crate::input::ModelFiles::from_memory(&[(solve_files[0].0, bytes)]);
        crate::input::parse_plan(&files, solve_files[0].0, &model)?.quantities
    };
    let robust_stress = stress(&model, &written_plan, &model.scenarios, &stress_opts)?;
    let comparison = Comparison::new(
        &nominal_stress,
        &robust_stress,
        opts.alpha,
        opts.cvar_weight,
    );
    let files: Vec<(PathBuf, Vec<u8>)> = solve_files
        .into_iter()
        .chain(crate::report::stress_files(&robust_stress))
        .map(|(name, bytes)| (out_dir.join(name), bytes))
        .collect();
    crate::write::atomic::create_out_dir(out_dir)?;
    let written = crate::write::atomic::stage_all(&files)?.commit()?;
    Ok(RobustRun {
        report,
        robust: Some(robust),
        comparison: Some(comparison),
        stress: Some(robust_stress),
        warnings,
        written,
    })
}
