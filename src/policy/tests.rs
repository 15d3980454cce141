//! The registry walked rule by rule through every capability: on random small models and
//! random plans, the row each rule states in a formulated block, evaluated at the plan
//! lifted to the block's variables, equals the rule's own value on the plan.

use std::collections::BTreeSet;

use super::{BoundDomain, Entry, Kind, Sense, TargetKind, ALL};
use super::{
    SummaryMetric, EXCLUDE_COUNTRY, MAX_COUNTRY_SHARE, MAX_HHI, MIN_STOCK_DAYS, MIN_SUPPLIERS,
};
use crate::engine::lp;
use crate::formulate::{formulate, Block, RowTag};
use crate::input::{parse_model, ModelFiles};
use crate::model::Model;
use crate::policy::rows::MineralPlan;
use crate::rng::Rng;

const COUNTRIES: [&str; 4] = ["AAA", "BBB", "CCC", "DDD"];

/// A target for `kind` as written in constraints.csv.
fn target(kind: Kind, rng: &mut Rng, suppliers: usize) -> String {
    let country = |rng: &mut Rng| COUNTRIES[rng.below(COUNTRIES.len() as u64) as usize].to_string();
    let supplier = |rng: &mut Rng| format!("s{}", rng.below(suppliers as u64));
    match kind.target_kind() {
        TargetKind::None => String::new(),
        TargetKind::CountryOrAll if rng.below(2) == 0 => "*".into(),
        TargetKind::Country | TargetKind::CountryOrAll => country(rng),
        TargetKind::SupplierOrAll if rng.below(2) == 0 => "*".into(),
        TargetKind::Supplier | TargetKind::SupplierOrAll => supplier(rng),
        TargetKind::Group => ["G1", "G2"][rng.below(2) as usize].into(),
        TargetKind::Top => format!("{}", 1 + rng.below(5)),
        TargetKind::CountryOrGroup => country(rng),
    }
}

/// A bound in `kind`'s domain.
fn bound(kind: Kind, rng: &mut Rng) -> String {
    if kind == MIN_STOCK_DAYS {
        return format!("{:.1}", rng.range_f64(0.0, 200.0));
    }
    match kind.domain() {
        BoundDomain::Fraction => format!("{:.3}", rng.range_f64(0.05, 0.95)),
        BoundDomain::NonNegative => format!("{:.3}", rng.range_f64(0.0, 0.8)),
        BoundDomain::Count => format!("{}", 1 + rng.below(4)),
        BoundDomain::None => String::new(),
    }
}

/// A random model of one mineral: 3–8 offers over the four countries, every rule with
/// probability 2/3 (exclusions 1/3, so most blocks keep their offers).
fn random_model(rng: &mut Rng) -> Model {
    let n = 3 + rng.below(6) as usize;
    let mut countries = String::from("country,risk,groups\n");
    for (i, c) in COUNTRIES.iter().enumerate() {
        let risk = rng.range_f64(0.0, 1.0);
        countries.push_str(&format!("{c},{risk:.3},G{}\n", 1 + i % 2));
    }
    let mut suppliers = String::from("supplier,mineral,country,unit_cost,capacity\n");
    for j in 0..n {
        let c = COUNTRIES[rng.below(COUNTRIES.len() as u64) as usize];
        let cost = rng.range_f64(1.0, 10.0);
        let capacity = if rng.below(2) == 0 {
            format!("{:.1}", rng.range_f64(10.0, 100.0))
        } else {
            String::new()
        };
        suppliers.push_str(&format!("s{j},m,{c},{cost:.2},{capacity}\n"));
    }
    let d = rng.range_f64(20.0, 500.0);
    let demand = format!(
        "mineral,quantity,stock_on_hand,holding_cost,stock_cap\nm,{d:.1},{:.1},1,\n",
        rng.range_f64(0.0, 0.3) * d
    );
    let mut constraints = String::from("constraint,mineral,target,bound\n");
    for &kind in ALL {
        let keep = if kind.is_exclusion() {
            rng.below(3) == 0
        } else {
            rng.below(3) != 0
        };
        if keep {
            let t = target(kind, rng, n);
            let b = bound(kind, rng);
            constraints.push_str(&format!("{},m,{t},{b}\n", kind.name()));
        }
    }
    let files = ModelFiles::from_memory(&[
        ("countries.csv", countries.as_bytes()),
        ("suppliers.csv", suppliers.as_bytes()),
        ("demand.csv", demand.as_bytes()),
        ("constraints.csv", constraints.as_bytes()),
    ]);
    parse_model(&files).unwrap_or_else(|e| panic!("{e}\n{constraints}"))
}

/// A random plan (real units; some offers unused, excluded ones at zero).
fn random_plan(rng: &mut Rng, block: &Block, d: f64) -> Vec<f64> {
    block
        .offer_var
        .iter()
        .map(|v| match v {
            Some(_) if rng.below(3) != 0 => rng.range_f64(0.0, 0.6) * d,
            Some(_) | None => 0.0,
        })
        .collect()
}

/// The plan as a point of the block: offer shares, binaries = used, country-used
/// indicators = 1 when any offer of the country is used, HHI shares and epigraphs at
/// their exact values.
fn lift(model: &Model, block: &Block, x: &[f64]) -> Vec<f64> {
    let lp = &block.lp;
    let mut point = vec![0.0; lp.vars.len()];
    for (j, v) in block.offer_var.iter().enumerate() {
        if let Some(v) = *v {
            point[v] = x[j] / block.demand;
        }
        if let Some(y) = block.used_var[j] {
            point[y] = if x[j] > 0.0 { 1.0 } else { 0.0 };
        }
    }
    // Country-used indicators: z − Σ y ≤ 0 (definition rows over binaries).
    for row in lp.rows.iter().filter(|r| r.tag == RowTag::Definition) {
        let (z, a) = row.terms[0];
        let over_binaries = row.terms[1..]
            .iter()
            .all(|&(y, c)| c == -1.0 && lp.vars[y].integer);
        if row.sense == lp::Sense::Le && a == 1.0 && over_binaries && row.terms.len() > 1 {
            let used: f64 = row.terms[1..].iter().map(|&(y, _)| point[y]).sum();
            point[z] = used.min(1.0);
        }
    }
    // Fixed variables (the constant of a `min_stock_days` row) at their value.
    for (v, var) in lp.vars.iter().enumerate() {
        if var.lower == var.upper {
            point[v] = var.lower;
        }
    }
    lift_top_shares(model, block, x, &mut point);
    if let Some(c) = &block.concentration {
        let offers = model.offers_of(block.mineral);
        for &(country, s, t) in &c.countries {
            let share: f64 = (0..x.len())
                .filter(|&j| offers[j].country == country && block.offer_var[j].is_some())
                .map(|j| x[j])
                .sum::<f64>()
                / block.demand;
            point[s] = share;
            point[t] = share * share;
        }
    }
    point
}

/// The threshold t and excesses v_c of each `max_top_share` row k·t + Σ v_c: t at the
/// k-th largest country share (0 with fewer than k countries), v_c = max(share_c − t, 0),
/// each v_c's country read from its definition row v_c + t − Σ x ≥ 0.
fn lift_top_shares(model: &Model, block: &Block, x: &[f64], point: &mut [f64]) {
    let lp = &block.lp;
    let offers = model.offers_of(block.mineral);
    let mut share = vec![0.0; model.countries.len()];
    for (j, &q) in x.iter().enumerate() {
        share[offers[j].country] += q / block.demand;
    }
    let offer_of = |v: usize| block.offer_var.iter().position(|&o| o == Some(v));
    for (k, inst) in block.instances.iter().enumerate() {
        let crate::policy::rows::InstanceTarget::Top(top, _) = inst.target else {
            continue;
        };
        let Some(row) = lp.rows.iter().find(|r| r.tag == RowTag::Policy(k)) else {
            continue;
        };
        let (t, _) = row.terms[0];
        assert_eq!(
            row.terms[0].1, top as f64,
            "the threshold's coefficient is k"
        );
        let mut sorted = share.clone();
        sorted.sort_by(|a, b| b.total_cmp(a));
        let threshold = sorted.get(top - 1).copied().unwrap_or(0.0);
        point[t] = threshold;
        for &(v, _) in &row.terms[1..] {
            let def = lp
                .rows
                .iter()
                .find(|r| r.tag == RowTag::Definition && r.terms[0] == (v, 1.0))
                .expect("each excess has its definition row");
            let c = def.terms[2..]
                .iter()
                .find_map(|&(xv, _)| offer_of(xv))
                .map(|j| offers[j].country);
            point[v] = c.map_or(0.0, |c| (share[c] - threshold).max(0.0));
        }
    }
}

/// A rule that caps a summary.csv metric has that metric as its value, computed here
/// from the plan by the metric's definition.
fn check_summary_metric(model: &Model, x: &[f64], kind: Kind, value: f64) {
    let d = model.minerals[0].demand;
    let mut by_country = vec![0.0; model.countries.len()];
    for (o, &q) in model.offers_of(0).iter().zip(x) {
        by_country[o.country] += q;
    }
    let risk = |c: usize| model.countries[c].risk;
    let want = match kind.summary_metric() {
        None => return,
        Some(SummaryMetric::Hhi) => by_country.iter().map(|q| (q / d).powi(2)).sum::<f64>(),
        Some(SummaryMetric::RiskHhi) => (0..by_country.len())
            .map(|c| risk(c) * (by_country[c] / d).powi(2))
            .sum(),
        Some(SummaryMetric::AvgRisk) => (0..by_country.len())
            .map(|c| risk(c) * by_country[c] / d)
            .sum(),
    };
    assert!(
        (value - want).abs() <= 1e-12 * (1.0 + want.abs()),
        "{kind:?}: value {value}, its summary metric {want}"
    );
}

/// Checks every instance of the block against its rule at plan `x`.
fn check_block(model: &Model, block: &Block, x: &[f64]) {
    let point = lift(model, block, x);
    let plan = MineralPlan {
        model,
        mineral: 0,
        quantities: x,
    };
    for (k, inst) in block.instances.iter().enumerate() {
        let kind = inst.kind;
        let value = kind.value(&plan, inst);
        check_summary_metric(model, x, kind, value);
        let rows: Vec<usize> = (0..block.lp.rows.len())
            .filter(|&r| block.lp.rows[r].tag == RowTag::Policy(k))
            .collect();
        if kind == MIN_STOCK_DAYS && !stock_row_states_value(model, x, &rows, value, inst.bound) {
            continue;
        }
        match kind.entry() {
            Entry::Row => {
                assert!(rows.len() <= 1, "{kind:?}: {} rows", rows.len());
                let activity = rows.first().map_or(0.0, |&r| block.lp.activity(r, &point));
                // A value share's row is (value − bound) · the plan's scaled value, right
                // side 0.
                let (activity, value) = match block.value_rows.iter().find(|(i, _)| *i == k) {
                    Some((_, w)) if !rows.is_empty() => {
                        let v: f64 = w.iter().map(|&(var, a)| a * point[var]).sum();
                        (activity - kind.rhs(inst), (value - inst.bound) * v)
                    }
                    _ => (activity, value),
                };
                assert!(
                    (activity - value).abs() <= 1e-9 * (1.0 + value.abs()),
                    "{kind:?} {}: row {activity} vs value {value}",
                    inst.target_label(model)
                );
                for &r in &rows {
                    let row = &block.lp.rows[r];
                    let sense = match kind.sense() {
                        Sense::AtMost => lp::Sense::Le,
                        Sense::AtLeast => lp::Sense::Ge,
                        Sense::Excludes => panic!("{kind:?}: an exclusion with a row"),
                    };
                    assert_eq!(row.sense, sense, "{kind:?}");
                    assert_eq!(row.rhs, kind.rhs(inst), "{kind:?}");
                }
            }
            Entry::OfferBound => {
                assert!(rows.is_empty(), "{kind:?} states a row");
                let mut bounded = 0.0;
                for &j in &inst.members {
                    if let Some(v) = block.offer_var[j] {
                        assert!(block.lp.vars[v].upper <= inst.bound, "{kind:?}");
                        bounded += point[v];
                    }
                }
                assert!(
                    (bounded - value).abs() <= 1e-12,
                    "{kind:?}: {bounded} vs {value}"
                );
            }
            Entry::RemovesOffers => {
                assert!(rows.is_empty(), "{kind:?} states a row");
                assert!(inst.members.iter().all(|&j| block.offer_var[j].is_none()));
                assert_eq!(value, 0.0, "{kind:?} on a plan without the excluded offers");
                // With the excluded offers bought, the value is what they got.
                let mut bought = x.to_vec();
                for &j in &inst.members {
                    bought[j] = 1.0;
                }
                let with = MineralPlan {
                    quantities: &bought,
                    ..plan
                };
                let expected = inst.members.len() as f64 / model.minerals[0].demand;
                assert!(
                    (kind.value(&with, inst) - expected).abs() <= 1e-12,
                    "{kind:?}"
                );
            }
        }
    }
}

/// A `min_stock_days` row is stated only where the stock on hand falls short of the
/// bound (without a row, every plan holds it), and states S0 + X − D, the stock held
/// when the plan builds (X ≥ D): true when the row's activity must equal the value.
fn stock_row_states_value(
    model: &Model,
    x: &[f64],
    rows: &[usize],
    value: f64,
    bound: f64,
) -> bool {
    let d = model.minerals[0].demand;
    if rows.is_empty() {
        assert!(
            value >= bound,
            "no min_stock_days row, yet {value} < {bound}"
        );
        return false;
    }
    x.iter().sum::<f64>() >= d * (1.0 + 1e-6)
}

#[test]
fn every_rule_states_its_own_value_in_its_block() {
    let mut rng = Rng::new(21);
    let mut seen = BTreeSet::new();
    for _ in 0..400 {
        let model = random_model(&mut rng);
        let block = formulate(&model, 0).unwrap();
        for inst in &block.instances {
            seen.insert(inst.kind);
        }
        for _ in 0..5 {
            let x = random_plan(&mut rng, &block, model.minerals[0].demand);
            check_block(&model, &block, &x);
        }
    }
    assert_eq!(seen.len(), ALL.len(), "rules never drawn: {seen:?}");
}

#[test]
fn every_rule_has_its_name_domain_words_unit_family_and_export_name() {
    for (i, &kind) in ALL.iter().enumerate() {
        assert_eq!(Kind::from_name(kind.name()), Some(kind));
        assert_eq!(kind.index(), i);
        assert_eq!(kind.is_exclusion(), kind.domain() == BoundDomain::None);
        assert_eq!(kind.is_exclusion(), kind.entry() == Entry::RemovesOffers);
        assert_eq!(kind.point().is_none(), kind.is_exclusion(), "{kind:?}");
        assert!(!kind.family().name().is_empty());
        assert!(!kind.export_prefix().is_empty());
        assert!(!kind.rule_name("X").is_empty());
        assert!(!kind.rule_with_bound("X", 0.5).is_empty());
        assert!(!kind.bound_text(0.5).is_empty());
        assert!(kind.needs_binaries() <= kind.is_count(), "{kind:?}");
        assert!(!(kind.needs_binaries() && kind.country_alike()), "{kind:?}");
    }
    assert_eq!(Kind::from_name("max_anything"), None);
}

#[test]
fn the_capped_summary_metrics_are_declared_by_their_rules() {
    let capped: Vec<_> = ALL
        .iter()
        .filter_map(|k| k.summary_metric().map(|m| (k.name(), m)))
        .collect();
    assert_eq!(
        capped,
        [
            ("max_avg_risk", SummaryMetric::AvgRisk),
            ("max_hhi", SummaryMetric::Hhi),
            ("max_risk_hhi", SummaryMetric::RiskHhi)
        ]
    );
}

#[test]
fn per_point_is_the_derivative_times_the_step() {
    // A share cap priced at -60425 per unit of share costs 604.25 per point.
    let p = MAX_COUNTRY_SHARE.per_point(Some(-60425.0)).unwrap();
    assert!((p + 604.25).abs() < 1e-9);
    assert_eq!(MIN_SUPPLIERS.per_point(Some(12.5)), Some(12.5));
    assert_eq!(MAX_HHI.per_point(None), None);
    assert_eq!(EXCLUDE_COUNTRY.per_point(Some(0.0)), None);
}
