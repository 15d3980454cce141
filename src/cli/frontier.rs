//! `sourcemix frontier`: the cost–risk frontier of a model, as frontier.csv and
//! frontier.svg.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use sourcemix::analysis::frontier::{
    render_text, FrontierOptions, Measure, Points, DEFAULT_POINTS,
};
use sourcemix::commands::{default_out_dir, frontier_model};
use sourcemix::Error;

use super::output::{self, Format};
use super::results::{PageFile, ResultFiles};
use super::solver::SolverFlags;

/// Arguments of `frontier`.
#[derive(Args)]
pub struct FrontierArgs {
    /// Model folder.
    model: PathBuf,
    /// The measure whose cap is moved: hhi, risk_hhi or avg_risk.
    #[arg(long)]
    measure: Measure,
    /// Number of bounds, from the least feasible one to the current plan's measure.
    #[arg(long, default_value_t = DEFAULT_POINTS)]
    points: Points,
    /// The stage the measure is taken at (a stage of suppliers.csv's origin_<stage>
    /// columns) [default: the shipping country].
    #[arg(long)]
    stage: Option<String>,
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

/// Runs `frontier`; returns the exit code.
pub fn run(args: FrontierArgs) -> Result<u8, Error> {
    let opts = FrontierOptions {
        measure: args.measure,
        points: args.points,
        solve: args.solver.options(),
        stage: args.stage.clone(),
    };
    let out_dir = args
        .out
        .clone()
        .unwrap_or_else(|| default_out_dir(&args.model));
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = ProgressBar::new(0);
        bar.set_style(
            ProgressStyle::with_template("solving frontier points {bar:40} {pos}/{len} {elapsed}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar
    });
    let progress = |done: usize, total: usize| {
        if let Some(bar) = &bar {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        }
    };
    let run = frontier_model(
        &args.model,
        &args.page.onto(args.files.outputs(&out_dir)),
        &opts,
        &progress,
    );
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let run = run?;
    output::warnings(&run.warnings);
    if let Some(report) = &run.infeasible {
        for p in &report.problems {
            eprintln!("error: {p}");
        }
        return Ok(run.exit_code());
    }
    output::result(args.format, &run, |r| {
        r.frontier.as_ref().map(render_text).unwrap_or_default()
    })?;
    args.files.note_written(&out_dir, &run.written);
    args.page.note_written(&run.written);
    Ok(0)
}
