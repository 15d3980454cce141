//! The solver flags every command that solves shares: `--solver`, `--time-limit`,
//! `--mip-gap` and `--threads`. A command adds them with
//! `#[command(flatten)] solver: SolverFlags` and builds its library options from
//! [`SolverFlags::options`], so each flag has one spelling, one help text and one default.

use clap::Args;
use std::num::NonZeroUsize;

use sourcemix::solve::{SolveOptions, SolverChoice, DEFAULT_MIP_GAP};
use sourcemix::values::{Fraction, Seconds};

/// `--solver`, `--time-limit`, `--mip-gap`, `--threads`.
#[derive(Args, Debug, Clone)]
pub struct SolverFlags {
    /// Solver: auto, or one listed by `sourcemix solvers`.
    #[arg(long, default_value_t = SolverChoice::Auto)]
    pub solver: SolverChoice,
    /// Time limit for the whole run, in seconds (work in parallel shares it).
    #[arg(long = "time-limit", value_name = "SECONDS")]
    pub time_limit: Option<Seconds>,
    /// Relative MIP gap for models with integer rules.
    #[arg(long = "mip-gap", default_value_t = DEFAULT_MIP_GAP)]
    pub mip_gap: Fraction,
    /// Worker threads for work that runs in parallel (minerals, cases, points)
    /// [default: all cores].
    #[arg(long, value_parser = at_least_one)]
    pub threads: Option<NonZeroUsize>,
}

impl SolverFlags {
    /// The solve options these flags give (the rest at their defaults).
    pub fn options(&self) -> SolveOptions {
        SolveOptions {
            solver: self.solver,
            time_limit: self.time_limit,
            mip_gap: self.mip_gap,
            threads: self.threads,
            ..SolveOptions::default()
        }
    }
}

/// Parses a count of at least 1 (`--threads`, `--repeat`), saying so when it is not.
pub fn at_least_one(s: &str) -> Result<NonZeroUsize, String> {
    s.trim()
        .parse::<usize>()
        .ok()
        .and_then(NonZeroUsize::new)
        .ok_or_else(|| format!("{s:?} is not a whole number of at least 1"))
}
