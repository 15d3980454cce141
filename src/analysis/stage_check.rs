//! `check`'s findings on country caps at a stage: a bound no plan can meet whatever it
//! buys (without unmet demand). At a stage the fractions of each offer sum to 1, so a
//! plan's total is Σ_c q_sc, and q_sc is at most Σ_i f_isc · capacity_i and, where
//! capped, b · D: when those limits add up to less than the demand, no plan meets the
//! cap (the stage's form of the shipping-country check of `max_country_share`).

use std::collections::BTreeMap;

use crate::model::{Model, PolicyRow, StageScope, Target};
use crate::policy::MAX_COUNTRY_SHARE;
use crate::write::numbers::plain;

/// The finding for policy row `row` on mineral `m` at each stage it names, if any.
pub fn stage_findings(model: &Model, m: usize, row: &PolicyRow) -> Vec<String> {
    if row.kind != MAX_COUNTRY_SHARE || row.stage == StageScope::Shipping {
        return Vec::new();
    }
    let stages = row.stage.stages(model.stages.names.len());
    stages
        .into_iter()
        .flatten()
        .filter_map(|s| finding(model, m, row, s))
        .collect()
}

/// The finding at stage `s`: the most the offers can supply under the cap, and the
/// countries it holds back.
fn finding(model: &Model, m: usize, row: &PolicyRow, s: usize) -> Option<String> {
    let mineral = &model.minerals[m];
    if mineral.unmet_penalty.is_some() {
        return None;
    }
    let (d, cap) = (mineral.demand, row.bound * mineral.demand);
    // Most each country can pass at the stage: Σ_i f_isc · capacity_i.
    let mut through: BTreeMap<usize, f64> = BTreeMap::new();
    for o in model.offers_of(m) {
        for (c, f) in model.stages.mix(o, Some(s)) {
            *through.entry(c).or_default() += f * o.capacity.unwrap_or(f64::INFINITY);
        }
    }
    let capped = |c: usize| match row.target {
        Target::Each => true,
        Target::Country(k) => k == c,
        _ => false,
    };
    let mut limiting = Vec::new();
    let mut reachable = 0.0;
    for (&c, &most) in &through {
        if capped(c) && cap < most {
            limiting.push(model.countries[c].code.as_str());
            reachable += cap;
        } else {
            reachable += most;
        }
    }
    (reachable < d).then(|| {
        format!(
            "constraints.csv:{}: {}: at the {} stage, with at most {} of demand through {}, the offers can supply only {} of {}",
            row.line,
            mineral.name,
            model.stages.names[s],
            plain(row.bound),
            limiting.join(", "),
            plain(reachable),
            plain(d)
        )
    })
}
