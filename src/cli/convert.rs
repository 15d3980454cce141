//! `sourcemix convert`: a model folder into one workbook, or a workbook into a folder.

use std::path::PathBuf;

use clap::Args;
use sourcemix::commands::convert;
use sourcemix::Error;

use super::output::{self, Format};

/// Arguments of `convert`.
#[derive(Args)]
pub struct ConvertArgs {
    /// A model folder, or a model workbook (.xlsx).
    src: PathBuf,
    /// The workbook to write (for a folder SRC), or the folder to write (for a workbook).
    dst: PathBuf,
    /// Standard output format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

/// Runs `convert`; returns the exit code.
pub fn run(args: ConvertArgs) -> Result<u8, Error> {
    let run = convert(&args.src, &args.dst)?;
    output::warnings(&run.warnings);
    output::result(args.format, &run, |r| {
        format!(
            "converted {} to {}\n",
            r.tables.join(", "),
            args.dst.display()
        )
    })?;
    Ok(0)
}
