//! Solving a model: one block per mineral, solved independently (in parallel), checked,
//! and combined into a `Solution`.

pub(crate) mod aggregate;
mod block;
pub(crate) mod clean;
mod cleanup;
pub(crate) mod coupled;
pub(crate) mod diagnose;
mod lexicographic;
mod memory;
mod optimize;
pub(crate) mod shadow;
mod value_relaxation;
pub(crate) mod verify;

use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use rayon::prelude::*;

use crate::engine::SolverKind;
use crate::error::{Error, Result};
use crate::formulate::{formulate, Block};
use crate::model::Model;
use crate::policy::rows::RowInstance;
use crate::solve::diagnose::Relaxation;
use crate::values::{Fraction, Seconds};

pub use crate::engine::{FailureReason, Limit, SolverChoice};
pub(crate) use block::solve_block;

/// Counts the requests to stop (see [`request_stop`]).
static STOPS: AtomicU64 = AtomicU64::new(0);

/// Asks every computation running in this process to stop as soon as it can: from now on
/// each deadline and robust clock made before the call has a millisecond left, so every
/// solver call ends as if its time limit had passed and every loop that asks stops. What
/// it returns is a stopped result, for the caller to drop. Computations started after the
/// call are not affected. Python's Ctrl-C uses it; the CLI ends the process instead.
pub fn request_stop() {
    STOPS.fetch_add(1, Ordering::SeqCst);
}

/// The number of stop requests so far; a computation that saw another number when it
/// started has been asked to stop.
pub(crate) fn stops() -> u64 {
    STOPS.load(Ordering::SeqCst)
}

/// The moment a time-limited solve must end (or a stop request, [`request_stop`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Deadline {
    at: Option<Instant>,
    /// [`stops`] when it was made.
    stops: u64,
}

impl Deadline {
    /// A deadline `secs` from now, or none.
    pub fn after(secs: Option<f64>) -> Deadline {
        Deadline {
            at: secs.map(|s| Instant::now() + std::time::Duration::from_secs_f64(s)),
            stops: stops(),
        }
    }

    /// True once the limit has passed or a stop was requested: a loop of solves ends.
    pub fn expired(self) -> bool {
        stops() != self.stops || self.at.is_some_and(|d| Instant::now() >= d)
    }

    /// Seconds left (at least a millisecond, so a solver call still returns promptly),
    /// or `None` without a limit; a millisecond once a stop was requested.
    pub fn remaining(self) -> Option<f64> {
        if stops() != self.stops {
            return Some(1e-3);
        }
        self.at.map(|d| {
            d.saturating_duration_since(Instant::now())
                .as_secs_f64()
                .max(1e-3)
        })
    }
}

/// Default relative MIP gap at which branch and bound may stop.
pub const DEFAULT_MIP_GAP: Fraction = Fraction::literal(1e-6);

/// Options of `solve`, valid by construction (each value type holds only its domain).
#[derive(Debug, Clone, PartialEq)]
pub struct SolveOptions {
    /// Backend choice (default: auto).
    pub solver: SolverChoice,
    /// Wall-clock limit for the whole solve (default: none). Blocks running in parallel
    /// share it; each solver call gets the time that is left.
    pub time_limit: Option<Seconds>,
    /// Relative MIP gap (default [`DEFAULT_MIP_GAP`]).
    pub mip_gap: Fraction,
    /// Worker threads for independent blocks (default: all cores; 1 = sequential).
    pub threads: Option<NonZeroUsize>,
    /// Solve continuous blocks unaggregated (the full LP), to compare with the exact
    /// country aggregation used by default (the `aggregate` module).
    pub no_aggregate: bool,
    /// Aggregate every continuous block, however small (to compare, and for tests); by
    /// default blocks of fewer than 1,500 offers (2,500 under an HHI cap) are solved as
    /// the full LP, which is faster there (`aggregate::AGGREGATE_MIN_OFFERS`).
    pub aggregate_all: bool,
    /// `--by-priority`: rows with a priority give way tier by tier (see
    /// [`lexicographic`]); the model's rows are marked so when it is solved.
    pub by_priority: bool,
}

impl Default for SolveOptions {
    fn default() -> Self {
        SolveOptions {
            solver: SolverChoice::Auto,
            time_limit: None,
            mip_gap: DEFAULT_MIP_GAP,
            threads: None,
            no_aggregate: false,
            aggregate_all: false,
            by_priority: false,
        }
    }
}

impl SolveOptions {
    /// The time limit in seconds, if any.
    pub fn time_limit_secs(&self) -> Option<f64> {
        self.time_limit.map(Seconds::get)
    }

    /// Worker threads as a number (0: as many as cores).
    pub fn thread_count(&self) -> usize {
        self.threads.map_or(0, NonZeroUsize::get)
    }
}

/// How the solve of a mineral (or of the whole model) ended.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Status {
    /// Proven optimal.
    Optimal,
    /// Feasible, stopped by a limit before optimality was proven.
    Feasible,
    /// No plan obeys the policy.
    Infeasible,
    /// Stopped by a limit without a feasible plan.
    LimitNoSolution {
        /// Which limit.
        limit: Limit,
    },
    /// The solver failed or returned a plan that does not satisfy the model.
    Failed {
        /// Why, as a type (e.g. numerical trouble, cuts that did not converge).
        reason: FailureReason,
        /// What went wrong, in words.
        message: String,
    },
}

impl Status {
    /// The process exit code for this outcome (SPEC §5).
    pub fn exit_code(&self) -> u8 {
        match self {
            Status::Optimal | Status::Feasible => 0,
            Status::Infeasible => 3,
            Status::LimitNoSolution { .. } | Status::Failed { .. } => 4,
        }
    }

    /// A short lower-case name.
    pub fn name(&self) -> &'static str {
        match self {
            Status::Optimal => "optimal",
            Status::Feasible => "feasible",
            Status::Infeasible => "infeasible",
            Status::LimitNoSolution { .. } => "limit_no_solution",
            Status::Failed { .. } => "failed",
        }
    }

    fn severity(&self) -> u8 {
        match self {
            Status::Optimal => 0,
            Status::Feasible => 1,
            Status::Infeasible => 2,
            Status::LimitNoSolution { .. } => 3,
            Status::Failed { .. } => 4,
        }
    }
}

/// One expanded policy row with its value on the plan and its shadow price.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RowResult {
    /// The row.
    pub instance: RowInstance,
    /// Its left-hand side in the bound's units.
    pub value: f64,
    /// d total cost / d bound, when the solver gives duals and the row is continuous.
    pub shadow_price: Option<f64>,
}

/// The result for one mineral.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct MineralSolution {
    /// Index into `Model::minerals`.
    pub mineral: usize,
    /// How it ended.
    pub status: Status,
    /// Quantity per offer of the mineral (local index), real units; empty without a plan.
    pub quantities: Vec<f64>,
    /// Demand left unmet.
    pub unmet: f64,
    /// Total cost of the plan (landed purchases + fixed costs + unmet penalty).
    pub cost: f64,
    /// The policy rows of the mineral with values (empty without a plan).
    pub rows: Vec<RowResult>,
    /// For an infeasible mineral: the least relaxation that makes it feasible.
    pub relaxations: Vec<Relaxation>,
    /// The policy rows as expanded, for a mineral without a plan (its relaxations refer
    /// to them by index); with a plan they are in `rows`.
    pub instances: Vec<RowInstance>,
    /// The backend used.
    pub solver: SolverKind,
    /// Seconds spent formulating.
    pub build_secs: f64,
    /// Rounds of HHI tangent cuts after the first solve.
    pub cut_rounds: usize,
    /// For a plan stopped by a limit: an upper bound on its relative gap to the optimum
    /// (from the LP relaxation), when known.
    pub gap: Option<f64>,
    /// Seconds spent in the solver (including passing the model to it).
    pub solve_secs: f64,
    /// Remarks on how the block was solved (a retry with another backend).
    pub warnings: Vec<String>,
    /// True when the plan is an optimum of the mineral's own block, so a row's shadow
    /// price (the solver's, or one recovered from the fixed-binary LP) is a derivative of
    /// that optimum; false for a robust plan, whose rows stay unpriced.
    pub block_optimum: bool,
    /// For a mineral joined to others by bundles or lot discounts: what they decided
    /// (its cost includes their adjustment).
    pub coupling: Option<Box<coupled::MineralCoupling>>,
}

impl MineralSolution {
    /// True when the mineral has a plan to report.
    pub fn has_plan(&self) -> bool {
        matches!(self.status, Status::Optimal | Status::Feasible)
    }
}

/// The result of solving a whole model.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Solution {
    /// Worst status over minerals.
    pub status: Status,
    /// One entry per mineral, in model order.
    pub minerals: Vec<MineralSolution>,
    /// Wall time spent formulating the blocks (formulated in parallel, before any solve).
    pub build_wall_secs: f64,
}

impl Solution {
    /// Total cost over minerals.
    pub fn cost(&self) -> f64 {
        self.minerals.iter().map(|m| m.cost).sum()
    }
}

/// Solves every mineral of `model` and combines the results.
pub(crate) fn solve(model: &Model, opts: &SolveOptions) -> Result<Solution> {
    let (minerals, build_wall_secs) = solve_each(model, opts, |ms| ms)?;
    Ok(Solution {
        status: worst_status(minerals.iter().map(|m| &m.status)),
        minerals,
        build_wall_secs,
    })
}

/// Solves every mineral of `model`, handing each mineral's solution to `then` as soon
/// as its block is solved (in the worker that solved it, while other blocks still
/// solve); returns `then`'s results in mineral order and the wall time of formulation.
/// The plan stage is built this way ([`crate::plan::solve_plan_then`]), overlapping
/// with the solve.
pub(crate) fn solve_each<T: Send>(
    model: &Model,
    opts: &SolveOptions,
    then: impl Fn(MineralSolution) -> T + Sync,
) -> Result<(Vec<T>, f64)> {
    let pool = match opts.thread_count() {
        1 => None,
        threads => Some(
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .map_err(|e| Error::Solver(format!("cannot start worker threads: {e}")))?,
        ),
    };
    match &pool {
        None => solve_blocks(model, opts, false, &then),
        Some(pool) => pool.install(|| solve_blocks(model, opts, true, &then)),
    }
}

/// The worst of `statuses` (optimal for none).
pub(crate) fn worst_status<'a>(statuses: impl Iterator<Item = &'a Status>) -> Status {
    statuses
        .max_by_key(|s| s.severity())
        .cloned()
        .unwrap_or(Status::Optimal)
}

/// Formulates every block, then solves them (in the current rayon pool when `parallel`),
/// each followed by `then`; also returns the wall time of formulation.
fn solve_blocks<T: Send>(
    model: &Model,
    opts: &SolveOptions,
    parallel: bool,
    then: &(impl Fn(MineralSolution) -> T + Sync),
) -> Result<(Vec<T>, f64)> {
    let start = Instant::now();
    // Formulate every block first, so unsupported rows and capability mismatches are
    // reported before any solver runs (the first problem in mineral order).
    let build = |m: usize| {
        let t = Instant::now();
        formulate(model, m).map(|b| (b, t.elapsed().as_secs_f64()))
    };
    let built: Vec<Result<(Block, f64)>> = if parallel {
        (0..model.minerals.len())
            .into_par_iter()
            .map(build)
            .collect()
    } else {
        (0..model.minerals.len()).map(build).collect()
    };
    let mut blocks: Vec<(Block, f64)> = built.into_iter().collect::<Result<_>>()?;
    let build_wall_secs = start.elapsed().as_secs_f64();
    let deadline = Deadline::after(opts.time_limit_secs());
    let (decisions, notes) = match model.coupling.is_empty() {
        true => (Vec::new(), Vec::new()),
        false => coupled::decide(model, &mut blocks, opts, deadline)?,
    };
    for (block, _) in &mut blocks {
        if let Some(Some(mc)) = decisions.get(block.mineral) {
            coupled::restrict(model, block, mc);
        }
    }
    // Joined minerals are solved in full: their bounds and prices are the decisions'.
    let whole = SolveOptions {
        no_aggregate: true,
        ..opts.clone()
    };
    memory::check_memory(model, &blocks, opts.thread_count(), !opts.no_aggregate)?;
    let kinds: Vec<SolverKind> = blocks
        .iter()
        .map(|(b, _)| choose(opts.solver, b, model))
        .collect::<Result<_>>()?;
    let run = |((block, build_secs), kind): ((Block, f64), SolverKind)| {
        let m = block.mineral;
        let Some(Some(mc)) = decisions.get(m) else {
            return then(solve_block(model, block, kind, opts, deadline, build_secs));
        };
        let mut ms = solve_block(model, block, kind, &whole, deadline, build_secs);
        ms.warnings
            .extend(notes.iter().filter(|n| n.0 == m).map(|n| n.1.clone()));
        then(coupled::finish(model, ms, mc))
    };
    let minerals = if parallel {
        blocks.into_par_iter().zip(kinds).map(run).collect()
    } else {
        blocks.into_iter().zip(kinds).map(run).collect()
    };
    Ok((minerals, build_wall_secs))
}

fn choose(choice: SolverChoice, block: &Block, model: &Model) -> Result<SolverKind> {
    let integers = block.lp.has_integers();
    let kind = choice.backend(integers, block.concentration.is_some());
    if integers && !kind.capabilities().integers {
        return Err(Error::Usage(format!(
            "solver {kind} cannot handle integer variables, which mineral {} needs (min_order, fixed_cost or supplier/country counts); use one of: {}",
            model.minerals[block.mineral].name,
            SolverKind::all()
                .into_iter()
                .filter(|k| k.capabilities().integers)
                .map(|k| k.name())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    Ok(kind)
}
