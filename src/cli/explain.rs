//! `sourcemix explain`: the least relaxation that gives a model with no solution one.

use std::path::PathBuf;

use clap::Args;
use sourcemix::analysis::explain::ExplainOptions;
use sourcemix::commands::{default_out_dir, explain_model};
use sourcemix::report::render_explain;
use sourcemix::Error;

use super::output::{self, Format};
use super::results::ResultFiles;
use super::solver::SolverFlags;

/// Arguments of `explain`.
#[derive(Args)]
pub struct ExplainArgs {
    /// Model folder.
    model: PathBuf,
    /// Output folder for explain.csv [default: MODEL/results].
    #[arg(long)]
    out: Option<PathBuf>,
    #[command(flatten)]
    solver: SolverFlags,
    /// Standard output format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
    #[command(flatten)]
    files: ResultFiles,
}

/// Runs `explain`; returns the exit code (0 whether or not the model is feasible).
pub fn run(args: ExplainArgs) -> Result<u8, Error> {
    let out_dir = args
        .out
        .clone()
        .unwrap_or_else(|| default_out_dir(&args.model));
    let run = explain_model(
        &args.model,
        &args.files.outputs(&out_dir),
        &ExplainOptions {
            solve: args.solver.options(),
        },
    )?;
    output::warnings(&run.warnings);
    output::result(args.format, &run, |r| render_explain(&r.report))?;
    args.files.note_written(&out_dir, &run.written);
    Ok(0)
}
