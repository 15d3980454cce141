//! `sourcemix solve`: optimize a model and write allocation.csv, summary.csv and
//! constraints.csv.

use std::path::PathBuf;

use clap::Args;
use sourcemix::analysis::robust::report::render_comparison;
use sourcemix::analysis::robust::{Iteration, Method, RobustOptions, DEFAULT_CVAR_WEIGHT};
use sourcemix::analysis::stress::{DEFAULT_ALPHA, DEFAULT_SPOT_PREMIUM};
use sourcemix::commands::{
    default_out_dir, robust_model, solve_model_with, RobustRun, ScenarioSource, SolveOutputs,
    SolveRun,
};
use sourcemix::report::render_text;
use sourcemix::solve::{SolveOptions, Status};
use sourcemix::values::{Level, NonNegative};
use sourcemix::Error;

use super::output::{self, Format};
use super::results::{PageFile, ResultFiles};
use super::solver::SolverFlags;

/// Arguments of `solve`.
#[derive(Args)]
pub struct SolveArgs {
    /// Model folder (suppliers.csv, demand.csv, optional countries.csv, constraints.csv),
    /// or a workbook with those sheets.
    model: PathBuf,
    /// Output folder [default: MODEL/results].
    #[arg(long)]
    out: Option<PathBuf>,
    #[command(flatten)]
    solver: SolverFlags,
    /// Standard output format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
    /// Print read/build/solve/write times to standard error.
    #[arg(long)]
    timings: bool,
    /// Also write ranging.csv: the interval of each binding row's bound over which its
    /// shadow price holds, and of each offer's landed cost over which the plan stays
    /// optimal (linear blocks; others are marked "not available").
    #[arg(long)]
    ranging: bool,
    /// Solve continuous minerals as the full LP instead of the exact country aggregation
    /// (same optimum; to compare).
    #[arg(long = "no-aggregate")]
    no_aggregate: bool,
    /// Aggregate every continuous mineral, however few its offers (to compare; by default
    /// minerals with fewer than 1,500 offers, 2,500 under an HHI cap, are solved as the
    /// full LP, which is faster there).
    #[arg(long = "aggregate-all", conflicts_with = "no_aggregate")]
    aggregate_all: bool,
    /// Let the rows with a priority give way tier by tier: minimize the violation of
    /// priority 1, hold it, then priority 2, …, then the cost (see the README, "Soft
    /// rules and priorities").
    #[arg(long = "by-priority", conflicts_with = "robust")]
    by_priority: bool,
    #[command(flatten)]
    files: ResultFiles,
    #[command(flatten)]
    page: PageFile,
    /// Two-stage plan minimizing E[L] + W·CVaR_α(L) over the baseline and the scenarios
    /// (demand.csv needs an unmet_penalty for every mineral); also writes stress.csv and
    /// stress_summary.csv for the plan.
    #[arg(long, conflicts_with = "ranging")]
    robust: bool,
    /// With --robust: the CVaR level α in [0, 1) (0: CVaR is the expected cost).
    #[arg(long, default_value_t = DEFAULT_ALPHA, requires = "robust", allow_negative_numbers = true)]
    alpha: Level,
    /// With --robust: the weight W ≥ 0 of CVaR (0: expected cost only).
    #[arg(
        long = "cvar-weight",
        default_value_t = DEFAULT_CVAR_WEIGHT,
        requires = "robust",
        allow_negative_numbers = true
    )]
    cvar_weight: NonNegative,
    /// With --robust: spot purchases cost the landed cost × price factor × (1 + this).
    #[arg(
        long = "spot-premium",
        default_value_t = DEFAULT_SPOT_PREMIUM,
        requires = "robust",
        allow_negative_numbers = true
    )]
    spot_premium: NonNegative,
    /// With --robust: scenarios to use instead of MODEL/scenarios.csv.
    #[arg(long, value_name = "FILE", requires = "robust")]
    scenarios: Option<PathBuf>,
    /// With --robust: plan against the preset "any one country stops" (one scenario per
    /// mineral and country offering it; preset probabilities, see the README) instead of
    /// MODEL/scenarios.csv.
    #[arg(long = "n-1", requires = "robust", conflicts_with = "scenarios")]
    n_minus_one: bool,
    /// With --robust: the preset "any one country stops" at this stage of the chain.
    #[arg(long = "n-1-stage", value_name = "STAGE", requires = "robust", conflicts_with_all = ["scenarios", "n_minus_one"])]
    n_minus_one_stage: Option<String>,
    /// With --robust: extensive (one program), decomposition (L-shaped, parallel scenario
    /// evaluations) or auto (by size).
    #[arg(long, default_value_t = Method::Auto, requires = "robust")]
    method: Method,
}

impl SolveArgs {
    /// True for `solve --robust`.
    #[cfg(feature = "mpi")]
    pub fn is_robust(&self) -> bool {
        self.robust
    }
}

/// Where `--scenarios FILE`, `--n-1` and `--n-1-stage STAGE` (which clap keeps apart)
/// take the scenarios from.
pub fn scenario_source<'a>(
    file: Option<&'a std::path::Path>,
    n_minus_one: bool,
    stage: Option<&'a str>,
) -> ScenarioSource<'a> {
    match (file, n_minus_one, stage) {
        (Some(path), _, _) => ScenarioSource::File(path),
        (None, true, _) => ScenarioSource::NMinusOne,
        (None, false, Some(stage)) => ScenarioSource::NMinusOneAt(stage),
        (None, false, None) => ScenarioSource::Model,
    }
}

/// Runs `solve`; returns the exit code.
pub fn run(args: SolveArgs) -> Result<u8, Error> {
    let opts = SolveOptions {
        no_aggregate: args.no_aggregate,
        aggregate_all: args.aggregate_all,
        by_priority: args.by_priority,
        ..args.solver.options()
    };
    let out_dir = args
        .out
        .clone()
        .unwrap_or_else(|| default_out_dir(&args.model));
    if args.robust {
        return run_robust(&args, opts, &out_dir);
    }
    let outputs = SolveOutputs {
        files: args.page.onto(args.files.outputs(&out_dir)),
        ranging: args.ranging,
    };
    let run = solve_model_with(&args.model, &outputs, &opts)?;
    output::warnings(&run.report.warnings);
    output::result(args.format, &run, SolveRun::text)?;
    let code = run.exit_code();
    report_problems(&run, code);
    if !run.written.is_empty() {
        args.files.note_written(&out_dir, &run.written);
        args.page.note_written(&run.written);
    }
    if args.timings {
        let t = &run.timings;
        output::note(&format!(
            "timings: read {:.3} s, build {:.3} s, solve {:.3} s (wall {:.3} s for build+solve), write {:.3} s",
            t.read_secs, t.build_secs, t.solve_secs, t.optimize_wall_secs, t.write_secs
        ));
    }
    Ok(code)
}

/// Problems of minerals without a plan are errors; those of a limit-stopped plan warnings.
fn report_problems(run: &SolveRun, code: u8) {
    if code != 0 {
        for p in &run.report.problems {
            eprintln!("error: {p}");
        }
    } else if run.report.status == Status::Feasible {
        output::warnings(&run.report.problems);
    }
}

/// The robust options `args` give, over the solve options `solve`.
fn robust_options(args: &SolveArgs, solve: SolveOptions) -> RobustOptions {
    RobustOptions {
        alpha: args.alpha,
        cvar_weight: args.cvar_weight,
        spot_premium: args.spot_premium,
        method: args.method,
        solve,
    }
}

/// On an MPI rank other than 0: reads the model and scenarios of `solve --robust` as rank
/// 0 does and evaluates its block of scenarios for every plan rank 0 sends, for the
/// robust solve and for the stress files (rank 0 alone reports, so a rank that cannot
/// read them answers "cannot" and rank 0 says so, or rank 0 fails on the same input
/// first).
#[cfg(feature = "mpi")]
pub fn serve_robust(args: &SolveArgs, session: &super::mpi::Session) {
    use sourcemix::analysis::robust::spread::Evaluator;
    use sourcemix::analysis::spread::Answer;
    use sourcemix::analysis::stress::spread::Evaluator as StressEvaluator;
    if !args.robust {
        return session.serve(&[]);
    }
    let opts = robust_options(
        args,
        SolveOptions {
            no_aggregate: args.no_aggregate,
            aggregate_all: args.aggregate_all,
            ..args.solver.options()
        },
    );
    let source = scenario_source(
        args.scenarios.as_deref(),
        args.n_minus_one,
        args.n_minus_one_stage.as_deref(),
    );
    let loaded = sourcemix::commands::load_robust(&args.model, source).ok();
    let evaluator = loaded
        .as_ref()
        .and_then(|l| Evaluator::new(&l.model, &l.scenarios, &opts).ok());
    let stress = loaded
        .as_ref()
        .and_then(|l| StressEvaluator::new(&l.model, &l.scenarios, &opts.stress_options()).ok());
    let answers: Vec<&dyn Answer> = [
        evaluator.as_ref().map(|e| e as &dyn Answer),
        stress.as_ref().map(|e| e as &dyn Answer),
    ]
    .into_iter()
    .flatten()
    .collect();
    session.serve(&answers);
}

/// `solve --robust`: the robust plan beside the nominal one, a progress line on a
/// terminal.
fn run_robust(
    args: &SolveArgs,
    solve: SolveOptions,
    out_dir: &std::path::Path,
) -> Result<u8, Error> {
    let opts = robust_options(args, solve);
    let bar = progress_line();
    let progress = |it: &Iteration| {
        bar.set_message(format!(
            "robust round {}: lower {:.6e}, upper {:.6e}, gap {:.1e}",
            it.iteration, it.lower_bound, it.upper_bound, it.gap
        ));
        bar.tick();
    };
    let run = robust_model(
        &args.model,
        scenario_source(
            args.scenarios.as_deref(),
            args.n_minus_one,
            args.n_minus_one_stage.as_deref(),
        ),
        &args.page.onto(args.files.outputs(out_dir)),
        &opts,
        &progress,
    );
    bar.finish_and_clear();
    let run = run?;
    output::warnings(&run.warnings);
    output::warnings(&run.report.warnings);
    output::result(args.format, &run, render_robust)?;
    let code = run.exit_code();
    if code != 0 {
        for p in &run.report.problems {
            eprintln!("error: {p}");
        }
    } else if run.report.status == Status::Feasible {
        output::warnings(&run.report.problems);
    }
    if !run.written.is_empty() {
        args.files.note_written(out_dir, &run.written);
        args.page.note_written(&run.written);
    }
    Ok(code)
}

fn render_robust(run: &RobustRun) -> String {
    let mut text = render_text(&run.report);
    if let (Some(c), Some(r)) = (&run.comparison, &run.robust) {
        text.push_str(&render_comparison(c, r));
    }
    text
}

/// A spinner with a message on standard error when it is a terminal; hidden otherwise.
fn progress_line() -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new_spinner();
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    bar
}
