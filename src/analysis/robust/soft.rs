//! Soft rows (constraints.csv `penalty`) in the robust program. A soft row's violation
//! is a first-stage decision paid once, not per scenario: the robust objective is
//! E\[L\] + W · CVaR_α(L) + P, P the soft rows' penalties (penalty × points past the
//! bound) — as `solve` adds them to its objective and leaves them out of the plan's cost,
//! the scenario losses (and so `stress`) leave them out.

use crate::formulate::is_elastic;
use crate::model::Model;
use crate::policy::rows::{MineralPlan, RowInstance};

use super::master::Skeleton;
use super::Problem;

/// Prices every block's violation variables in `sk` at their penalty per point (unit U).
pub(super) fn price_violations(sk: &mut Skeleton, p: &Problem) {
    for (m, block) in p.blocks.iter().enumerate() {
        for e in &block.elastic {
            let inst = &block.instances[e.instance];
            let penalty = p.model.policy[inst.policy].soft.cost_per_point();
            sk.lp.vars[e.var + sk.offsets[m]].cost += penalty / p.unit;
        }
    }
}

/// P at `plan` (quantity per offer of the model): Σ over soft row instances (each
/// mineral's `instances`) of the penalty per point times the points past the bound.
pub(super) fn penalties(model: &Model, instances: &[Vec<RowInstance>], plan: &[f64]) -> f64 {
    let mut total = 0.0;
    for (m, mineral) in model.minerals.iter().enumerate() {
        let view = MineralPlan {
            model,
            mineral: m,
            quantities: &plan[mineral.offers.clone()],
        };
        for inst in instances[m].iter().filter(|i| is_elastic(model, i)) {
            let size = inst.kind.point().map_or(1.0, |pt| pt.size);
            let past = (-inst.slack(view.value(inst))).max(0.0);
            total += model.policy[inst.policy].soft.cost_per_point() * past / size;
        }
    }
    total
}
