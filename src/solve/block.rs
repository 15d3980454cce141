//! Solving one mineral's block, as a few named steps: optimize (cones or cuts), map the
//! backend's status, diagnose an infeasible block, clean the plan, value its rows and
//! price them, and check it independently.

use std::time::Instant;

use crate::engine::{solve_lp, BackendOptions, FailureReason, LpStatus, SolverChoice, SolverKind};
use crate::formulate::Block;
use crate::model::Model;
use crate::policy::rows::MineralPlan;
use crate::solve::diagnose::least_relaxation;
use crate::solve::verify::verify_mineral;

use super::cleanup::clean_plan;
use super::optimize::Optimized;
use super::shadow::shadow_prices;
use super::{Deadline, MineralSolution, RowResult, SolveOptions, Status};

/// Solves one block and turns the LP result into a mineral solution.
pub fn solve_block(
    model: &Model,
    mut block: Block,
    kind: SolverKind,
    opts: &SolveOptions,
    deadline: Deadline,
    build_secs: f64,
) -> MineralSolution {
    let t = Instant::now();
    let mut backend = BackendOptions {
        time_limit_secs: None,
        mip_gap: opts.mip_gap.get(),
        duals: kind.capabilities().duals && !block.lp.has_integers(),
    };
    let held_from = block.lp.rows.len();
    let held = super::lexicographic::hold_tiers(model, &mut block, kind, &mut backend, deadline);
    // Continuous blocks: aggregated by country, retried with another backend on failure.
    let continuous = match held {
        Some(_) => None,
        None => {
            crate::solve::aggregate::solve_continuous_block(model, &block, kind, opts, deadline)
        }
    };
    let (result, cut_rounds, kind, warnings) = match (continuous, held) {
        (Some(c), _) => (c.result, c.cut_rounds, c.solver, c.warnings),
        (None, Some(Optimized { result, cut_rounds })) => (result, cut_rounds, kind, Vec::new()),
        (None, None) => {
            let Optimized { result, cut_rounds } = super::lexicographic::optimize_held(
                &mut block,
                kind,
                &mut backend,
                deadline,
                held_from,
            );
            (result, cut_rounds, kind, Vec::new())
        }
    };
    let gap = (result.status == LpStatus::Feasible)
        .then(|| relaxation_gap(&block, &result.x, deadline.remaining()))
        .flatten();
    let mut out = MineralSolution {
        mineral: block.mineral,
        status: status_of(&result.status),
        quantities: Vec::new(),
        unmet: 0.0,
        cost: 0.0,
        rows: Vec::new(),
        relaxations: Vec::new(),
        instances: Vec::new(),
        solver: kind,
        build_secs,
        cut_rounds,
        gap,
        solve_secs: t.elapsed().as_secs_f64(),
        warnings,
        block_optimum: true,
        coupling: None,
    };
    if out.status == Status::Infeasible {
        let aggregate = crate::solve::aggregate::aggregates(&block, opts);
        out.relaxations =
            least_relaxation(model, &block, aggregate, deadline.remaining()).unwrap_or_default();
    }
    if !out.has_plan() {
        out.instances = block.instances;
        return out;
    }
    let plan = clean_plan(model, &block, &result.x);
    out.quantities = plan.quantities;
    out.unmet = plan.unmet;
    out.cost = plan.cost;
    let values = row_values(model, &block, &out.quantities);
    let shadow = match &result.duals {
        Some(duals) => shadow_prices(&block, &result.x, duals, &values),
        None => vec![None; block.instances.len()],
    };
    check_plan(model, &block, kind, &mut out);
    out.rows = block
        .instances
        .into_iter()
        .zip(values)
        .zip(shadow)
        .map(|((instance, value), shadow_price)| RowResult {
            value,
            instance,
            shadow_price,
        })
        .collect();
    out
}

/// The mineral's status for a backend's status.
fn status_of(status: &LpStatus) -> Status {
    match status {
        LpStatus::Optimal => Status::Optimal,
        LpStatus::Feasible => Status::Feasible,
        LpStatus::Infeasible => Status::Infeasible,
        LpStatus::Unbounded => Status::Failed {
            reason: FailureReason::Unbounded,
            message: "the solver reported the problem unbounded, which a model with non-negative costs cannot be".into(),
        },
        LpStatus::LimitNoSolution(limit) => Status::LimitNoSolution { limit: *limit },
        LpStatus::Failed(reason, message) => Status::Failed {
            reason: *reason,
            message: message.clone(),
        },
    }
}

/// Each instance's value on the plan (once: an HHI or count row scans the mineral).
fn row_values(model: &Model, block: &Block, quantities: &[f64]) -> Vec<f64> {
    let plan = MineralPlan {
        model,
        mineral: block.mineral,
        quantities,
    };
    block.instances.iter().map(|i| plan.value(i)).collect()
}

/// The independent check: a plan that breaks the model is never reported as a plan.
fn check_plan(model: &Model, block: &Block, kind: SolverKind, out: &mut MineralSolution) {
    let m = block.mineral;
    if let Err(message) = verify_mineral(model, m, &out.quantities, out.unmet, &block.instances) {
        out.status = Status::Failed {
            reason: FailureReason::InvalidPlan,
            message: format!(
                "the {kind} plan for {} does not satisfy the model ({message}); no plan is written",
                model.minerals[m].name
            ),
        };
    }
}

/// Upper bound on the relative gap of a limit-stopped plan: its objective against the
/// LP relaxation's.
fn relaxation_gap(block: &Block, x: &[f64], time_limit_secs: Option<f64>) -> Option<f64> {
    let mut relaxed = block.lp.clone();
    for v in &mut relaxed.vars {
        v.integer = false;
    }
    let r = solve_lp(
        SolverChoice::Auto.backend(false, false),
        &relaxed,
        &BackendOptions {
            time_limit_secs,
            mip_gap: 0.0,
            duals: false,
        },
    );
    if r.status != LpStatus::Optimal {
        return None;
    }
    let incumbent = block.lp.objective(x);
    let bound = relaxed.objective(&r.x);
    Some(((incumbent - bound) / incumbent.abs().max(1e-12)).max(0.0))
}
