//! `check`: model size per mineral and the mistakes planners make most, found before
//! any solver runs.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::Model;
use crate::write::numbers::plain;

/// Cost ratio within one mineral above which `check` warns about precision.
const COST_RANGE_WARNING: f64 = 1e9;

/// Capacity, as a share of demand, below which an offer is suspiciously small.
const TINY_CAPACITY_SHARE: f64 = 1e-6;

/// Size of one mineral's block.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MineralSize {
    /// Mineral name.
    pub mineral: String,
    /// Demand.
    pub demand: f64,
    /// Offers.
    pub offers: usize,
    /// Countries with offers.
    pub countries: usize,
    /// Total capacity, `None` when some offer is unlimited.
    pub capacity: Option<f64>,
    /// Expanded policy rows.
    pub policy_rows: usize,
}

/// What `check` found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckReport {
    /// Per-mineral sizes.
    pub minerals: Vec<MineralSize>,
    /// Suspicious data, in words.
    pub findings: Vec<String>,
    /// Warnings from reading.
    pub warnings: Vec<String>,
}

/// Checks a loaded model.
pub fn check(model: &Model, warnings: &[String]) -> CheckReport {
    let mut findings = Vec::new();
    let mut minerals = Vec::new();
    if model.countries.iter().all(|c| c.line.is_none()) {
        findings.push(
            "no countries.csv: every country has risk 0, no groups and no tariff".to_string(),
        );
    }
    for m in 0..model.minerals.len() {
        let by_country = capacity_by_country(model, m);
        minerals.push(size(model, m, by_country.len()));
        capacity_below_demand(model, m, &mut findings);
        unreachable_policy(model, m, &by_country, &mut findings);
        cost_range(model, m, &mut findings);
        tiny_capacities(model, m, &mut findings);
        duplicate_suppliers(model, m, &mut findings);
    }
    CheckReport {
        minerals,
        findings,
        warnings: warnings.to_vec(),
    }
}

/// Capacity per country offering mineral `m` (`None` when some offer is unlimited).
fn capacity_by_country(model: &Model, m: usize) -> BTreeMap<usize, Option<f64>> {
    let mut by_country: BTreeMap<usize, Option<f64>> = BTreeMap::new();
    for o in model.offers_of(m) {
        let e = by_country.entry(o.country).or_insert(Some(0.0));
        *e = e.and_then(|c| o.capacity.map(|x| c + x));
    }
    by_country
}

/// The size of mineral `m`'s block.
fn size(model: &Model, m: usize, countries: usize) -> MineralSize {
    let mineral = &model.minerals[m];
    MineralSize {
        mineral: mineral.name.to_string(),
        demand: mineral.demand,
        offers: mineral.offers.len(),
        countries,
        capacity: model.capacity_of(m),
        policy_rows: crate::policy::rows::expand(model, m).len(),
    }
}

/// Total capacity below demand.
fn capacity_below_demand(model: &Model, m: usize, findings: &mut Vec<String>) {
    let mineral = &model.minerals[m];
    let d = mineral.demand;
    if let Some(cap) = model.capacity_of(m).filter(|&cap| cap < d) {
        findings.push(format!(
            "{}: total capacity {} is below demand {}{}",
            mineral.name,
            plain(cap),
            plain(d),
            if mineral.unmet_penalty.is_some() {
                "; the rest will be unmet at the unmet_penalty"
            } else {
                "; without an unmet_penalty the model is infeasible"
            }
        ));
    }
}

/// Country caps the offered countries cannot meet, groups too small for their minimum.
fn unreachable_policy(
    model: &Model,
    m: usize,
    by_country: &BTreeMap<usize, Option<f64>>,
    findings: &mut Vec<String>,
) {
    for row in model.policy.iter().filter(|r| r.applies_to(m)) {
        // A rule's own check is at the shipping country (rows at one stage skip it).
        if !matches!(row.stage, crate::model::StageScope::At(_)) {
            findings.extend(row.kind.check(model, m, row, by_country));
        }
        findings.extend(super::stage_check::stage_findings(model, m, row));
    }
}

/// Coefficient ranges the solvers handle poorly, even after per-mineral scaling.
fn cost_range(model: &Model, m: usize, findings: &mut Vec<String>) {
    let mineral = &model.minerals[m];
    let (lo, hi) = model
        .offers_of(m)
        .iter()
        .map(|o| o.landed_cost)
        .chain(mineral.unmet_penalty)
        .filter(|&c| c > 0.0)
        .fold((f64::INFINITY, 0.0f64), |(lo, hi), c| {
            (lo.min(c), hi.max(c))
        });
    if hi > 0.0 && hi / lo > COST_RANGE_WARNING {
        findings.push(format!(
            "{}: landed costs range from {} to {} (ratio {:.0e}); solvers lose precision beyond a ratio of {:.0e}",
            mineral.name,
            plain(lo),
            plain(hi),
            hi / lo,
            COST_RANGE_WARNING
        ));
    }
}

/// Offers too small to be used where binaries apply.
fn tiny_capacities(model: &Model, m: usize, findings: &mut Vec<String>) {
    let mineral = &model.minerals[m];
    let d = mineral.demand;
    let tiny = model
        .offers_of(m)
        .iter()
        .filter(|o| {
            o.capacity
                .is_some_and(|c| c > 0.0 && c < TINY_CAPACITY_SHARE * d)
        })
        .count();
    if tiny > 0 {
        findings.push(format!(
            "{}: {tiny} offer(s) have a capacity below {} of demand; a used offer must supply at least 1e-6 of demand, so they cannot be used where binaries apply",
            mineral.name,
            plain(TINY_CAPACITY_SHARE)
        ));
    }
}

/// Duplicate-looking suppliers: ids equal up to case and punctuation.
fn duplicate_suppliers(model: &Model, m: usize, findings: &mut Vec<String>) {
    let mineral = &model.minerals[m];
    let mut seen: BTreeMap<String, &str> = BTreeMap::new();
    for o in model.offers_of(m) {
        let key: String = o
            .supplier
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect();
        match seen.get(&key) {
            Some(first) => findings.push(format!(
                "{}: suppliers {first:?} and {:?} (suppliers.csv:{}) look like the same supplier",
                mineral.name, o.supplier, o.line
            )),
            None => {
                seen.insert(key, &o.supplier);
            }
        }
    }
}
