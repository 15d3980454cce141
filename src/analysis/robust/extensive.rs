//! The extensive form: one Rockafellar–Uryasev program over every scenario (a MILP with
//! integer rules). CVaR couples the minerals, so unlike `solve` this is one monolithic
//! program: the per-mineral policy blocks side by side, and per scenario s and mineral m
//! a recourse block — spot purchases y_is ≤ a_is cap_i − δ_is x_i for each offer that can
//! sell spot (not excluded, a_is > 0, spot price below the unmet penalty), unmet v_ms,
//! and the balance Σ δ_is x_i + Σ y_is + v_ms ≥ Σ x_i (the spot market replaces lost
//! deliveries only; the planned shortfall D_m − Σ x_i is in L_s, see [`super::master`])
//! — whose cost is θ_sm. HHI caps are cones when the model is continuous, rounds of
//! tangent cuts otherwise.

use std::collections::BTreeSet;

use crate::analysis::stress::delivery_factor;
use crate::engine::lp::Sense;
use crate::engine::{FailureReason, LpStatus};
use crate::solve::Status;

use super::master::{skeleton, Skeleton};
use super::{finish, Clock, Iteration, Method, Problem, RobustSolution, Stop};
use crate::tolerance::MAX_CUT_ROUNDS;

/// Adds the recourse block of every scenario and mineral to `sk`.
fn add_recourse(sk: &mut Skeleton, p: &Problem) {
    let rm = p.recourse();
    for s in 0..p.scenarios.len() {
        for (m, mineral) in p.model.minerals.iter().enumerate() {
            // Quantities are shares of demand.
            let d = mineral.demand;
            let penalty = mineral.unmet_penalty.unwrap_or(f64::INFINITY);
            let mut cost = vec![(sk.theta[s][m], 1.0)];
            let mut balance = Vec::new();
            for k in p.classes.by_mineral[m].clone() {
                let (a, pf) = p.factors[s][k];
                let class = &p.classes.classes[k];
                if class.offers.is_empty() {
                    continue;
                }
                let delivered = delivery_factor(a);
                if delivered < 1.0 {
                    // δ X_c on the left, X_c on the right.
                    let total = sk.prefix[&(k, class.offers.len())].quantity;
                    balance.push((total, delivered - 1.0));
                }
                if a <= 0.0 {
                    continue;
                }
                for &i in &class.offers {
                    let price = rm.spot_price(i, pf);
                    if price >= penalty {
                        continue;
                    }
                    let y = sk.lp.add_var(0.0, f64::INFINITY, 0.0);
                    cost.push((y, -price * d / p.unit));
                    balance.push((y, 1.0));
                    if let (Some(cap), Some(x)) = (p.model.offers[i].capacity, sk.offer_var(p, i)) {
                        sk.row(vec![(y, 1.0), (x, delivered)], Sense::Le, a * cap / d);
                    }
                }
            }
            super::stock::add_drawdown(sk, p, m, &mut cost, &mut balance);
            if penalty.is_finite() {
                let v = sk.lp.add_var(0.0, f64::INFINITY, 0.0);
                cost.push((v, -penalty * d / p.unit));
                balance.push((v, 1.0));
            }
            sk.row(balance, Sense::Ge, 0.0);
            sk.row(cost, Sense::Ge, 0.0);
        }
    }
}

/// Solves the extensive form; `incumbent` (the nominal plan) is returned if a limit
/// stops the solver with nothing better.
pub fn solve(p: &mut Problem, incumbent: Vec<f64>, clock: &Clock) -> RobustSolution {
    let mut rounds = 0;
    loop {
        let mut sk = skeleton(p, &BTreeSet::new());
        add_recourse(&mut sk, p);
        let result = p.solve_program(&sk.lp, &sk.is_cut, &sk.epigraphs, clock, false, false);
        let feasible = matches!(result.status, LpStatus::Optimal | LpStatus::Feasible);
        if feasible && p.add_hhi_cuts(&sk.offsets, &result.x) > 0 {
            rounds += 1;
            if rounds <= MAX_CUT_ROUNDS && !clock.expired() {
                continue;
            }
            return failure(
                FailureReason::CutsStalled,
                format!(
                "the HHI caps were not met to within 1e-8 after {rounds} rounds of tangent cuts"
                ),
            );
        }
        let (candidate, stop) = match &result.status {
            LpStatus::Optimal => (Some(sk.plan(p, &result.x)), None),
            LpStatus::Feasible if clock.expired() => {
                (Some(sk.plan(p, &result.x)), Some(Stop::of_clock(clock)))
            }
            LpStatus::Feasible => (Some(sk.plan(p, &result.x)), Some(Stop::Iterations)),
            LpStatus::LimitNoSolution(limit) => (None, Some(Stop::of_limit(*limit, clock))),
            // The interior point ended short of its tolerances (it stalled, or lost
            // progress): the nominal plan, its numerics named, rather than no plan.
            LpStatus::Failed(FailureReason::Numerical, _) => (None, Some(Stop::Numerics)),
            other => {
                return failure(
                    FailureReason::Solver,
                    format!("the extensive form: {other:?}"),
                )
            }
        };
        let lower =
            (result.status == LpStatus::Optimal).then(|| sk.lp.objective(&result.x) * p.unit);
        let (mut objective, mut plan) = (p.evaluate(incumbent.clone()).0, incumbent);
        if let Some(x) = candidate {
            let mut value = p.evaluate(x.clone()).0;
            let mut x = x;
            if result.status == LpStatus::Optimal {
                let to_plan = |v: &[f64]| sk.plan(p, v);
                if let Some(better) =
                    p.polished(&sk.lp, &sk.epigraphs, &result.x, to_plan, value, clock)
                {
                    (value, x) = better;
                }
            }
            if value <= objective && p.feasible(&x) {
                (objective, plan) = (value, x);
            }
        }
        let iterations = vec![Iteration {
            iteration: 1,
            lower_bound: lower.unwrap_or(f64::NAN),
            upper_bound: objective,
            gap: lower.map_or(f64::NAN, |lb| super::relative_gap(objective, lb)),
            cuts: 0,
            columns: 0,
            secs: clock.elapsed(),
        }];
        return finish(
            Method::Extensive,
            plan,
            objective,
            lower,
            iterations,
            stop,
            clock,
        );
    }
}

fn failure(reason: FailureReason, message: String) -> RobustSolution {
    RobustSolution {
        method: Method::Extensive,
        status: Status::Failed { reason, message },
        plan: Vec::new(),
        objective: f64::NAN,
        lower_bound: None,
        gap: None,
        stopped_by: None,
        iterations: Vec::new(),
        engine: None,
    }
}
