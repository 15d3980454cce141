//! Price tiers in the robust program. The chains price every offer at its landed cost
//! (its first bracket's for a tiered offer); a tiered offer's contract adds, per bracket
//! b, (l_b − l_0) · g_b on its segments, so a scenario that delivers a fraction δ of the
//! offer pays δ times its tiered cost — the average price paid on what arrives, as
//! `stress` charges it.

use crate::analysis::stress::delivery_factor;

use super::master::Skeleton;
use super::Problem;

/// The tier corrections of scenario `s` as (variable, coefficient) in unit U.
pub(super) fn tier_terms(sk: &Skeleton, p: &Problem, s: usize) -> Vec<(usize, f64)> {
    let mut terms = Vec::new();
    for (m, block) in p.blocks.iter().enumerate() {
        let start = p.model.minerals[m].offers.start;
        for t in &block.tiers {
            let i = start + t.offer;
            let a = p.shocked[s][m]
                .iter()
                .find(|&&k| p.classes.classes[k].offers.contains(&i))
                .map_or(1.0, |&k| delivery_factor(p.factors[s][k].0));
            let base = t.tiers.brackets[0].landed_cost;
            for (b, &g) in t.segments.iter().enumerate() {
                let extra = t.tiers.brackets[b].landed_cost - base;
                if extra != 0.0 {
                    terms.push((g + sk.offsets[m], a * extra * block.demand / p.unit));
                }
            }
        }
    }
    terms
}
