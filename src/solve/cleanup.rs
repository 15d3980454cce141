//! Cleaning a solver's answer into a plan: dust and bound overshoot removed without
//! moving country totals, quantities unscaled, a tiny demand-balance residue closed
//! ([`crate::solve::clean::close_balance`]).

use std::collections::BTreeMap;

use crate::formulate::Block;
use crate::model::Model;
use crate::tolerance::DUST_SHARE;

/// A block's plan in real units: quantity per offer (local index), unmet demand, cost.
pub(super) struct CleanPlan {
    pub quantities: Vec<f64>,
    pub unmet: f64,
    pub cost: f64,
}

/// The plan of `block` at the solver's point `x`, cleaned and unscaled.
pub(super) fn clean_plan(model: &Model, block: &Block, x: &[f64]) -> CleanPlan {
    let m = block.mineral;
    let n = model.minerals[m].offers.len();
    let d = block.demand;
    let mut scaled: Vec<f64> = (0..n)
        .map(|k| block.offer_var[k].map_or(0.0, |v| x[v]))
        .collect();
    consolidate_dust(model, block, &mut scaled);
    let unmet_scaled = block.unmet_var.map_or(0.0, |u| x[u].clamp(0.0, 1.0));
    let mut quantities: Vec<f64> = scaled.iter().map(|x| x * d).collect();
    let mut unmet = if unmet_scaled < DUST_SHARE {
        0.0
    } else {
        unmet_scaled * d
    };
    crate::solve::clean::close_balance(model, m, &block.instances, &mut quantities, unmet);
    crate::solve::clean::clean_plan(model, m, &block.instances, &mut quantities, &mut unmet);
    let mineral = &model.minerals[m];
    let cost = model
        .offers_of(m)
        .iter()
        .zip(&quantities)
        .map(|(o, &x)| o.purchase_cost(x) + if x > 0.0 { o.fixed_cost } else { 0.0 })
        .sum::<f64>()
        + mineral.unmet_penalty.unwrap_or(0.0) * unmet
        + mineral.holding_cost(quantities.iter().sum());
    CleanPlan {
        quantities,
        unmet,
        cost,
    }
}

/// Cleans solver residue without moving country totals: quantities below
/// [`DUST_SHARE`] (including tiny negatives) become zero and overshoots of a bound are
/// clipped, and the net amount this removes or adds in each country goes to (or comes
/// from) that country's used offers, largest room (or quantity) first. Demand balance and
/// every country-level row (country, group, risk, HHI) therefore stay as solved.
fn consolidate_dust(model: &Model, block: &Block, x: &mut [f64]) {
    let offers = model.offers_of(block.mineral);
    let upper = |k: usize| block.offer_var[k].map_or(0.0, |v| block.lp.vars[v].upper);
    let mut moved: BTreeMap<usize, f64> = BTreeMap::new();
    for (k, v) in x.iter_mut().enumerate() {
        let clean = if *v < DUST_SHARE {
            0.0
        } else {
            v.min(upper(k))
        };
        if clean != *v {
            *moved.entry(offers[k].country).or_default() += *v - clean;
            *v = clean;
        }
    }
    for (country, mut mass) in moved {
        let mut used: Vec<usize> = (0..x.len())
            .filter(|&k| offers[k].country == country && x[k] > 0.0)
            .collect();
        if mass > 0.0 {
            used.sort_by(|&a, &b| {
                (upper(b) - x[b])
                    .total_cmp(&(upper(a) - x[a]))
                    .then(a.cmp(&b))
            });
            for k in used {
                let add = mass.min(upper(k) - x[k]).max(0.0);
                x[k] += add;
                mass -= add;
                if mass <= 0.0 {
                    break;
                }
            }
        } else {
            used.sort_by(|&a, &b| x[b].total_cmp(&x[a]).then(a.cmp(&b)));
            for k in used {
                let take = (-mass).min(x[k] - DUST_SHARE).max(0.0);
                x[k] -= take;
                mass += take;
                if mass >= 0.0 {
                    break;
                }
            }
        }
    }
}
