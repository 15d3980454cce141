//! Each expanded policy row on the plan as written: its value, slack, whether it binds,
//! and its shadow price (per unit of the bound and per point).

use crate::policy::rows::RowInstance;
use crate::solve::clean::round_index;
use crate::solve::RowResult;
use crate::tolerance::BINDING;

/// One expanded policy row on the plan (a line of constraints.csv). Its ids are in
/// `instance`: the policy row index, the mineral, the target.
#[derive(Debug, Clone, PartialEq)]
pub struct RowOutcome {
    /// The row.
    pub instance: RowInstance,
    /// Its left-hand side in the bound's units, as written: the bound itself when the
    /// row binds, else rounded to the precision the solve guarantees.
    pub value: f64,
    /// Distance to the bound on the allowed side (≥ 0; 0 when binding).
    pub slack: f64,
    /// True when the row is at its bound (within the solve's tolerance).
    pub binding: bool,
    /// d total cost / d bound, when known (from the solver, or from the fixed-binary LP
    /// for blocks whose solver gives none: see `plan::duals`).
    pub shadow_price: Option<f64>,
    /// `shadow_price` per point of the bound (see [`crate::policy::Kind::per_point`]).
    pub shadow_price_per_point: Option<f64>,
}

/// The outcome of each of `rows` (the solve's values and prices; `recovered`, when
/// given, replaces every shadow price, in the same order).
pub(super) fn outcomes(
    rows: Vec<RowResult>,
    recovered: Option<Vec<Option<f64>>>,
) -> Vec<RowOutcome> {
    rows.into_iter()
        .enumerate()
        .map(|(k, r)| {
            let shadow_price = recovered.as_ref().map_or(r.shadow_price, |s| s[k]);
            let inst = r.instance;
            let slack = inst.slack(r.value);
            // A row at its bound (within the solve's tolerance) is written at it: slack
            // 0, never negative; other values to the precision the solve guarantees.
            let binding = slack.abs() <= BINDING;
            let (value, slack) = if binding {
                (inst.bound, 0.0)
            } else {
                (round_index(r.value), round_index(slack).max(0.0))
            };
            RowOutcome {
                shadow_price_per_point: inst.kind.per_point(shadow_price),
                instance: inst,
                value,
                slack,
                binding,
                shadow_price,
            }
        })
        .collect()
}

/// How far `value` lies past `inst`'s bound, in points of the rule (0 when the row
/// holds; to the precision of written indices).
pub fn violation_points(inst: &RowInstance, value: f64) -> f64 {
    let size = inst.kind.point().map_or(1.0, |p| p.size);
    let past = (-inst.slack(value)).max(0.0);
    if past <= BINDING {
        return 0.0;
    }
    round_index(past / size)
}
