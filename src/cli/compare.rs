//! `sourcemix compare`: named policy variants of one model side by side.

use std::path::PathBuf;

use clap::Args;
use sourcemix::analysis::compare::CompareOptions;
use sourcemix::analysis::stress::{StressOptions, DEFAULT_ALPHA, DEFAULT_SPOT_PREMIUM};
use sourcemix::commands::{compare_model, default_out_dir};
use sourcemix::report::render_compare;
use sourcemix::values::{Level, NonNegative};
use sourcemix::Error;

use super::output::{self, Format};
use super::results::ResultFiles;
use super::solver::SolverFlags;

/// Arguments of `compare`.
#[derive(Args)]
pub struct CompareArgs {
    /// Model folder.
    model: PathBuf,
    /// The cases (case,action,constraint,mineral,target,bound,file; see the README)
    /// [default: full_policy, then no_rules].
    #[arg(long, value_name = "FILE")]
    cases: Option<PathBuf>,
    /// Output folder for compare.csv [default: MODEL/results].
    #[arg(long)]
    out: Option<PathBuf>,
    #[command(flatten)]
    solver: SolverFlags,
    /// CVaR level of the cvar_cost column (with scenarios).
    #[arg(long, default_value_t = DEFAULT_ALPHA)]
    alpha: Level,
    /// Spot purchases in the scenarios cost the landed cost × price factor × (1 + this).
    #[arg(long = "spot-premium", default_value_t = DEFAULT_SPOT_PREMIUM)]
    spot_premium: NonNegative,
    /// Standard output format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
    #[command(flatten)]
    files: ResultFiles,
}

/// Runs `compare`; returns the exit code (0 whenever every case ran, infeasible or not;
/// 4 when a solver failed on a case, after writing the others).
pub fn run(args: CompareArgs) -> Result<u8, Error> {
    let opts = CompareOptions {
        solve: args.solver.options(),
        stress: StressOptions {
            alpha: args.alpha,
            spot_premium: args.spot_premium,
        },
    };
    let out_dir = args
        .out
        .clone()
        .unwrap_or_else(|| default_out_dir(&args.model));
    let run = compare_model(
        &args.model,
        args.cases.as_deref(),
        &args.files.outputs(&out_dir),
        &opts,
    )?;
    output::warnings(&run.warnings);
    output::warnings(&run.comparison.warnings);
    output::result(args.format, &run, |r| render_compare(&r.comparison))?;
    args.files.note_written(&out_dir, &run.written);
    Ok(run.comparison.exit_code())
}
