//! `sourcemix scenarios`: sample correlated export disruptions into a scenarios.csv.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use sourcemix::analysis::sampling::{Samples, SamplingOptions, DEFAULT_SEVERITY};
use sourcemix::commands::{default_scenarios_file, scenarios_model};
use sourcemix::report::render_scenarios;
use sourcemix::values::Fraction;
use sourcemix::Error;

use super::output::{self, Format};
use super::results::ResultFiles;

/// Runs with at least this many samples show a progress line (on a terminal only).
const PROGRESS_FROM_SAMPLES: u64 = 200_000;

/// Arguments of `scenarios`.
#[derive(Args)]
pub struct ScenariosArgs {
    /// Model folder (countries.csv needs disruption_prob).
    model: PathBuf,
    /// Number of equally likely samples.
    #[arg(long)]
    samples: Samples,
    /// Random seed; the same seed gives the same file byte for byte.
    #[arg(long)]
    seed: u64,
    /// Latent correlations between countries' disruptions: country_a,country_b,rho
    /// (unlisted pairs 0). Without it, countries are disrupted independently.
    #[arg(long, value_name = "FILE")]
    correlation: Option<PathBuf>,
    /// capacity_factor of a disrupted country's offers (0 = nothing delivered).
    #[arg(long, default_value_t = DEFAULT_SEVERITY)]
    severity: Fraction,
    /// Replace a correlation matrix that is not positive semi-definite by the nearest
    /// valid one (says by how much) instead of refusing it.
    #[arg(long)]
    repair: bool,
    /// Disrupt what passes through each country at this stage of the chain (a stage of
    /// suppliers.csv's origin_<stage> columns) [default: the shipping country].
    #[arg(long)]
    stage: Option<String>,
    /// File to write [default: MODEL/scenarios.csv, replaced whole].
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Standard output format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
    #[command(flatten)]
    files: ResultFiles,
}

/// Runs `scenarios`; returns the exit code.
pub fn run(args: ScenariosArgs) -> Result<u8, Error> {
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| default_scenarios_file(&args.model));
    let opts = SamplingOptions {
        samples: args.samples,
        seed: args.seed,
        severity: args.severity,
        repair: args.repair,
        stage: args.stage.clone(),
    };
    let bar = progress_bar(args.samples.get());
    let run = scenarios_model(
        &args.model,
        args.correlation.as_deref(),
        &out,
        &args
            .files
            .outputs(out.parent().unwrap_or(std::path::Path::new("."))),
        &opts,
        &|n| bar.inc(n),
    );
    bar.finish_and_clear();
    let run = run?;
    output::warnings(&run.warnings);
    if let Some(r) = &run.result.repair {
        output::note(&format!(
            "note: the correlation matrix was not positive semi-definite (smallest eigenvalue {:.6}); \
             repaired to the {} after {} iterations: Frobenius distance {:.6}, largest change {:.6} ({})",
            r.smallest_eigenvalue,
            r.method,
            r.iterations,
            r.frobenius_distance,
            r.largest_change,
            r.largest_change_pair
        ));
    }
    output::result(args.format, &run, |r| render_scenarios(&r.result))?;
    let verb = if run.replaced { "replaced" } else { "wrote" };
    output::note(&format!("{verb} {}", run.written.display()));
    if let Some(book) = &args.files.xlsx {
        output::note(&format!("wrote {}", book.display()));
    }
    Ok(0)
}

/// On an MPI rank other than 0: draws its block of sample chunks for rank 0 (the request
/// carries everything a chunk needs, so nothing is read here).
#[cfg(feature = "mpi")]
pub fn serve(session: &super::mpi::Session) {
    session.serve(&[&sourcemix::analysis::sampling::spread::Sampler]);
}

/// A progress line on standard error for long runs, hidden unless it is a terminal.
fn progress_bar(samples: u64) -> ProgressBar {
    if samples < PROGRESS_FROM_SAMPLES || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(samples);
    if let Ok(style) = ProgressStyle::with_template("sampling {bar:30} {pos}/{len} ({eta} left)") {
        bar.set_style(style);
    }
    bar
}
