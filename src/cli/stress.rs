//! `sourcemix stress`: what a fixed plan delivers and costs in each disruption scenario.

use std::path::PathBuf;

use clap::Args;
use sourcemix::analysis::stress::{StressOptions, DEFAULT_ALPHA, DEFAULT_SPOT_PREMIUM};
use sourcemix::commands::{default_out_dir, stress_model_to};
use sourcemix::report::render_stress;
use sourcemix::values::{Level, NonNegative};
use sourcemix::Error;

use super::output::{self, Format};
use super::results::{PageFile, ResultFiles};

/// Arguments of `stress`.
#[derive(Args)]
pub struct StressArgs {
    /// Model folder (demand.csv needs an unmet_penalty for every mineral).
    model: PathBuf,
    /// The plan: an allocation.csv written by `solve`, or one in its layout
    /// (mineral,supplier,quantity; country checked when present).
    #[arg(long, value_name = "FILE")]
    plan: PathBuf,
    /// Scenarios to use instead of MODEL/scenarios.csv.
    #[arg(long, value_name = "FILE")]
    scenarios: Option<PathBuf>,
    /// Evaluate the preset "any one country stops" (one scenario per mineral and country
    /// offering it; preset probabilities, see the README) instead of MODEL/scenarios.csv.
    #[arg(long = "n-1", conflicts_with = "scenarios")]
    n_minus_one: bool,
    /// The preset "any one country stops" at this stage of the chain: one scenario per
    /// mineral and country its offers pass through there.
    #[arg(long = "n-1-stage", value_name = "STAGE", conflicts_with_all = ["scenarios", "n_minus_one"])]
    n_minus_one_stage: Option<String>,
    /// CVaR level: the summary's cvar_cost is the mean cost of the worst 1 − ALPHA.
    #[arg(long, default_value_t = DEFAULT_ALPHA)]
    alpha: Level,
    /// Spot purchases cost the landed cost × price factor × (1 + this).
    #[arg(long = "spot-premium", default_value_t = DEFAULT_SPOT_PREMIUM)]
    spot_premium: NonNegative,
    /// Output folder [default: MODEL/results].
    #[arg(long)]
    out: Option<PathBuf>,
    /// Standard output format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
    #[command(flatten)]
    files: ResultFiles,
    #[command(flatten)]
    page: PageFile,
}

impl StressArgs {
    /// The stress options the arguments give.
    fn options(&self) -> StressOptions {
        StressOptions {
            alpha: self.alpha,
            spot_premium: self.spot_premium,
        }
    }

    /// Where the scenarios come from.
    fn source(&self) -> sourcemix::commands::ScenarioSource<'_> {
        super::solve::scenario_source(
            self.scenarios.as_deref(),
            self.n_minus_one,
            self.n_minus_one_stage.as_deref(),
        )
    }
}

/// Runs `stress`; returns the exit code.
pub fn run(args: StressArgs) -> Result<u8, Error> {
    let out_dir = args
        .out
        .clone()
        .unwrap_or_else(|| default_out_dir(&args.model));
    let run = stress_model_to(
        &args.model,
        &args.plan,
        args.source(),
        &args.page.onto(args.files.outputs(&out_dir)),
        &args.options(),
    )?;
    output::warnings(&run.warnings);
    output::result(args.format, &run, |r| render_stress(&r.report))?;
    args.files.note_written(&out_dir, &run.written);
    args.page.note_written(&run.written);
    Ok(0)
}

/// On an MPI rank other than 0: reads the model and scenarios of `stress` as rank 0 does
/// and evaluates its block of scenarios for the plan rank 0 sends (rank 0 alone reads
/// the plan and reports, so a rank that cannot read them answers "cannot" and rank 0
/// says so, or rank 0 fails on the same input first).
#[cfg(feature = "mpi")]
pub fn serve(args: &StressArgs, session: &super::mpi::Session) {
    use sourcemix::analysis::stress::spread::Evaluator;
    let loaded = sourcemix::commands::load_stress(&args.model, args.source()).ok();
    let evaluator = loaded
        .as_ref()
        .and_then(|l| Evaluator::new(&l.model, &l.scenarios, &args.options()).ok());
    match &evaluator {
        Some(e) => session.serve(&[e]),
        None => session.serve(&[]),
    }
}
