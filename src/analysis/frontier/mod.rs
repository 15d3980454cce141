//! The cost–risk frontier (SPEC §3 `frontier`): the optimal cost as one policy row
//! `max_M,*,,b` is tightened from the measure of the current optimum down to the least
//! feasible bound.
//!
//! The least feasible bound is its own optimization: for each mineral, minimize the
//! measure under the policy (avg_risk: an LP or MILP; hhi and risk_hhi: convex, with
//! Clarabel's cones over the country quantities for continuous blocks and tangent cuts
//! for blocks with integer rules), and take the largest over minerals. Between it and the
//! current plan's measure, N evenly spaced bounds are solved. A mineral whose current plan
//! already meets a bound keeps that plan (it stays optimal when a row it satisfies is
//! added), so each point re-solves only the minerals the bound cuts; minerals run in
//! parallel.
//!
//! How a cut mineral is solved: a linear block without HHI caps warm in one simplex model
//! (`warm`) when `solve` would not aggregate it (below 1,500 offers), from scratch
//! otherwise; another continuous block (HHI caps, the added one included) over its
//! country quantities, exactly, one small cone problem per point (`countries`); blocks
//! with integer rules, `--solver NAME` and `no_aggregate` from scratch as `solve` would.

mod countries;
mod joined;
mod measure;
pub mod plot;
#[cfg(test)]
mod tests;
mod text;
mod warm;

use rayon::prelude::*;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::formulate::{formulate, Block, RowTag};
use crate::model::{MineralScope, Model, PolicyRow, Target};
use crate::plan::{plan, Plan};
use crate::solve::{solve, solve_block, Deadline, Solution, SolveOptions, SolverChoice, Status};
use std::num::NonZeroUsize;

use crate::values::Count;

pub(crate) use measure::least_measure;
pub use measure::Measure;
pub use text::render_text;

/// Most points a frontier may have (each is a full optimization).
pub const MAX_POINTS: u64 = 10_000;

/// A number of frontier points: both ends are points, so at least 2.
pub type Points = Count<2, MAX_POINTS>;

/// Default number of frontier points.
pub const DEFAULT_POINTS: Points = Points::literal(10);

pub(crate) use crate::tolerance::LEAST_BOUND_MARGIN;

/// Name of the frontier table.
pub const FRONTIER_CSV: &str = "frontier.csv";
/// Name of the frontier plot.
pub const FRONTIER_SVG: &str = "frontier.svg";

/// Options of `frontier`.
#[derive(Debug, Clone, PartialEq)]
pub struct FrontierOptions {
    /// The measure whose cap is moved.
    pub measure: Measure,
    /// Number of bounds, both ends included.
    pub points: Points,
    /// How each point is solved (solver, threads: points run on this many threads).
    pub solve: SolveOptions,
    /// The stage the measure is taken at (`frontier --stage`; `None`: the shipping
    /// country), by name as the model's suppliers.csv names it.
    pub stage: Option<String>,
}

impl FrontierOptions {
    /// The number of points, as a length.
    pub fn points(&self) -> usize {
        // At most MAX_POINTS, which every target's usize holds.
        self.points.get() as usize
    }
}

/// One point of the frontier.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FrontierPoint {
    /// 1 for the least feasible bound, up to N for the current plan's measure.
    pub point: usize,
    /// The bound b of `max_M,*,,b`.
    pub bound: f64,
    /// The optimal total cost under that bound.
    pub cost: f64,
    /// The largest measure over minerals in that point's plan (≤ bound).
    pub achieved: f64,
}

/// The least value of the measure one mineral can reach under its policy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeastMeasure {
    /// Mineral name.
    pub mineral: String,
    /// The least measure of a plan that obeys the policy.
    pub least: f64,
}

/// The whole frontier.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Frontier {
    /// The measure.
    pub measure: Measure,
    /// The points, by bound ascending (cost never rises along them).
    pub points: Vec<FrontierPoint>,
    /// The least feasible bound (before the margin), per mineral in model order.
    pub least_by_mineral: Vec<LeastMeasure>,
    /// Total cost of the model's own optimum (no added row).
    pub current_cost: f64,
    /// The largest measure over minerals of that optimum.
    pub current_measure: f64,
    /// The stage the measure is taken at, as the model names it (`frontier --stage`);
    /// `None` at the shipping country (then frontier.csv has no `stage` column and the
    /// JSON no `stage` field).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
}

impl Frontier {
    /// What a planner should know about this frontier: a current plan whose measure is
    /// already 0 makes every point that plan.
    pub fn warnings(&self) -> Vec<String> {
        if self.current_measure != 0.0 {
            return Vec::new();
        }
        vec![format!(
            "the {} of the current plan is already 0 (without countries.csv every risk is 0): every point of the frontier is the current plan",
            self.measure
        )]
    }
}

/// What [`frontier`] found.
#[derive(Debug, Clone, PartialEq)]
pub enum FrontierOutcome {
    /// The frontier of a model with a plan.
    Frontier(Frontier),
    /// The model itself has no plan: the plan of its solve (with the least relaxation of
    /// each infeasible mineral).
    NoPlan(Box<Plan>),
}

/// Computes the frontier of `model`, or, when the model itself has no plan, the plan of
/// its solve.
pub fn frontier(
    model: &Model,
    opts: &FrontierOptions,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<FrontierOutcome> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.solve.thread_count())
        .build()
        .map_err(|e| Error::Solver(format!("cannot start worker threads: {e}")))?;
    let deadline = Deadline::after(opts.solve.time_limit_secs());
    pool.install(|| {
        let current = solve(model, &opts.solve)?;
        if !matches!(current.status, Status::Optimal | Status::Feasible) {
            return Ok(FrontierOutcome::NoPlan(Box::new(plan(model, current))));
        }
        frontier_from(model, &current, opts, deadline, progress).map(FrontierOutcome::Frontier)
    })
}

/// The frontier from the model's own optimum `current` (in the current rayon pool); the
/// points solved from scratch share `deadline`.
fn frontier_from(
    model: &Model,
    current: &Solution,
    opts: &FrontierOptions,
    deadline: Deadline,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Frontier> {
    let measure = opts.measure;
    let stage = model.stages.by_flag("--stage", opts.stage.as_deref())?;
    let current_by_mineral: Vec<f64> = current
        .minerals
        .iter()
        .map(|ms| measure.of_plan_at(model, stage, ms.mineral, &ms.quantities))
        .collect();
    let extended = with_cap_at(model, measure, stage);
    let cap_policy = extended.policy.len() - 1;
    let blocks: Vec<Block> = (0..model.minerals.len())
        .into_par_iter()
        .map(|m| formulate(&extended, m))
        .collect::<Result<_>>()?;
    let least: Vec<f64> = blocks
        .par_iter()
        .map(|b| {
            let aggregate = !opts.solve.no_aggregate;
            least_measure(
                &extended,
                b,
                cap_policy,
                measure,
                opts.solve.solver,
                aggregate,
            )
        })
        .collect::<Result<_>>()?;
    let low = least.iter().copied().fold(0.0, f64::max) + LEAST_BOUND_MARGIN;
    let current_measure = current_by_mineral.iter().copied().fold(0.0, f64::max);
    let high = current_measure.max(low);
    let bounds = even_bounds(low, high, opts.points());
    // Minerals joined by bundles or lot discounts are solved part by part (`joined`).
    let joined = joined::joined_parts(model);
    let alone = |m: usize| !joined.iter().any(|p| p.contains(&m));
    // Per mineral, the points whose bound its current plan breaks.
    let tasks: Vec<Vec<(usize, f64)>> = current_by_mineral
        .iter()
        .enumerate()
        .map(|(m, &v)| {
            let cut = bounds
                .iter()
                .enumerate()
                .filter(|(_, &b)| v > b && alone(m));
            cut.map(|(i, &b)| (i, b)).collect()
        })
        .collect();
    let part_cut = |p: &Vec<usize>| {
        let cuts = |&b: &f64| p.iter().any(|&m| current_by_mineral[m] > b);
        bounds.iter().filter(|b| cuts(b)).count()
    };
    let total: usize =
        tasks.iter().map(Vec::len).sum::<usize>() + joined.iter().map(part_cut).sum::<usize>();
    let done = std::sync::atomic::AtomicUsize::new(0);
    progress(0, total);
    let tick = || {
        let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        progress(n, total);
    };
    let sequential = SolveOptions {
        threads: Some(NonZeroUsize::MIN),
        ..opts.solve.clone()
    };
    let solved: Vec<Vec<(f64, f64)>> = tasks
        .par_iter()
        .zip(&blocks)
        .zip(&current.minerals)
        .map(|((points, block), ms)| {
            let start = &ms.quantities[..];
            solve_mineral(
                &extended,
                block,
                cap_policy,
                points,
                start,
                (&sequential, deadline),
                &tick,
            )
        })
        .collect::<Result<_>>()?;
    let joined_points: Vec<joined::JoinedPoints> = joined
        .par_iter()
        .map(|part| {
            let current = &current_by_mineral;
            joined::solve_part(
                &extended,
                part,
                cap_policy,
                &bounds,
                current,
                &sequential,
                &tick,
            )
        })
        .collect::<Result<_>>()?;
    // Minerals a bound does not cut keep their current plan.
    let mut cost: Vec<Vec<f64>> =
        vec![current.minerals.iter().map(|ms| ms.cost).collect(); opts.points()];
    let mut achieved: Vec<Vec<f64>> = vec![current_by_mineral.clone(); opts.points()];
    for (m, (points, results)) in tasks.iter().zip(&solved).enumerate() {
        for (&(i, _), &(c, a)) in points.iter().zip(results) {
            cost[i][m] = c;
            achieved[i][m] = a;
        }
    }
    for (part, points) in joined.iter().zip(joined_points) {
        for (i, each) in points {
            for (&m, (c, a)) in part.iter().zip(each) {
                cost[i][m] = c;
                achieved[i][m] = a;
            }
        }
    }
    let points = bounds
        .iter()
        .enumerate()
        .map(|(i, &bound)| FrontierPoint {
            point: i + 1,
            bound,
            cost: cost[i].iter().sum(),
            achieved: achieved[i].iter().copied().fold(0.0, f64::max),
        })
        .collect();
    Ok(Frontier {
        measure,
        points,
        least_by_mineral: model
            .minerals
            .iter()
            .zip(&least)
            .map(|(mi, &least)| LeastMeasure {
                mineral: mi.name.to_string(),
                least,
            })
            .collect(),
        current_cost: current.cost(),
        current_measure,
        stage: stage.map(|s| model.stages.label(Some(s)).to_string()),
    })
}

/// `n` ≥ 2 evenly spaced bounds from `low` to `high`, both ends exact.
fn even_bounds(low: f64, high: f64, n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| match i + 1 == n {
            true => high,
            false => low + (high - low) * (i as f64 / (n - 1) as f64),
        })
        .collect()
}

/// The stage of the appended cap (policy row `cap_policy`).
pub(crate) fn cap_stage(model: &Model, cap_policy: usize) -> Option<usize> {
    match model.policy[cap_policy].stage {
        crate::model::StageScope::At(s) => Some(s),
        _ => None,
    }
}

/// `model` with the row `max_M,*,,b` appended (b loose: above any plan's measure).
#[cfg(test)]
pub(crate) fn with_cap(model: &Model, measure: Measure) -> Model {
    with_cap_at(model, measure, None)
}

/// `model` with the row `max_M,*,,b,S` appended at `stage` (`None`: the shipping
/// country).
pub(crate) fn with_cap_at(model: &Model, measure: Measure, stage: Option<usize>) -> Model {
    let mut extended = model.clone();
    extended.policy.push(PolicyRow {
        kind: measure.kind(),
        mineral: MineralScope::Each,
        target: Target::None,
        bound: measure.loose_bound(model),
        line: 0,
        soft: crate::model::Soft::default(),
        stage: stage.map_or(
            crate::model::StageScope::Shipping,
            crate::model::StageScope::At,
        ),
    });
    extended
}

/// Sets the bound of the appended cap (policy row `cap_policy`) in a block to `b`.
pub(crate) fn set_cap(block: &mut Block, cap_policy: usize, b: f64) {
    let Some(k) = block.instances.iter().position(|i| i.policy == cap_policy) else {
        return;
    };
    block.instances[k].bound = b;
    if let Some(r) = block
        .lp
        .rows
        .iter()
        .position(|r| r.tag == RowTag::Policy(k))
    {
        block.lp.rows[r].rhs = b;
    }
}

/// Solves one mineral at each of `points` (point index, bound): (cost, measure). With
/// the `auto` solver a linear block without HHI caps that `solve` would not aggregate is
/// solved warm (see [`warm`]), and another continuous block with HHI caps over its
/// country quantities (see [`countries`]; not with `no_aggregate`); points those do not
/// settle, and every point of the other blocks, are solved from scratch (in parallel) as
/// `solve` would, by `deadline`. `start` is the mineral's plan in the model's own optimum.
fn solve_mineral(
    model: &Model,
    block: &Block,
    cap_policy: usize,
    points: &[(usize, f64)],
    start: &[f64],
    (opts, deadline): (&SolveOptions, Deadline),
    tick: &(dyn Fn() + Sync),
) -> Result<Vec<(f64, f64)>> {
    let continuous = !block.lp.has_integers();
    let warm = if opts.solver != SolverChoice::Auto || points.is_empty() || !continuous {
        vec![None; points.len()]
    } else if block.concentration.is_none() {
        // A block `solve` aggregates is solved per point as `solve` does: the warm
        // simplex model holds every offer, and its first solve alone ran for minutes on a
        // 100k-offer block.
        match crate::solve::aggregate::aggregates(block, opts) {
            false => warm::solve_points(model, block, cap_policy, points, deadline, tick),
            true => vec![None; points.len()],
        }
    } else if !opts.no_aggregate {
        countries::solve_points(model, block, cap_policy, points, start, deadline, tick)
    } else {
        vec![None; points.len()]
    };
    points
        .par_iter()
        .zip(warm)
        .map(|(&(_, b), w)| match w {
            Some(r) => Ok(r),
            None => {
                let r = solve_at(model, block, cap_policy, b, opts, deadline);
                tick();
                r
            }
        })
        .collect()
}

/// Solves one mineral with the cap at `b` from scratch by `deadline`: (cost, measure of
/// the plan). A point the deadline stops is an error: a frontier of plans not proven
/// optimal could rise as the bound loosens.
fn solve_at(
    model: &Model,
    template: &Block,
    cap_policy: usize,
    b: f64,
    opts: &SolveOptions,
    deadline: Deadline,
) -> Result<(f64, f64)> {
    if deadline.expired() {
        return Err(Error::Solver(format!(
            "{}: the time limit (or a stop request) ended the frontier before the point {} ≤ {b}; the frontier is not written",
            model.minerals[template.mineral].name,
            model.policy[cap_policy].kind.name(),
        )));
    }
    let mut block = template.clone();
    set_cap(&mut block, cap_policy, b);
    let kind = opts
        .solver
        .backend(block.lp.has_integers(), block.concentration.is_some());
    let m = block.mineral;
    let ms = solve_block(model, block, kind, opts, deadline, 0.0);
    if !ms.has_plan() || ms.status == Status::Feasible {
        return Err(Error::Solver(format!(
            "{}: the solve with {} ≤ {b} ended {} ({}); the frontier is not written",
            model.minerals[m].name,
            model.policy[cap_policy].kind.name(),
            ms.status.name(),
            match &ms.status {
                Status::Failed { message, .. } => message.clone(),
                Status::LimitNoSolution { limit } => limit.to_string(),
                Status::Feasible => "the time limit stopped it before its optimum".to_string(),
                _ => "the bound is at least the least feasible one".to_string(),
            }
        )));
    }
    let measure = Measure::from_kind(model.policy[cap_policy].kind)
        .expect("the frontier moves a measure cap");
    let stage = cap_stage(model, cap_policy);
    Ok((ms.cost, measure.of_plan_at(model, stage, m, &ms.quantities)))
}
