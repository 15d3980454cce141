//! Test helpers: a generated model read back from its files (options, CSV rows, numbers
//! written without exponents) and checked for feasibility by an independent LP per mineral.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use super::GenerateOptions;

/// Options of the given sizes, with a policy.
pub(super) fn opts(minerals: usize, offers: usize, countries: usize, seed: u64) -> GenerateOptions {
    GenerateOptions {
        minerals,
        offers,
        countries,
        seed,
        policy: true,
    }
}

/// The bytes of the four files, in the order of [`super::GenerateSummary::files`].
pub(super) fn read_all(dir: &Path) -> Vec<Vec<u8>> {
    [
        "suppliers.csv",
        "demand.csv",
        "countries.csv",
        "constraints.csv",
    ]
    .iter()
    .map(|f| fs::read(dir.join(f)).unwrap())
    .collect()
}

/// (headers, rows) of a CSV file.
pub(super) fn parse(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_path(path)
        .unwrap();
    let headers = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(String::from).collect())
        .collect();
    (headers, rows)
}

/// A written number; panics on exponent notation or a non-number.
pub(super) fn num(s: &str) -> f64 {
    assert!(!s.contains(['e', 'E']), "exponent notation: {s}");
    s.parse().unwrap_or_else(|_| panic!("not a number: {s:?}"))
}

/// Per mineral: (offers as (id, country, capacity, landed cost), demand).
pub(super) type Parsed = BTreeMap<String, (Vec<(String, String, f64, f64)>, f64)>;

/// Country code → (risk, is an ally).
pub(super) type CountryInfo = BTreeMap<String, (f64, bool)>;

/// The minerals, countries and policy rows of the model in `dir`.
pub(super) fn load(dir: &Path) -> (Parsed, CountryInfo, Vec<Vec<String>>) {
    let (_, countries) = parse(&dir.join("countries.csv"));
    let info: BTreeMap<String, (f64, bool, f64)> = countries
        .iter()
        .map(|r| {
            let ally = r[2].split(';').any(|g| g == "ALLY");
            (r[0].clone(), (num(&r[1]), ally, num(&r[3])))
        })
        .collect();
    let mut minerals: Parsed = BTreeMap::new();
    for r in parse(&dir.join("demand.csv")).1 {
        minerals.insert(r[0].clone(), (Vec::new(), num(&r[1])));
    }
    for r in parse(&dir.join("suppliers.csv")).1 {
        let tariff = info[&r[2]].2;
        let landed = num(&r[3]) * (1.0 + tariff) + num(&r[5]);
        minerals
            .get_mut(&r[1])
            .unwrap()
            .0
            .push((r[0].clone(), r[2].clone(), num(&r[4]), landed));
    }
    let risk_ally = info.into_iter().map(|(k, (r, a, _))| (k, (r, a))).collect();
    (minerals, risk_ally, parse(&dir.join("constraints.csv")).1)
}

/// Solves each mineral's LP under the written policy with the crate's LP dependency.
pub(super) fn assert_feasible(dir: &Path, label: &str) {
    use good_lp::{constraint, microlp, variable, variables, Expression, SolverModel};
    let (minerals, countries, rows) = load(dir);
    let bound = |kind: &str| {
        rows.iter()
            .find(|r| r[0] == kind)
            .map(|r| num(&r[3]))
            .unwrap()
    };
    let (k, s, a, b) = (
        bound("max_country_share"),
        bound("max_supplier_share"),
        bound("min_group_share"),
        bound("max_avg_risk"),
    );
    for (m, (offers, d)) in &minerals {
        let total: f64 = offers.iter().map(|o| o.2).sum();
        assert!(total >= *d, "{label} {m}: capacity {total} < demand {d}");
        let mut vars = variables!();
        let x: Vec<_> = offers
            .iter()
            .map(|o| vars.add(variable().min(0.0).max(o.2.min(s * d))))
            .collect();
        let cost: Expression = x.iter().zip(offers).map(|(v, o)| o.3 * *v).sum();
        let mut lp = vars.minimise(cost).using(microlp);
        let sum: Expression = x.iter().copied().sum();
        lp = lp.with(constraint!(sum == *d));
        let mut by_country: BTreeMap<&str, Expression> = BTreeMap::new();
        for (v, o) in x.iter().zip(offers) {
            *by_country.entry(o.1.as_str()).or_default() += *v;
        }
        for (_, e) in by_country {
            lp = lp.with(constraint!(e <= k * d));
        }
        let ally: Expression = x
            .iter()
            .zip(offers)
            .filter(|(_, o)| countries[&o.1].1)
            .map(|(v, _)| *v)
            .sum();
        lp = lp.with(constraint!(ally >= a * d));
        let risk: Expression = x
            .iter()
            .zip(offers)
            .map(|(v, o)| countries[&o.1].0 * *v)
            .sum();
        lp = lp.with(constraint!(risk <= b * d));
        if let Err(e) = lp.solve() {
            panic!("{label} {m}: LP not solved: {e}");
        }
    }
}
