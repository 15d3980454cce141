//! `sourcemix bench`: time each solver on the same model and check that they agree.

use std::io::IsTerminal;
use std::num::NonZeroUsize;
use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::solver::at_least_one;
use indicatif::{ProgressBar, ProgressStyle};
use sourcemix::commands::{bench_model, no_bench_model, BenchModel};
use sourcemix::engine::SolverKind;
use sourcemix::tools::bench::{render_text, BenchOptions, DEFAULT_REPEAT};
use sourcemix::tools::bench_table::bench_table;
use sourcemix::Error;

use super::output;
use super::results::ResultFiles;

/// How `bench` prints its report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum BenchFormat {
    /// An aligned table and a verdict.
    #[default]
    Text,
    /// One row per solver, for a spreadsheet.
    Csv,
    /// One JSON document.
    Json,
}

/// Arguments of `bench`.
#[derive(Args)]
pub struct BenchArgs {
    /// Model folder (or use --generate).
    #[arg(required_unless_present = "generate", conflicts_with = "generate")]
    model: Option<PathBuf>,
    /// Benchmark a generated model instead: offers=N,minerals=M[,seed=S][,countries=C].
    #[arg(long, value_name = "SPEC")]
    generate: Option<String>,
    /// Comma-separated solvers of this build, e.g. clarabel,microlp [default: every
    /// solver of this build that can solve the model].
    #[arg(long, value_delimiter = ',', value_parser = SolverKind::from_name)]
    solvers: Vec<SolverKind>,
    /// Runs per solver.
    #[arg(long, default_value_t = DEFAULT_REPEAT, value_parser = at_least_one)]
    repeat: NonZeroUsize,
    /// Worker threads per solve [default: all cores].
    #[arg(long, value_parser = at_least_one)]
    threads: Option<NonZeroUsize>,
    /// Standard output format.
    #[arg(long, value_enum, default_value_t)]
    format: BenchFormat,
    // `--xlsx FILE` writes the table into a workbook (sheets `bench`, `inputs`); bench
    // writes no CSV file, so `--csv-dialect` applies to `--format csv`.
    #[command(flatten)]
    files: ResultFiles,
}

/// Runs `bench`; returns 0, or 4 when the solvers disagree.
pub fn run(args: BenchArgs) -> Result<u8, Error> {
    let outputs = args.files.outputs(std::path::Path::new("."));
    let model = match (&args.model, &args.generate) {
        (_, Some(spec)) => BenchModel::Generated(spec),
        (Some(dir), None) => BenchModel::Folder(dir),
        (None, None) => return Err(no_bench_model()),
    };
    let opts = BenchOptions {
        solvers: args.solvers,
        repeat: args.repeat,
        threads: args.threads,
    };
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = ProgressBar::new(0);
        if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} runs {elapsed}") {
            bar.set_style(style);
        }
        bar
    });
    let run = bench_model(model, &outputs, &opts, &mut |done, total| {
        if let Some(bar) = &bar {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        }
    });
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let run = run?;
    output::warnings(&run.warnings);
    let report = &run.report;
    match args.format {
        BenchFormat::Text => output::text(&render_text(report))?,
        BenchFormat::Json => output::json(report)?,
        BenchFormat::Csv => {
            let csv = bench_table(report).to_csv(args.files.csv_dialect);
            output::text(&String::from_utf8_lossy(&csv))?
        }
    }
    if let Some(book) = &run.written {
        output::note(&format!("wrote {}", book.display()));
    }
    if let Some(why) = &report.agreement.reason {
        output::warnings(&[format!("solvers disagree: {why}")]);
    }
    Ok(report.exit_code())
}
