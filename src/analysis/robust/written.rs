//! The robust plan as it is written: the optimizer's quantities with the same clean
//! numbers `solve` writes (a demand-balance residue closed, values on the demand's grid,
//! bounds met exactly; see [`crate::solve::clean`]). [`check_plan`] puts it in
//! [`RobustSolution::plan`] once it passes the plan checker, so the plan checked is the
//! plan reported and written.

use super::RobustSolution;
use crate::model::Model;
use crate::policy::rows::RowInstance;
use crate::solve::Status;
use crate::tolerance::DUST_SHARE;

/// Mineral `m`'s written quantities from the optimizer's `raw` (indexed within the
/// mineral). What the plan leaves of demand beyond the residue
/// [`crate::solve::clean::close_balance`] closes is its planned shortfall, unmet in every
/// scenario ([`unmet`]).
fn written_plan(model: &Model, m: usize, raw: &[f64], instances: &[RowInstance]) -> Vec<f64> {
    let d = model.minerals[m].demand;
    let mut x = raw.to_vec();
    let left = crate::solve::clean::close_balance(model, m, instances, &mut x, 0.0);
    let mut unmet = if left < DUST_SHARE * d { 0.0 } else { left };
    crate::solve::clean::clean_plan(model, m, instances, &mut x, &mut unmet);
    x
}

/// The unmet demand of mineral `m`'s written quantities `x`: what they leave of demand
/// (exact on the grid; cleaning closes purchases plus unmet onto demand).
pub(super) fn unmet(model: &Model, m: usize, x: &[f64]) -> f64 {
    crate::solve::clean::grid_shortfall(x.iter().copied(), model.minerals[m].demand)
}

/// Puts the written plan of every mineral in `robust.plan`, each checked by the
/// independent plan checker; a plan that breaks a rule becomes a failure (nothing is
/// written).
pub(super) fn check_plan(model: &Model, robust: &mut RobustSolution) {
    if !matches!(robust.status, Status::Optimal | Status::Feasible) {
        return;
    }
    for (m, mineral) in model.minerals.iter().enumerate() {
        let instances = crate::policy::rows::expand(model, m);
        let x = written_plan(model, m, &robust.plan[mineral.offers.clone()], &instances);
        let unmet = unmet(model, m, &x);
        if let Err(why) = super::stock::verify(model, m, &x, unmet, &instances) {
            robust.status = Status::Failed {
                reason: crate::engine::FailureReason::InvalidPlan,
                message: format!(
                    "the robust plan for {} does not satisfy the model ({why}); no plan is written",
                    mineral.name
                ),
            };
            return;
        }
        robust.plan[mineral.offers.clone()].copy_from_slice(&x);
    }
}
