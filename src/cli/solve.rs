//! `sourcemix solve`: optimize a model and write allocation.csv, summary.csv and
//! constraints.csv.

use std::path::PathBuf;

use clap::Args;
use sourcemix::commands::{default_out_dir, solve_model_with, SolveOutputs, SolveRun};
use sourcemix::report::render_text;
use sourcemix::solve::{SolveOptions, SolverChoice, Status, DEFAULT_MIP_GAP};
use sourcemix::Error;

use super::output::{self, Format};
use super::results::ResultFiles;

/// Arguments of `solve`.
#[derive(Args)]
pub struct SolveArgs {
    /// Model folder (suppliers.csv, demand.csv, optional countries.csv, constraints.csv),
    /// or a workbook with those sheets.
    model: PathBuf,
    /// Output folder [default: MODEL/results].
    #[arg(long)]
    out: Option<PathBuf>,
    /// Solver: auto, or one listed by `sourcemix solvers`.
    #[arg(long, default_value_t = SolverChoice::Auto)]
    solver: SolverChoice,
    /// Time limit for the whole solve, in seconds.
    #[arg(long = "time-limit", value_name = "SECONDS")]
    time_limit: Option<f64>,
    /// Relative MIP gap for models with integer rules.
    #[arg(long = "mip-gap", default_value_t = DEFAULT_MIP_GAP)]
    mip_gap: f64,
    /// Worker threads for independent minerals [default: all cores].
    #[arg(long)]
    threads: Option<usize>,
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
    #[command(flatten)]
    files: ResultFiles,
}

/// Runs `solve`; returns the exit code.
pub fn run(args: SolveArgs) -> Result<u8, Error> {
    let opts = SolveOptions {
        solver: args.solver,
        time_limit_secs: args.time_limit,
        mip_gap: args.mip_gap,
        threads: args.threads,
        no_aggregate: args.no_aggregate,
    };
    let out_dir = args.out.unwrap_or_else(|| default_out_dir(&args.model));
    let outputs = SolveOutputs {
        files: args.files.outputs(&out_dir),
        ranging: args.ranging,
    };
    let run = solve_model_with(&args.model, &outputs, &opts)?;
    output::warnings(&run.report.warnings);
    output::result(args.format, &run, |r| render_text(&r.report))?;
    let code = run.exit_code();
    report_problems(&run, code);
    if !run.written.is_empty() {
        output::note(&format!("wrote {}", out_dir.display()));
        if let Some(book) = args.files.xlsx.as_ref().filter(|_| !run.written.is_empty()) {
            output::note(&format!("wrote {}", book.display()));
        }
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
