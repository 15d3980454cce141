//! `sourcemix hedge`: the hedge frontier of a model, as hedge.csv and hedge.svg.

use std::path::PathBuf;

use clap::Args;
use sourcemix::analysis::hedge::DEFAULT_WEIGHTS;
use sourcemix::analysis::robust::{Method, RobustOptions, DEFAULT_CVAR_WEIGHT};
use sourcemix::analysis::stress::{DEFAULT_ALPHA, DEFAULT_SPOT_PREMIUM};
use sourcemix::commands::{default_out_dir, hedge_model};
use sourcemix::report::render_hedge;
use sourcemix::values::{Level, NonNegative};
use sourcemix::Error;

use super::output::{self, Format};
use super::results::{PageFile, ResultFiles};
use super::solver::SolverFlags;

/// Arguments of `hedge`.
#[derive(Args)]
pub struct HedgeArgs {
    /// Model folder (demand.csv needs an unmet_penalty for every mineral).
    model: PathBuf,
    /// CVaR weights W to sweep, comma-separated [default: 0,0.25,0.5,1,2,4,8].
    #[arg(long, value_delimiter = ',')]
    weights: Vec<NonNegative>,
    /// The CVaR level α in [0, 1).
    #[arg(long, default_value_t = DEFAULT_ALPHA)]
    alpha: Level,
    /// Spot purchases cost the landed cost × price factor × (1 + this).
    #[arg(long = "spot-premium", default_value_t = DEFAULT_SPOT_PREMIUM)]
    spot_premium: NonNegative,
    /// Scenarios to use instead of MODEL/scenarios.csv.
    #[arg(long, value_name = "FILE")]
    scenarios: Option<PathBuf>,
    /// Plan against the preset "any one country stops" instead of MODEL/scenarios.csv.
    #[arg(long = "n-1", conflicts_with = "scenarios")]
    n_minus_one: bool,
    /// The preset "any one country stops" at this stage of the chain: one scenario per
    /// mineral and country its offers pass through there.
    #[arg(long = "n-1-stage", value_name = "STAGE", conflicts_with_all = ["scenarios", "n_minus_one"])]
    n_minus_one_stage: Option<String>,
    /// extensive, decomposition or auto, as for solve --robust.
    #[arg(long, default_value_t = Method::Auto)]
    method: Method,
    /// Output folder [default: MODEL/results].
    #[arg(long)]
    out: Option<PathBuf>,
    #[command(flatten)]
    solver: SolverFlags,
    /// Standard output format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
    #[command(flatten)]
    files: ResultFiles,
    #[command(flatten)]
    page: PageFile,
}

/// Runs `hedge`; returns the exit code.
pub fn run(args: HedgeArgs) -> Result<u8, Error> {
    let out_dir = args
        .out
        .clone()
        .unwrap_or_else(|| default_out_dir(&args.model));
    let weights: Vec<NonNegative> = if args.weights.is_empty() {
        DEFAULT_WEIGHTS
            .iter()
            .filter_map(|&w| NonNegative::new(w).ok())
            .collect()
    } else {
        args.weights.clone()
    };
    let opts = RobustOptions {
        alpha: args.alpha,
        cvar_weight: DEFAULT_CVAR_WEIGHT,
        spot_premium: args.spot_premium,
        method: args.method,
        solve: args.solver.options(),
    };
    let run = hedge_model(
        &args.model,
        super::solve::scenario_source(
            args.scenarios.as_deref(),
            args.n_minus_one,
            args.n_minus_one_stage.as_deref(),
        ),
        &args.page.onto(args.files.outputs(&out_dir)),
        &weights,
        &opts,
    )?;
    output::warnings(&run.warnings);
    output::result(args.format, &run, |r| render_hedge(&r.hedge))?;
    args.files.note_written(&out_dir, &run.written);
    args.page.note_written(&run.written);
    Ok(0)
}
