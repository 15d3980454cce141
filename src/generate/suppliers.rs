//! suppliers.csv, mineral by mineral: draw the offers, repair the mineral if its caps need
//! it, write its rows and take its `max_avg_risk` target.

use std::io::{self, Write};

use super::countries::Country;
use super::offers::{
    move_to_allies, place_anchors, usable, Offer, ALLY_REPAIR_BP, CAPACITY_MAX, CAPACITY_MIN,
};
use super::plan::{bp, mineral_name, Plan, ALLY_SHARE_BP};
use super::risk_bound::{cheapest_fill_risk, least_risk_fill};
use super::{round_to, GenerateOptions};
use crate::rng::{self, Rng};

/// Writes suppliers.csv, mineral by mineral; returns the `max_avg_risk` bound (basis points).
pub(super) fn write_suppliers(
    w: &mut impl Write,
    opts: &GenerateOptions,
    countries: &[Country],
    plan: &Plan,
) -> io::Result<u64> {
    writeln!(w, "supplier,mineral,country,unit_cost,capacity,freight")?;
    let largest = plan.counts.iter().copied().max().unwrap_or(0);
    let mut offers: Vec<Offer> = Vec::with_capacity(largest);
    let mut order: Vec<u32> = Vec::with_capacity(largest);
    let mut ranking: Vec<u16> = (0..countries.len() as u16).collect();
    let mut risk_bound: f64 = 0.0;

    for (m, &n) in plan.counts.iter().enumerate() {
        let mut rng = Rng::derive(opts.seed, 1 + m as u64);
        // This mineral's producer ranking: ranking[rank] is a country.
        ranking
            .iter_mut()
            .enumerate()
            .for_each(|(i, r)| *r = i as u16);
        rng.shuffle(&mut ranking);

        offers.clear();
        for _ in 0..n {
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

        let demand = plan.demand(m) as f64;
        let supplier_cap = bp(plan.supplier_bp) * demand;
        let country_cap = bp(plan.country_bp) * demand;
        let mut u = usable(&offers, countries, supplier_cap, country_cap);
        if u.total < demand || u.allies < bp(ALLY_REPAIR_BP) * demand {
            move_to_allies(&mut offers, countries, plan, m, supplier_cap, country_cap);
            u = usable(&offers, countries, supplier_cap, country_cap);
            if u.total < demand || u.allies < bp(ALLY_SHARE_BP) * demand {
                place_anchors(&mut offers, plan, m);
                u = usable(&offers, countries, supplier_cap, country_cap);
            }
        }
        debug_assert!(
            u.total >= demand,
            "mineral {m}: usable {} < {demand}",
            u.total
        );
        debug_assert!(u.allies >= bp(ALLY_SHARE_BP) * demand);

        let mineral = mineral_name(m);
        for (i, o) in offers.iter().enumerate() {
            writeln!(
                w,
                "s{m:02}-{i:06},{mineral},{},{:.2},{},{:.2}",
                countries[o.country as usize].code(),
                o.unit_cost,
                o.capacity,
                o.freight
            )?;
        }

        let least = least_risk_fill(&u, countries, demand);
        let cheap = cheapest_fill_risk(
            &offers,
            &mut order,
            countries,
            demand,
            supplier_cap,
            country_cap,
        );
        let target = least + 0.5 * (cheap - least).max(0.0);
        risk_bound = risk_bound.max(target);
    }
    // Round up to whole basis points and add one for numerical slack.
    let risk_bp = ((risk_bound * 10_000.0).ceil() as u64 + 1).min(10_000);
    Ok(risk_bp)
}
