//! The independent plan checker: every plan is re-checked against the model itself
//! (not the LP) before anything is written. Cheap, always on.

use crate::formulate::MIN_USED_SHARE;
use crate::model::Model;
use crate::policy::rows::{MineralPlan, RowInstance};
use crate::policy::Sense;
use crate::tolerance::FEASIBILITY;

/// Checks one mineral's plan; the error names the first rule it breaks.
pub fn verify_mineral(
    model: &Model,
    m: usize,
    quantities: &[f64],
    unmet: f64,
    instances: &[RowInstance],
) -> Result<(), String> {
    // A plan under a minimum stock builds what it buys above demand.
    let stocked = instances
        .iter()
        .any(|i| i.kind == crate::policy::MIN_STOCK_DAYS);
    let built = if stocked {
        model.minerals[m].stock_built(quantities.iter().sum())
    } else {
        0.0
    };
    verify_stocked(model, m, quantities, unmet, built, instances)
}

/// [`verify_mineral`] for a plan that also buys `built` above demand for its stock:
/// purchases plus unmet demand equal demand plus `built`.
pub fn verify_stocked(
    model: &Model,
    m: usize,
    quantities: &[f64],
    unmet: f64,
    built: f64,
    instances: &[RowInstance],
) -> Result<(), String> {
    let mineral = &model.minerals[m];
    let d = mineral.demand;
    let offers = model.offers_of(m);
    let counts = instances.iter().any(|i| i.kind.needs_binaries());
    if quantities.len() != offers.len() {
        return Err("plan and model disagree on the number of offers".into());
    }
    for (o, &x) in offers.iter().zip(quantities) {
        if !(x >= 0.0 && x.is_finite()) {
            return Err(format!("supplier {} gets {x}", o.supplier));
        }
        if let Some(cap) = o.capacity {
            if x > cap + FEASIBILITY * d {
                return Err(format!(
                    "supplier {} gets {x}, above its capacity {cap}",
                    o.supplier
                ));
            }
        }
        // SPEC §2: an offer with a binary, when used, supplies at least
        // max(min_order, 1e-6·D).
        let has_binary = counts || o.min_order > 0.0 || o.fixed_cost > 0.0;
        let least = o.min_order.max(MIN_USED_SHARE * d);
        if has_binary && x > 0.0 && x < least * (1.0 - FEASIBILITY) {
            return Err(format!(
                "supplier {} gets {x}, below its least used quantity {least} (max of min_order {} and 1e-6 of demand)",
                o.supplier, o.min_order
            ));
        }
    }
    if unmet < 0.0 || (mineral.unmet_penalty.is_none() && unmet > FEASIBILITY * d) {
        return Err(format!(
            "{unmet} of demand left unmet without an unmet_penalty"
        ));
    }
    let total: f64 = quantities.iter().sum::<f64>() + unmet;
    if (total - built - d).abs() > FEASIBILITY * d {
        return Err(format!(
            "purchases plus unmet demand are {total}, not the demand {d}"
        ));
    }
    let plan = MineralPlan {
        model,
        mineral: m,
        quantities,
    };
    // A soft row may be broken (at its penalty): nothing to check.
    for inst in instances
        .iter()
        .filter(|i| !crate::formulate::is_elastic(model, i))
    {
        let value = plan.value(inst);
        let tolerance = inst.kind.tolerance();
        let ok = match inst.kind.sense() {
            Sense::Excludes => value == 0.0,
            Sense::AtLeast => {
                value >= inst.bound - tolerance || (inst.kind.holds_at_zero() && value == 0.0)
            }
            Sense::AtMost => value <= inst.bound + tolerance,
        };
        if !ok {
            let row = &model.policy[inst.policy];
            return Err(format!(
                "constraints.csv:{}: {} {} is {value}, bound {}",
                row.line,
                inst.kind.name(),
                inst.target_label(model),
                inst.bound
            ));
        }
    }
    Ok(())
}
