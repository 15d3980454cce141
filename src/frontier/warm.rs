//! Warm-started frontier points for a linear block: one simplex model per mineral, the
//! cap written Σ a·x − β ≤ 0 with β a variable, and each bound set by fixing β, from the
//! loosest bound to the tightest, so each point starts from the previous optimal basis
//! (a few dual simplex pivots instead of a solve from scratch). HHI caps are stated by
//! tangent cuts added to the same model until every cap holds within the solve's own
//! tolerance; cuts stay valid for every later (tighter) point.
//!
//! Every plan found is checked against the model ([`verify_mineral`]); a point that
//! fails the check, or that the warm model cannot solve, is left to the caller's cold
//! solve.

use microlp::{ComparisonOp, OptimizationDirection, Problem, Solution, Variable};

use crate::formulate::{Block, RowTag};
use crate::lp::Sense;
use crate::model::Model;
use crate::verify::verify_mineral;

use super::Measure;

/// Largest violation of an HHI cap at which the cut loop stops (as in `solve`).
const CUT_TOLERANCE: f64 = 1e-8;

/// Most rounds of cuts at one point.
const MAX_CUT_ROUNDS: usize = 100;

/// (cost, measure) at each bound of `bounds` (point index, bound; any order), `None`
/// where the warm model gave no checked plan. `block` is continuous.
pub(super) fn solve_points(
    model: &Model,
    block: &Block,
    cap_policy: usize,
    bounds: &[(usize, f64)],
    on_point: &(dyn Fn() + Sync),
) -> Vec<Option<(f64, f64)>> {
    let mut out = vec![None; bounds.len()];
    let Some((mut sol, handles, beta, k)) = cold(block, cap_policy) else {
        return out;
    };
    let mut order: Vec<usize> = (0..bounds.len()).collect();
    order.sort_by(|&a, &b| bounds[b].1.total_cmp(&bounds[a].1).then(a.cmp(&b)));
    for &p in &order {
        let b = bounds[p].1;
        let next = sol
            .fix_var(beta, b)
            .ok()
            .and_then(|o| o.into_solution().ok())
            .and_then(|s| cut_until_caps_hold(s, block, &handles, k, b));
        let Some(next) = next else {
            // The warm model is gone: the caller solves the remaining points cold.
            return out;
        };
        sol = next;
        let x: Vec<f64> = handles.iter().map(|&h| sol.var_value(h)).collect();
        out[p] = checked_plan(model, block, k, b, &x);
        on_point();
    }
    out
}

/// The block's LP as a microlp model with the cap's bound as variable β, solved once.
/// Returns the solution, the variable handles, β and the cap's instance index.
fn cold(block: &Block, cap_policy: usize) -> Option<(Solution, Vec<Variable>, Variable, usize)> {
    let k = block
        .instances
        .iter()
        .position(|i| i.policy == cap_policy)?;
    let cap_row = block.tags.iter().position(|t| *t == RowTag::Policy(k))?;
    let mut p = Problem::new(OptimizationDirection::Minimize);
    let handles: Vec<Variable> = block
        .lp
        .vars
        .iter()
        .map(|v| p.add_var(v.cost, (v.lower, v.upper)))
        .collect();
    let beta = p.add_var(0.0, (0.0, block.lp.rows[cap_row].rhs.max(0.0)));
    for (r, row) in block.lp.rows.iter().enumerate() {
        let mut terms: Vec<(Variable, f64)> =
            row.terms.iter().map(|&(j, a)| (handles[j], a)).collect();
        let rhs = if r == cap_row {
            terms.push((beta, -1.0));
            0.0
        } else {
            row.rhs
        };
        let op = match row.sense {
            Sense::Le => ComparisonOp::Le,
            Sense::Ge => ComparisonOp::Ge,
            Sense::Eq => ComparisonOp::Eq,
        };
        p.add_constraint(terms, op, rhs);
    }
    let sol = p.solve().ok()?.into_solution().ok()?;
    Some((sol, handles, beta, k))
}

/// Adds tangent cuts t ≥ 2a·s − a² until every HHI cap of the block holds within
/// [`CUT_TOLERANCE`] (the frontier's cap, instance `k`, at bound `b`).
fn cut_until_caps_hold(
    mut sol: Solution,
    block: &Block,
    handles: &[Variable],
    k: usize,
    b: f64,
) -> Option<Solution> {
    let Some(c) = &block.concentration else {
        return Some(sol);
    };
    for _ in 0..MAX_CUT_ROUNDS {
        let x: Vec<f64> = handles.iter().map(|&h| sol.var_value(h)).collect();
        let violated = block.cap_values(&x).iter().any(|&(i, v)| {
            let bound = if i == k { b } else { block.instances[i].bound };
            v > bound + CUT_TOLERANCE
        });
        if !violated {
            return Some(sol);
        }
        let mut added = 0;
        for &(_, s, t) in &c.countries {
            let a = x[s];
            if a * a - x[t] > CUT_TOLERANCE / 100.0 {
                let terms = [(handles[t], 1.0), (handles[s], -2.0 * a)];
                sol = sol
                    .add_constraint(terms, ComparisonOp::Ge, -a * a)
                    .ok()?
                    .into_solution()
                    .ok()?;
                added += 1;
            }
        }
        if added == 0 {
            return None;
        }
    }
    None
}

/// The plan at `x` (scaled), checked against the model with the cap at `b`:
/// (cost, measure), or `None` when it fails the check.
fn checked_plan(model: &Model, block: &Block, k: usize, b: f64, x: &[f64]) -> Option<(f64, f64)> {
    let m = block.mineral;
    let d = block.demand;
    let quantities: Vec<f64> = block
        .offer_var
        .iter()
        .map(|v| v.map_or(0.0, |v| (x[v] * d).max(0.0)))
        .collect();
    let unmet = block.unmet_var.map_or(0.0, |u| (x[u] * d).max(0.0));
    let mut instances = block.instances.clone();
    instances[k].bound = b;
    verify_mineral(model, m, &quantities, unmet, &instances).ok()?;
    let offers = model.offers_of(m);
    let cost = offers
        .iter()
        .zip(&quantities)
        .map(|(o, &q)| o.landed_cost * q)
        .sum::<f64>()
        + model.minerals[m].unmet_penalty.unwrap_or(0.0) * unmet;
    let measure = Measure::from_kind(instances[k].kind);
    Some((cost, measure.of_plan(model, m, &quantities)))
}
