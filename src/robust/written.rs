//! The robust plan as it is written: the optimizer's quantities with the same clean
//! numbers `solve` writes (a demand-balance residue closed, values on the demand's grid,
//! bounds met exactly; see [`crate::clean`]). The plan checker and the report both take
//! the plan from here, so the plan checked is the plan written.

use crate::model::Model;
use crate::rows::RowInstance;
use crate::tolerance::{BALANCE_REPAIR, DUST_SHARE};

/// Mineral `m`'s written plan from the optimizer's quantities `raw` (indexed within the
/// mineral): (quantities, unmet demand).
pub(super) fn written_plan(
    model: &Model,
    m: usize,
    raw: &[f64],
    instances: &[RowInstance],
) -> (Vec<f64>, f64) {
    let mut x = raw.to_vec();
    let mut unmet = close_balance(model, m, &mut x);
    crate::clean::clean_plan(model, m, instances, &mut x, &mut unmet);
    let checks = |x: &[f64], unmet: f64| {
        crate::verify::verify_mineral(model, m, x, unmet, instances).is_ok()
    };
    if !checks(&x, unmet) {
        // Cleaning can tip a share row the optimizer's plan meets (10,000 × 3 × 100: an
        // ALLY share 1.7e-7 under its bound after the quantities were put on the
        // demand's grid). Then the plan is written as the optimizer left it, its
        // shortfall (bought spot in the robust program) as unmet demand.
        let raw_unmet = (model.minerals[m].demand - raw.iter().sum::<f64>()).max(0.0);
        if checks(raw, raw_unmet) {
            return (raw.to_vec(), raw_unmet);
        }
    }
    (x, unmet)
}

/// The unmet demand of plan `x`. A residue of at most [`BALANCE_REPAIR`]·D between
/// demand and the plan (solver accuracy, not a decision: unmet demand costs its penalty)
/// goes to the bought offer with the most room, or comes from the largest one, as
/// `solve` does.
fn close_balance(model: &Model, m: usize, x: &mut [f64]) -> f64 {
    let d = model.minerals[m].demand;
    let gap = d - x.iter().sum::<f64>();
    if gap.abs() > BALANCE_REPAIR * d {
        return gap.max(0.0);
    }
    let offers = model.offers_of(m);
    let room = |k: usize| offers[k].capacity.map_or(f64::INFINITY, |c| c - x[k]);
    let best = if gap > 0.0 {
        (0..x.len())
            .filter(|&k| x[k] > 0.0 && room(k) >= gap)
            .max_by(|&a, &b| room(a).total_cmp(&room(b)).then(b.cmp(&a)))
    } else {
        (0..x.len())
            .filter(|&k| x[k] + gap >= DUST_SHARE * d)
            .max_by(|&a, &b| x[a].total_cmp(&x[b]).then(b.cmp(&a)))
    };
    match best {
        Some(k) => {
            x[k] += gap;
            0.0
        }
        None if gap < DUST_SHARE * d => 0.0,
        None => gap,
    }
}
