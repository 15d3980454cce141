//! Soft rows (constraints.csv `penalty`, or `priority` under `--by-priority`): each
//! instance of a soft row gets a violation variable v ≥ 0, in points of the rule (see
//! [`crate::policy::Point`]), that moves its bound: `terms ≤ bound + size·v` for a cap,
//! `terms ≥ bound − size·v` for a minimum. v costs the row's penalty per point.

use crate::engine::lp::{Lp, Sense};
use crate::model::Model;
use crate::policy::rows::RowInstance;

/// The violation variable of one soft row instance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Elastic {
    /// Index into the block's instances.
    pub instance: usize,
    /// The violation variable (points of the rule).
    pub var: usize,
    /// One point in the bound's units.
    pub size: f64,
}

/// True when instance `inst` of `model` may be broken in this run.
pub fn is_elastic(model: &Model, inst: &RowInstance) -> bool {
    model
        .policy
        .get(inst.policy)
        .is_some_and(|r| r.soft.elastic())
}

/// Adds the violation variable of soft instance `k` (demand `d`, price unit
/// `cost_scale`) and its term to the row's `terms`.
pub fn add_violation(
    lp: &mut Lp,
    model: &Model,
    k: usize,
    inst: &RowInstance,
    d: f64,
    cost_scale: f64,
    terms: &mut Vec<(usize, f64)>,
) -> Elastic {
    let size = inst.kind.point().map_or(1.0, |p| p.size);
    let penalty = model.policy[inst.policy].soft.cost_per_point();
    let upper = match inst.lp_sense() {
        Sense::Ge => inst.bound / size,
        _ => f64::INFINITY,
    };
    let var = lp.add_var(0.0, upper, penalty / (d * cost_scale));
    let sign = match inst.lp_sense() {
        Sense::Ge => 1.0,
        _ => -1.0,
    };
    terms.push((var, sign * size));
    Elastic {
        instance: k,
        var,
        size,
    }
}
