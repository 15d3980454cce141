//! `sourcemix policy`: what the policy costs, as a whole and rule family by family.

use std::path::PathBuf;

use clap::Args;
use sourcemix::commands::{default_out_dir, policy_model};
use sourcemix::report::render_policy;
use sourcemix::solve::{SolveOptions, SolverChoice, DEFAULT_MIP_GAP};
use sourcemix::Error;

use super::output::{self, Format};
use super::results::ResultFiles;

/// Arguments of `policy`.
#[derive(Args)]
pub struct PolicyArgs {
    /// Model folder.
    model: PathBuf,
    /// Output folder for policy.csv [default: MODEL/results].
    #[arg(long)]
    out: Option<PathBuf>,
    /// Solver: auto, or one listed by `sourcemix solvers`.
    #[arg(long, default_value_t = SolverChoice::Auto)]
    solver: SolverChoice,
    /// Relative MIP gap for models with integer rules.
    #[arg(long = "mip-gap", default_value_t = DEFAULT_MIP_GAP)]
    mip_gap: f64,
    /// Worker threads; the cases are solved in parallel [default: all cores].
    #[arg(long)]
    threads: Option<usize>,
    /// Standard output format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
    #[command(flatten)]
    files: ResultFiles,
}

/// Runs `policy`; returns the exit code (3 when the full policy has no solution).
pub fn run(args: PolicyArgs) -> Result<u8, Error> {
    let opts = SolveOptions {
        solver: args.solver,
        mip_gap: args.mip_gap,
        threads: args.threads,
        ..SolveOptions::default()
    };
    let out_dir = args
        .out
        .clone()
        .unwrap_or_else(|| default_out_dir(&args.model));
    let run = policy_model(&args.model, &args.files.outputs(&out_dir), &opts)?;
    output::warnings(&run.warnings);
    output::warnings(&run.report.warnings);
    output::result(args.format, &run, |r| render_policy(&r.report))?;
    if !run.report.feasible {
        for a in &run.report.accounts {
            eprintln!("error: {a}");
        }
        return Ok(3);
    }
    args.files.note_written(&out_dir, &run.written);
    Ok(0)
}
