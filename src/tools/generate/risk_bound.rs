//! The `max_avg_risk` bound of a mineral lies between two greedy fills: the least average
//! risk the caps allow and the average risk of the cheapest fill.

use super::countries::Country;
use super::offers::{Offer, Usable};
use super::plan::{bp, ALLY_SHARE_BP};

/// Average risk of a feasible plan built greedily from per-country usable capacity: allies,
/// safest first, up to the minimum ally share; then all countries, safest first, up to the
/// demand.
pub(super) fn least_risk_fill(u: &Usable, countries: &[Country], demand: f64) -> f64 {
    let mut by_risk: Vec<usize> = (0..countries.len()).collect();
    by_risk.sort_by(|&a, &b| {
        countries[a]
            .risk
            .total_cmp(&countries[b].risk)
            .then(a.cmp(&b))
    });
    let mut taken = vec![0.0; countries.len()];
    let mut got = 0.0;
    let ally_need = bp(ALLY_SHARE_BP) * demand;
    for &c in by_risk.iter().filter(|&&c| countries[c].ally) {
        if got >= ally_need {
            break;
        }
        let q = u.per_country[c].min(ally_need - got);
        taken[c] = q;
        got += q;
    }
    for &c in &by_risk {
        if got >= demand {
            break;
        }
        let q = (u.per_country[c] - taken[c]).min(demand - got).max(0.0);
        taken[c] += q;
        got += q;
    }
    taken
        .iter()
        .zip(countries)
        .map(|(q, c)| q * c.risk)
        .sum::<f64>()
        / demand
}

/// Average risk of the cheapest fill (by landed cost) under the supplier and country caps.
pub(super) fn cheapest_fill_risk(
    offers: &[Offer],
    order: &mut Vec<u32>,
    countries: &[Country],
    demand: f64,
    supplier_cap: f64,
    country_cap: f64,
) -> f64 {
    let landed: Vec<f64> = offers
        .iter()
        .map(|o| o.unit_cost * (1.0 + countries[o.country as usize].tariff) + o.freight)
        .collect();
    order.clear();
    order.extend(0..offers.len() as u32);
    order.sort_unstable_by(|&a, &b| {
        landed[a as usize]
            .total_cmp(&landed[b as usize])
            .then(a.cmp(&b))
    });
    let mut room = vec![country_cap; countries.len()];
    let (mut got, mut risk) = (0.0, 0.0);
    for &i in order.iter() {
        if got >= demand {
            break;
        }
        let o = &offers[i as usize];
        let c = o.country as usize;
        let q = o.capacity.min(supplier_cap).min(room[c]).min(demand - got);
        if q > 0.0 {
            room[c] -= q;
            got += q;
            risk += q * countries[c].risk;
        }
    }
    risk / demand
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use crate::tools::generate::generate;
    use crate::tools::generate::read_back::{assert_feasible, load, num, opts};

    #[test]
    fn large_models_are_feasible_and_risk_bound_binds_somewhere() {
        let d = tempfile::tempdir().unwrap();
        generate(d.path(), &opts(3, 3000, 60, 21)).unwrap();
        assert_feasible(d.path(), "3x1000");
        // The cheapest fill under the share caps alone breaks the risk bound for some
        // mineral, so the bound matters.
        let (minerals, countries, rows) = load(d.path());
        let b = num(&rows[3][3]);
        let any_binding = minerals.values().any(|(offers, d)| {
            let mut sorted: Vec<_> = offers.iter().collect();
            sorted.sort_by(|x, y| x.3.total_cmp(&y.3));
            let (mut got, mut risk) = (0.0, 0.0);
            let mut room: BTreeMap<&str, f64> = BTreeMap::new();
            for o in sorted {
                let r = room.entry(o.1.as_str()).or_insert(0.4 * d);
                let q = o.2.min(0.2 * d).min(*r).min(d - got);
                *r -= q;
                got += q;
                risk += q * countries[&o.1].0;
            }
            risk / d > b
        });
        assert!(any_binding, "max_avg_risk {b} never binds");
    }
}
