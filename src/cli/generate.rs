//! `sourcemix generate`: a synthetic model of a given size, for tests and benchmarks.

use std::path::PathBuf;

use clap::Args;
use sourcemix::commands::{generate_tiered, GenerateOptions};
use sourcemix::Error;

use super::output;

/// The defaults of `generate`, from the library's.
fn defaults() -> GenerateOptions {
    GenerateOptions::default()
}

/// Arguments of `generate`.
#[derive(Args)]
pub struct GenerateArgs {
    /// Folder to write the model into (created if needed).
    dir: PathBuf,
    /// Number of minerals.
    #[arg(long, default_value_t = defaults().minerals)]
    minerals: usize,
    /// Number of offers in all (split evenly over minerals).
    #[arg(long, default_value_t = defaults().offers)]
    offers: usize,
    /// Number of countries.
    #[arg(long, default_value_t = defaults().countries)]
    countries: usize,
    /// Random seed; the same seed gives the same files byte for byte.
    #[arg(long, default_value_t = defaults().seed)]
    seed: u64,
    /// Write an empty policy (constraints.csv with its header only).
    #[arg(long = "no-policy")]
    no_policy: bool,
    /// The fraction of offers (0 to 1) given price tiers in tiers.csv (0: none).
    #[arg(long, default_value_t = 0.0)]
    tiers: f64,
}

/// Runs `generate`; returns the exit code.
pub fn run(args: GenerateArgs) -> Result<u8, Error> {
    let opts = GenerateOptions {
        minerals: args.minerals,
        offers: args.offers,
        countries: args.countries,
        seed: args.seed,
        policy: !args.no_policy,
    };
    let summary = generate_tiered(&args.dir, &opts, args.tiers)?;
    output::text(&format!(
        "wrote {}: {} minerals, {} offers, {} countries\n",
        args.dir.display(),
        summary.minerals,
        summary.offers,
        summary.countries
    ))?;
    Ok(0)
}
