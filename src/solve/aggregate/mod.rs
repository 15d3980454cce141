//! Exact country aggregation of continuous blocks, and the retry of a block with another
//! backend when one fails.
//!
//! In a continuous block all offers of one country have the same coefficient in every
//! row (see [`groups`]), so an optimal plan buys each country's quantity cheapest first
//! and the block is a problem over one quantity per country with a convex
//! piecewise-linear cost. It is solved in two stages:
//!
//! 1. an outer approximation over the country quantities ([`master`]) guesses them in a
//!    few tiny solves (and proves infeasibility when there is no plan);
//! 2. the block itself restricted to a window of offers around each guessed marginal
//!    offer ([`window`]) is solved with the block's backend, the windows growing until no
//!    quantity sits on a window edge and no fixed offer prices out. Its optimum is then
//!    the block's, and its row duals are the block's duals.
//!
//! The plan is lifted back to every offer, each country filled cheapest first (ties in
//! file order), as an [`LpResult`] in the block's own variables, so the usual cleanup,
//! shadow prices and verification run on it unchanged.
//!
//! Where the offers cost nothing (the elastic program of an infeasible block,
//! `solve::diagnose`), each country's offers are merged into one variable ([`merge`]);
//! that program also settles a block whose first guess the cone solver cannot.
//!
//! Blocks with integer rules (`min_order`, `fixed_cost`, counts) are not aggregated: a
//! binary per offer breaks the parallel columns (an offer's "used" variable has a column
//! of its own), and an exact aggregation would need per-country cost curves with fixed
//! charges (a MILP over segments), which is future work.

mod backend;
mod groups;
mod master;
mod merge;
mod norms;
mod window;

use std::borrow::Cow;

use crate::engine::{route, FailureReason, LpResult, LpStatus, SolverKind};
use crate::formulate::Block;
use crate::model::Model;
use crate::solve::{Deadline, SolveOptions};
use backend::{solve_problem, Problem};
use groups::Groups;
use master::Guess;
pub(crate) use master::{CountryModel, Outcome};
pub(crate) use merge::merge_offers;

/// Most restricted solves before the windows are opened to the whole block.
const MAX_ROUNDS: usize = 40;

/// When no country has more offers than this, every offer is free from the start (no
/// guess): the restricted problem is then as small as the guess's.
const SMALL_GROUP: usize = 32;

/// Under `auto`, continuous blocks with fewer offers than this are solved as the full LP:
/// the aggregation's fixed cost (guess, windows, lifting) does not pay for itself there.
/// Measured on generated models with the benchmark policy (one thread, sum of the
/// blocks' solve times, median of 7 alternating pairs, aggregated/full): 500 offers a
/// block 1.45, 1,000 1.17 (10 minerals) and 1.27 (1 mineral), 1,500 0.97, 2,000 0.87
/// and 0.81, 3,000 0.73 and 0.57.
pub const AGGREGATE_MIN_OFFERS: usize = 1_500;

/// [`AGGREGATE_MIN_OFFERS`] for blocks with an HHI cap (the full block is then a cone
/// problem whose cost grows more slowly with size): aggregated/full 1.89 at 500 offers a
/// block, 1.44 at 1,000, 1.12 at 2,000, 0.73 at 3,000 (`max_hhi` 0.1, 5 pairs).
pub const AGGREGATE_MIN_OFFERS_HHI: usize = 2_500;

/// True when a continuous `block` is solved aggregated by country under `opts` (when it
/// has the structure): not with `no_aggregate`; with `aggregate_all` at any size; else
/// from [`AGGREGATE_MIN_OFFERS`] offers (or [`AGGREGATE_MIN_OFFERS_HHI`] under an HHI cap).
pub fn aggregates(block: &Block, opts: &SolveOptions) -> bool {
    !opts.no_aggregate && block.elastic.is_empty() && (opts.aggregate_all || large_enough(block))
}

/// True when `auto` aggregates `block` by its size ([`AGGREGATE_MIN_OFFERS`]).
fn large_enough(block: &Block) -> bool {
    let offers = block.offer_var.iter().flatten().count();
    let least = match block.concentration {
        Some(_) => AGGREGATE_MIN_OFFERS_HHI,
        None => AGGREGATE_MIN_OFFERS,
    };
    offers >= least
}

/// How a continuous block was solved.
#[derive(Debug, Clone)]
pub struct ContinuousSolve {
    /// The result in the block's variables and rows.
    pub result: LpResult,
    /// The backend that produced it (another one than asked for after a failure).
    pub solver: SolverKind,
    /// Rounds of HHI tangent cuts after the first solve.
    pub cut_rounds: usize,
    /// Remarks for the report (a retry with another backend).
    pub warnings: Vec<String>,
}

/// Solves a continuous block with `kind`: aggregated by country unless
/// `opts.no_aggregate`, the block is small ([`AGGREGATE_MIN_OFFERS`], unless
/// `opts.aggregate_all`) or it lacks the structure, the full block otherwise; on a
/// backend failure the block is solved again with the other backends of this build.
/// Returns `None` for a block this path does not handle (integer variables, rows that
/// cannot hold): the caller's general loop solves it.
pub fn solve_continuous_block(
    model: &Model,
    block: &Block,
    kind: SolverKind,
    opts: &SolveOptions,
    deadline: Deadline,
) -> Option<ContinuousSolve> {
    // Soft rows' violation variables move bounds this path reads as fixed.
    if block.lp.has_integers() || !block.empty_violations.is_empty() || !block.elastic.is_empty() {
        return None;
    }
    let groups = if aggregates(block, opts) {
        Groups::of(model, block).filter(|g| !g.groups.is_empty())
    } else {
        None
    };
    let attempt = |k: SolverKind| {
        let duals = k.capabilities().duals;
        let (r, rounds) = match &groups {
            Some(g) => aggregated(model, block, g, k, duals, deadline),
            None => full(block, k, duals, deadline),
        };
        (checked(block, r), rounds)
    };
    let (first, cut_rounds) = attempt(kind);
    let mut out = ContinuousSolve {
        result: first,
        solver: kind,
        cut_rounds,
        warnings: Vec::new(),
    };
    if route::worth_retrying(&out.result.status) {
        retry(model, block, kind, &mut out, attempt);
    }
    Some(out)
}

/// Solves again with each other backend of this build until one does not fail; the
/// warning names the mineral, the failed backend and the one used.
fn retry(
    model: &Model,
    block: &Block,
    kind: SolverKind,
    out: &mut ContinuousSolve,
    attempt: impl Fn(SolverKind) -> (LpResult, usize),
) {
    let why = match &out.result.status {
        LpStatus::Failed(FailureReason::Numerical, m) => format!("numerical trouble: {m}"),
        LpStatus::Failed(_, m) => m.clone(),
        LpStatus::Unbounded => "it reported the problem unbounded".into(),
        _ => return,
    };
    for other in route::fallbacks(kind) {
        let (r, rounds) = attempt(other);
        if !route::worth_retrying(&r.status) {
            out.warnings.push(format!(
                "{}: {kind} failed ({why}); the mineral was solved with {other} instead{}",
                model.minerals[block.mineral].name,
                if r.duals.is_none() {
                    ", which gives no shadow prices"
                } else {
                    ""
                }
            ));
            out.result = r;
            out.solver = other;
            out.cut_rounds = rounds;
            return;
        }
    }
}

use crate::tolerance::AGG_ROW_MISS as ROW_MISS;

/// `r`, or a numerical failure when its point misses a row or bound of the block by more
/// than [`ROW_MISS`] (a backend that claims an optimum it does not have).
fn checked(block: &Block, r: LpResult) -> LpResult {
    if !matches!(r.status, LpStatus::Optimal | LpStatus::Feasible) {
        return r;
    }
    let lp = &block.lp;
    let bounds = lp
        .vars
        .iter()
        .zip(&r.x)
        .map(|(v, &x)| (v.lower - x).max(x - v.upper))
        .fold(0.0, f64::max);
    let rows = (0..lp.rows.len())
        .map(|k| {
            let row = &lp.rows[k];
            let a = lp.activity(k, &r.x);
            match row.sense {
                crate::engine::lp::Sense::Le => a - row.rhs,
                crate::engine::lp::Sense::Ge => row.rhs - a,
                crate::engine::lp::Sense::Eq => (a - row.rhs).abs(),
            }
        })
        .fold(0.0, f64::max);
    let miss = bounds.max(rows);
    if miss > ROW_MISS || !miss.is_finite() {
        return LpResult {
            status: LpStatus::Failed(
                FailureReason::Numerical,
                format!("its plan misses a row or bound by {miss:.3e} of demand"),
            ),
            x: Vec::new(),
            duals: None,
        };
    }
    r
}

/// The full block, unaggregated.
fn full(block: &Block, kind: SolverKind, duals: bool, deadline: Deadline) -> (LpResult, usize) {
    let mut p = Problem {
        lp: Cow::Borrowed(&block.lp),
        caps: window::caps_of(block, |j| j),
    };
    let s = solve_problem(&mut p, kind, duals, deadline);
    (s.result, s.cut_rounds)
}

/// The aggregated solve: guess, then restricted solves with growing windows. A block
/// whose guess the cone solver cannot settle (it fails on a cap just below the least
/// value the block can reach) is decided by its least relaxation, an exact LP over the
/// offers merged by country: a block that needs one has no plan.
fn aggregated(
    model: &Model,
    block: &Block,
    groups: &Groups,
    kind: SolverKind,
    duals: bool,
    deadline: Deadline,
) -> (LpResult, usize) {
    let (max_cost, kappa) = cost_scale(block);
    let whole = || -> Vec<window::Window> {
        groups
            .groups
            .iter()
            .map(|g| window::Window { lo: 0, hi: g.len() })
            .collect()
    };
    // Small countries are solved whole: a guess would cost more than it saves.
    let mut windows = if groups.groups.iter().all(|g| g.len() <= SMALL_GROUP) {
        whole()
    } else {
        match master::guess(block, groups, kappa, deadline) {
            Guess::Infeasible => return (infeasible(), 0),
            Guess::Unknown if needs_relaxation(model, block, deadline) => return (infeasible(), 0),
            Guess::Quantities(q) => window::initial(groups, Some(&q)),
            Guess::Unknown => window::initial(groups, None),
        }
    };
    let mut rounds = 0;
    for round in 0.. {
        if round == MAX_ROUNDS {
            // Should not happen; the whole block is still exact.
            windows = whole();
        }
        let mut restricted = window::restrict(block, groups, &windows, kappa);
        let s = solve_problem(&mut restricted.problem, kind, duals, deadline);
        rounds += s.cut_rounds;
        match s.result.status {
            LpStatus::Optimal | LpStatus::Feasible => {}
            LpStatus::Infeasible if !window::all_full(groups, &windows) => {
                window::widen_all(groups, &mut windows);
                continue;
            }
            _ => return (s.result, rounds),
        }
        let lifted = restricted.lift(groups, &s.result, kappa);
        let q = restricted.quantities(groups, &s.result.x);
        let done = round >= MAX_ROUNDS
            || s.result.status == LpStatus::Feasible
            || !window::grow(groups, &mut windows, &q, lifted.duals.as_deref(), max_cost);
        if done {
            return (lifted, rounds);
        }
    }
    unreachable!("the loop returns")
}

/// True when the least relaxation of `block` (merged by country) moves some row, which
/// proves the block has no plan: its tangent cuts make the program a relaxation, so its
/// optimum is at most the true least relaxation's.
pub(crate) fn needs_relaxation(model: &Model, block: &Block, deadline: Deadline) -> bool {
    let found = crate::solve::diagnose::least_relaxation(model, block, true, deadline.remaining());
    found.is_some_and(|r| !r.is_empty())
}

fn infeasible() -> LpResult {
    LpResult {
        status: LpStatus::Infeasible,
        x: Vec::new(),
        duals: None,
    }
}

/// The block's largest |cost|, and the factor that brings its costs to at most 1 in the
/// small problems (duals scale back), so one extreme cost in the block cannot make them
/// ill-conditioned.
fn cost_scale(block: &Block) -> (f64, f64) {
    let max_cost = block
        .lp
        .vars
        .iter()
        .map(|v| v.cost.abs())
        .fold(0.0, f64::max);
    let kappa = if max_cost > 0.0 { 1.0 / max_cost } else { 1.0 };
    (max_cost, kappa)
}
