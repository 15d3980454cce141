//! `sourcemix policy`: what the policy costs, as a whole and rule family by family.

use std::path::PathBuf;

use clap::Args;
use sourcemix::commands::{default_out_dir, policy_model};
use sourcemix::report::render_policy;
use sourcemix::Error;

use super::output::{self, Format};
use super::results::{PageFile, ResultFiles};
use super::solver::SolverFlags;

/// Arguments of `policy`.
#[derive(Args)]
pub struct PolicyArgs {
    /// Model folder.
    model: PathBuf,
    /// Output folder for policy.csv [default: MODEL/results].
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

/// Runs `policy`; returns the exit code (3 when the full policy has no solution).
pub fn run(args: PolicyArgs) -> Result<u8, Error> {
    let opts = args.solver.options();
    let out_dir = args
        .out
        .clone()
        .unwrap_or_else(|| default_out_dir(&args.model));
    let run = policy_model(
        &args.model,
        &args.page.onto(args.files.outputs(&out_dir)),
        &opts,
    )?;
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
    args.page.note_written(&run.written);
    Ok(0)
}
