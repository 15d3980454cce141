//! suppliers.csv, mineral by mineral: draw the offers, repair the mineral if its caps need
//! it, write its rows and take its `max_avg_risk` target.

use std::io::{self, Write};

use super::countries::Country;
use super::offers::{draw_offers, repair, Offer};
use super::plan::{bp, mineral_name, Plan};
use super::risk_bound::{cheapest_fill_risk, least_risk_fill};
use super::GenerateOptions;

/// Writes suppliers.csv, mineral by mineral, and the rows of tiers.csv for a fraction
/// `tiered` of the offers into `tiers`; returns the `max_avg_risk` bound (basis points).
pub(super) fn write_suppliers(
    w: &mut impl Write,
    opts: &GenerateOptions,
    countries: &[Country],
    plan: &Plan,
    tiered: f64,
    tiers: &mut Vec<u8>,
) -> io::Result<u64> {
    writeln!(w, "supplier,mineral,country,unit_cost,capacity,freight")?;
    let largest = plan.counts.iter().copied().max().unwrap_or(0);
    let mut offers: Vec<Offer> = Vec::with_capacity(largest);
    let mut order: Vec<u32> = Vec::with_capacity(largest);
    let mut ranking: Vec<u16> = (0..countries.len() as u16).collect();
    let mut risk_bound: f64 = 0.0;

    for m in 0..plan.counts.len() {
        draw_offers(&mut offers, &mut ranking, opts.seed, plan, m);
        let demand = plan.demand(m) as f64;
        let supplier_cap = bp(plan.supplier_bp) * demand;
        let country_cap = bp(plan.country_bp) * demand;
        let u = repair(&mut offers, countries, plan, m, supplier_cap, country_cap);
        write_rows(w, m, &offers, countries)?;
        if tiered > 0.0 {
            super::tiers::write_tier_rows(tiers, m, &offers, tiered)?;
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

/// Writes the rows of mineral `m`: offer `i` is supplier `s{m:02}-{i:06}`.
fn write_rows(
    w: &mut impl Write,
    m: usize,
    offers: &[Offer],
    countries: &[Country],
) -> io::Result<()> {
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
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, HashSet};

    use crate::tools::generate::generate;
    use crate::tools::generate::read_back::{num, opts, parse};

    #[test]
    fn offers_are_split_evenly_with_unique_supplier_ids() {
        let d = tempfile::tempdir().unwrap();
        generate(d.path(), &opts(7, 1000, 60, 3)).unwrap();
        let (_, suppliers) = parse(&d.path().join("suppliers.csv"));
        let (_, demand) = parse(&d.path().join("demand.csv"));
        let mut per_mineral: BTreeMap<String, usize> = BTreeMap::new();
        let mut ids = HashSet::new();
        for r in &suppliers {
            *per_mineral.entry(r[1].clone()).or_default() += 1;
            assert!(ids.insert(r[0].clone()), "duplicate supplier {}", r[0]);
            assert!(
                r[0].starts_with(&format!("s{}-", &r[1][1..])),
                "{} / {}",
                r[0],
                r[1]
            );
        }
        // 1000 = 7 · 142 + 6: the first six minerals get 143.
        let expected: BTreeMap<String, usize> = (0..7)
            .map(|m| (format!("m{m:02}"), if m < 6 { 143 } else { 142 }))
            .collect();
        assert_eq!(per_mineral, expected);
        for r in &demand {
            assert_eq!(num(&r[1]) as usize, 1000 * expected[&r[0]]);
        }
    }
}
