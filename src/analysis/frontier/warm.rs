//! Warm-started frontier points for a linear block: one simplex model per mineral, the
//! cap written Σ a·x − β ≤ 0 with β a variable, and each bound set by fixing β, from the
//! loosest bound to the tightest, so each point starts from the previous optimal basis
//! (a few dual simplex pivots instead of a solve from scratch). Only for blocks without
//! HHI caps: stated by tangent cuts, a cap would hold to 1e-8 only, and near the least
//! bound of a quadratic measure that moves the cost by more than the 1e-6 of SPEC §2;
//! those blocks are solved from scratch with Clarabel's exact cones.
//!
//! Every plan found is checked against the model ([`verify_mineral`]); a point that
//! fails the check, or that the warm model cannot solve, is left to the caller's cold
//! solve.

use microlp::{ComparisonOp, OptimizationDirection, Problem, Solution, Variable};

use crate::engine::lp::Sense;
use crate::formulate::{Block, RowTag};
use crate::model::Model;
use crate::solve::verify::verify_mineral;
use crate::solve::Deadline;

use super::Measure;

/// (cost, measure) at each bound of `bounds` (point index, bound; any order), `None`
/// where the warm model gave no checked plan. `block` is linear (no integers, no HHI
/// caps): otherwise every entry is `None`.
pub(super) fn solve_points(
    model: &Model,
    block: &Block,
    cap_policy: usize,
    bounds: &[(usize, f64)],
    deadline: Deadline,
    on_point: &(dyn Fn() + Sync),
) -> Vec<Option<(f64, f64)>> {
    let mut out = vec![None; bounds.len()];
    if block.lp.has_integers() || block.concentration.is_some() {
        return out;
    }
    let Some((mut sol, handles, beta, k)) = cold(block, cap_policy) else {
        return out;
    };
    let mut order: Vec<usize> = (0..bounds.len()).collect();
    order.sort_by(|&a, &b| bounds[b].1.total_cmp(&bounds[a].1).then(a.cmp(&b)));
    for &p in &order {
        if deadline.expired() {
            // The points left are the caller's, which reports the limit.
            return out;
        }
        let b = bounds[p].1;
        let next = sol
            .fix_var(beta, b)
            .ok()
            .and_then(|o| o.into_solution().ok());
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
    let (k, cap_row) = cap_row(block, cap_policy)?;
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

/// The plan at `x` (scaled), checked against the model with the cap at `b`:
/// (cost, measure), or `None` when it fails the check.
pub(super) fn checked_plan(
    model: &Model,
    block: &Block,
    k: usize,
    b: f64,
    x: &[f64],
) -> Option<(f64, f64)> {
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
        .map(|(o, &q)| o.purchase_cost(q))
        .sum::<f64>()
        + model.minerals[m].unmet_penalty.unwrap_or(0.0) * unmet
        + model.minerals[m].holding_cost(quantities.iter().sum());
    let measure = Measure::from_kind(instances[k].kind)?;
    let stage = instances[k].stage;
    Some((cost, measure.of_plan_at(model, stage, m, &quantities)))
}

/// (instance, LP row) of the appended cap in `block`.
pub(super) fn cap_row(block: &Block, cap_policy: usize) -> Option<(usize, usize)> {
    let k = block
        .instances
        .iter()
        .position(|i| i.policy == cap_policy)?;
    let r = block
        .lp
        .rows
        .iter()
        .position(|r| r.tag == RowTag::Policy(k))?;
    Some((k, r))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::frontier::with_cap;
    use crate::formulate::formulate;
    use crate::input::{parse_model, ModelFiles};

    /// A (AUS, risk 0.1, cost 20) and B (CHN, risk 0.9, cost 10), demand 100: at an
    /// average-risk cap b the optimum costs 2000 − 1250 (b − 0.1). Every point is settled
    /// warm (none is left to a cold solve).
    #[test]
    fn warm_points_follow_the_hand_solved_line() {
        let files = ModelFiles::from_memory(&[
            (
                "countries.csv",
                b"country,risk\nAUS,0.1\nCHN,0.9\n".as_slice(),
            ),
            (
                "suppliers.csv",
                b"supplier,mineral,country,unit_cost\nA,ga,AUS,20\nB,ga,CHN,10\n".as_slice(),
            ),
            ("demand.csv", b"mineral,quantity\nga,100\n".as_slice()),
        ]);
        let model = with_cap(&parse_model(&files).unwrap(), Measure::AvgRisk);
        let block = formulate(&model, 0).unwrap();
        let cap = model.policy.len() - 1;
        let bounds = [(0, 0.1), (1, 0.5), (2, 0.3), (3, 0.85)];
        let out = solve_points(&model, &block, cap, &bounds, Deadline::after(None), &|| {});
        for (&(_, b), r) in bounds.iter().zip(out) {
            let (cost, measure) = r.expect("settled warm");
            assert!(
                (cost - (2000.0 - 1250.0 * (b - 0.1))).abs() < 1e-7,
                "{b}: {cost}"
            );
            assert!((measure - b).abs() < 1e-9, "{b}: {measure}");
        }
    }
}
