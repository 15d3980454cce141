//! `sourcemix check`: validate a model, print its size and suspicious data.

use std::path::PathBuf;

use clap::Args;
use sourcemix::commands::check_model;
use sourcemix::report::render_check;
use sourcemix::Error;

use super::output::{self, Format};

/// Arguments of `check`.
#[derive(Args)]
pub struct CheckArgs {
    /// Model folder.
    model: PathBuf,
    /// Standard output format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

/// Runs `check`; returns the exit code.
pub fn run(args: CheckArgs) -> Result<u8, Error> {
    let report = check_model(&args.model)?;
    output::warnings(&report.warnings);
    output::result(args.format, &report, render_check)?;
    Ok(0)
}
