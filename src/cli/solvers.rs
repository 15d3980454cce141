//! `sourcemix solvers`: the backends compiled in and what each supports.

use clap::Args;
use sourcemix::commands::catalog;
use sourcemix::report::render_solvers;
use sourcemix::Error;

use super::output::{self, Format};

/// Arguments of `solvers`.
#[derive(Args)]
pub struct SolversArgs {
    /// Standard output format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

/// Runs `solvers`; returns the exit code.
pub fn run(args: SolversArgs) -> Result<u8, Error> {
    output::result(args.format, &catalog(), |c| render_solvers(c))?;
    Ok(0)
}
