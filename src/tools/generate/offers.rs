//! The offers of one mineral and their repair: when the supplier and country caps leave too
//! little capacity (or too little in `ALLY` countries), offers move to allies and, if that is
//! not enough, the first few become anchors that meet every share row alone.

use super::countries::Country;
use super::plan::{bp, Plan, ALLY_SHARE_BP};
use super::round_to;
use crate::rng::{self, Rng};

/// Offer capacities are integers uniform in `CAPACITY_MIN..=CAPACITY_MAX`.
const CAPACITY_MIN: u64 = 500;
const CAPACITY_MAX: u64 = 5500;
/// The `ALLY` capacity usable under the caps, as a share of demand in basis points, below
/// which a mineral is repaired.
const ALLY_REPAIR_BP: u64 = 5000;

/// One offer as written to suppliers.csv.
#[derive(Debug, Clone, Copy)]
pub(super) struct Offer {
    pub(super) country: u16,
    /// Rounded to 2 decimals, as written.
    pub(super) unit_cost: f64,
    /// An integer.
    pub(super) capacity: f64,
    /// Rounded to 2 decimals, as written.
    pub(super) freight: f64,
}

/// Per-country capacity of one mineral usable under the supplier and country caps.
pub(super) struct Usable {
    pub(super) per_country: Vec<f64>,
    total: f64,
    allies: f64,
}

/// The capacity of `offers` usable under the supplier and country caps.
fn usable(offers: &[Offer], countries: &[Country], supplier_cap: f64, country_cap: f64) -> Usable {
    let mut per_country = vec![0.0; countries.len()];
    for o in offers {
        per_country[o.country as usize] += o.capacity.min(supplier_cap);
    }
    let (mut total, mut allies) = (0.0, 0.0);
    for (c, q) in per_country.iter_mut().enumerate() {
        *q = q.min(country_cap);
        total += *q;
        if countries[c].ally {
            allies += *q;
        }
    }
    Usable {
        per_country,
        total,
        allies,
    }
}

/// Draws the offers of mineral `m` into `offers` (cleared first). `ranking` (one entry per
/// country) is scratch space for the mineral's producer ranking.
pub(super) fn draw_offers(
    offers: &mut Vec<Offer>,
    ranking: &mut [u16],
    seed: u64,
    plan: &Plan,
    m: usize,
) {
    let mut rng = Rng::derive(seed, 1 + m as u64);
    // This mineral's producer ranking: ranking[rank] is a country.
    ranking
        .iter_mut()
        .enumerate()
        .for_each(|(i, r)| *r = i as u16);
    rng.shuffle(ranking);

    offers.clear();
    for _ in 0..plan.counts[m] {
        let rank = plan.draw_rank(&mut rng);
        let z = rng.normal().clamp(-4.0, 4.0);
        // The biggest producers are somewhat cheaper (scale, state support).
        let log_cost = 0.3 * z - 0.25 / (rank + 1) as f64;
        let unit_cost = round_to(100.0 * rng::exp(log_cost), 2).max(0.01);
        let capacity = (CAPACITY_MIN + rng.below(CAPACITY_MAX - CAPACITY_MIN + 1)) as f64;
        let freight = round_to(rng.range_f64(0.0, 5.0), 2);
        offers.push(Offer {
            country: ranking[rank],
            unit_cost,
            capacity,
            freight,
        });
    }
}

/// Repairs mineral `m` if the supplier and country caps leave less than its demand, or less
/// than half of it in allied countries: first [`move_to_allies`], then, if the caps still
/// leave less than the demand or less than the minimum ally share, [`place_anchors`].
/// Returns the capacity usable under the caps afterwards.
pub(super) fn repair(
    offers: &mut [Offer],
    countries: &[Country],
    plan: &Plan,
    m: usize,
    supplier_cap: f64,
    country_cap: f64,
) -> Usable {
    let demand = plan.demand(m) as f64;
    let mut u = usable(offers, countries, supplier_cap, country_cap);
    if u.total < demand || u.allies < bp(ALLY_REPAIR_BP) * demand {
        move_to_allies(offers, countries, plan, m, supplier_cap, country_cap);
        u = usable(offers, countries, supplier_cap, country_cap);
        if u.total < demand || u.allies < bp(ALLY_SHARE_BP) * demand {
            place_anchors(offers, plan, m);
            u = usable(offers, countries, supplier_cap, country_cap);
        }
    }
    debug_assert!(
        u.total >= demand,
        "mineral {m}: usable {} < {demand}",
        u.total
    );
    debug_assert!(u.allies >= bp(ALLY_SHARE_BP) * demand);
    u
}

/// The gentle repair of mineral `m`: moves offers from non-allied countries, in index order,
/// to the allies (in turn, starting at a mineral-dependent one) until the capacity usable
/// under the caps covers the demand and the allies' usable capacity half of it, or every
/// offer has been considered.
fn move_to_allies(
    offers: &mut [Offer],
    countries: &[Country],
    plan: &Plan,
    m: usize,
    supplier_cap: f64,
    country_cap: f64,
) {
    let allies = &plan.allies_then_others[..plan.ally_count];
    if allies.is_empty() {
        return;
    }
    let demand = plan.demand(m) as f64;
    let ally_goal = bp(ALLY_REPAIR_BP) * demand;
    let mut raw = vec![0.0; countries.len()];
    for o in offers.iter() {
        raw[o.country as usize] += o.capacity.min(supplier_cap);
    }
    let (mut total, mut ally_total) = (0.0, 0.0);
    for (c, q) in raw.iter().enumerate() {
        total += q.min(country_cap);
        if countries[c].ally {
            ally_total += q.min(country_cap);
        }
    }
    let mut next = m % allies.len();
    for o in offers.iter_mut() {
        if total >= demand && ally_total >= ally_goal {
            break;
        }
        let from = o.country as usize;
        if countries[from].ally {
            continue;
        }
        let to = allies[next];
        next = (next + 1) % allies.len();
        let q = o.capacity.min(supplier_cap);
        let before = raw[from].min(country_cap) + raw[to].min(country_cap);
        let ally_before = raw[to].min(country_cap);
        raw[from] -= q;
        raw[to] += q;
        total += raw[from].min(country_cap) + raw[to].min(country_cap) - before;
        ally_total += raw[to].min(country_cap) - ally_before;
        o.country = to as u16;
    }
}

/// The sure repair of mineral `m`: moves its first `plan.anchors` offers to its anchor
/// countries (anchor j to country j mod k) and raises their capacity to at least the
/// supplier cap. Afterwards the anchors alone leave at least the demand under the caps, and
/// the allies among them at least the minimum ally share (see [`Plan::new`]).
fn place_anchors(offers: &mut [Offer], plan: &Plan, m: usize) {
    let anchor_countries = plan.anchor_countries(m);
    // ceil(supplier share · demand), in integer arithmetic.
    let min_capacity = (plan.supplier_bp * plan.demand(m)).div_ceil(10_000) as f64;
    for (j, o) in offers.iter_mut().take(plan.anchors).enumerate() {
        o.country = anchor_countries[j % anchor_countries.len()] as u16;
        o.capacity = o.capacity.max(min_capacity);
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::CAPACITY_MIN;
    use crate::tools::generate::generate;
    use crate::tools::generate::read_back::{assert_feasible, num, opts, parse};

    #[test]
    fn offers_name_known_countries_with_values_in_range() {
        let d = tempfile::tempdir().unwrap();
        generate(d.path(), &opts(4, 1003, 60, 1)).unwrap();
        let (_, countries) = parse(&d.path().join("countries.csv"));
        let codes: BTreeSet<&str> = countries.iter().map(|r| r[0].as_str()).collect();
        let (_, suppliers) = parse(&d.path().join("suppliers.csv"));
        // Offers: every country known, values in range.
        assert_eq!(suppliers.len(), 1003);
        for r in &suppliers {
            assert!(codes.contains(r[2].as_str()));
            assert!(num(&r[3]) > 0.0);
            let cap = num(&r[4]);
            assert!(cap >= CAPACITY_MIN as f64 && cap.fract() == 0.0);
            assert!((0.0..=5.0).contains(&num(&r[5])));
        }
    }

    #[test]
    fn country_draws_are_skewed_towards_a_few_producers() {
        let d = tempfile::tempdir().unwrap();
        generate(d.path(), &opts(1, 20_000, 60, 9)).unwrap();
        let (_, suppliers) = parse(&d.path().join("suppliers.csv"));
        let mut count: BTreeMap<String, usize> = BTreeMap::new();
        for r in &suppliers {
            *count.entry(r[2].clone()).or_default() += 1;
        }
        let mut counts: Vec<usize> = count.into_values().collect();
        counts.sort_unstable_by(|a, b| b.cmp(a));
        let top = counts[0] as f64 / 20_000.0;
        let top3 = counts[..3].iter().sum::<usize>() as f64 / 20_000.0;
        assert!((0.3..0.55).contains(&top), "top share {top}");
        assert!(top3 > 0.55, "top-3 share {top3}");
    }

    #[test]
    fn written_policy_is_always_feasible() {
        let d = tempfile::tempdir().unwrap();
        let mut cases = Vec::new();
        for countries in [1, 2, 3, 4, 5, 7, 60] {
            for per in [1, 2, 3, 4, 5, 6, 7, 9, 25] {
                for minerals in [1, 3] {
                    for seed in 0..3 {
                        cases.push((minerals, per * minerals + minerals / 2, countries, seed));
                    }
                }
            }
        }
        for (minerals, offers, countries, seed) in cases {
            let o = opts(minerals, offers, countries, seed);
            generate(d.path(), &o).unwrap();
            assert_feasible(d.path(), &format!("{o:?}"));
        }
    }
}
