//! The bundled staged models' data, checked independently of sourcemix and of
//! `examples/build_models.rs`: each model's suppliers.csv is read with the plain csv crate,
//! every stage cell must be a country of countries.csv or a mix of them summing to 1, and
//! the capacity-weighted share of every cited figure in
//! `data/stage_shares/stage_shares_2023_derived.csv` must lie in its stated range
//! (`low`..`high`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The staged models and the mineral each one holds.
const STAGED: &[(&str, &str)] = &[
    ("models/rare-earths-stages", "rare_earths"),
    ("models/graphite-stages", "graphite"),
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A CSV file as (header, rows of cells).
fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let header = reader.headers().unwrap().iter().map(String::from).collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

fn col(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name}"))
}

/// A stage cell as (country, fraction): empty means the shipping country; a mix
/// `A:0.7;B:0.3` must name known countries once each with fractions summing to 1.
fn mix(cell: &str, shipping: &str, known: &BTreeSet<String>, at: &str) -> Vec<(String, f64)> {
    if cell.is_empty() {
        return vec![(shipping.to_string(), 1.0)];
    }
    let parts: Vec<(String, f64)> = cell
        .split(';')
        .map(|part| match part.split_once(':') {
            Some((c, f)) => (c.to_string(), f.parse::<f64>().expect(at)),
            None => (part.to_string(), 1.0),
        })
        .collect();
    let names: BTreeSet<&String> = parts.iter().map(|(c, _)| c).collect();
    assert_eq!(names.len(), parts.len(), "{at}: a country twice in {cell:?}");
    for (c, f) in &parts {
        assert!(known.contains(c), "{at}: {c} is not in countries.csv");
        assert!(*f > 0.0 && *f <= 1.0, "{at}: fraction {f} of {c}");
    }
    let total: f64 = parts.iter().map(|(_, f)| f).sum();
    assert!((total - 1.0).abs() < 1e-9, "{at}: {cell:?} sums to {total}");
    parts
}

/// Capacity through each country at each stage of one model: stage → country → share of
/// the total capacity.
fn stage_shares(dir: &Path, mineral: &str) -> BTreeMap<String, BTreeMap<String, f64>> {
    let (ch, crows) = read_csv(&dir.join("countries.csv"));
    let known: BTreeSet<String> = crows.iter().map(|r| r[col(&ch, "country")].clone()).collect();
    let (h, rows) = read_csv(&dir.join("suppliers.csv"));
    let stages: Vec<(usize, String)> = h
        .iter()
        .enumerate()
        .filter_map(|(i, name)| Some((i, name.strip_prefix("origin_")?.to_string())))
        .collect();
    assert!(stages.len() >= 2, "{dir:?}: fewer than two stages");
    let (country, capacity, m) = (col(&h, "country"), col(&h, "capacity"), col(&h, "mineral"));
    let controlled = h.iter().position(|c| c == "controlled_by");
    let mut through: BTreeMap<String, BTreeMap<String, f64>> = BTreeMap::new();
    let mut total = 0.0;
    for (line, row) in rows.iter().enumerate() {
        assert_eq!(row[m], mineral);
        let cap: f64 = row[capacity].parse().unwrap();
        total += cap;
        if let Some(c) = controlled.filter(|&c| !row[c].is_empty()) {
            assert!(known.contains(&row[c]), "controlled_by {} unknown", row[c]);
        }
        for (i, stage) in &stages {
            let at = format!("{}:{} {}", dir.display(), line + 2, h[*i]);
            for (c, f) in mix(&row[*i], &row[country], &known, &at) {
                *through
                    .entry(stage.clone())
                    .or_default()
                    .entry(c)
                    .or_default() += f * cap;
            }
        }
    }
    for by_country in through.values_mut() {
        let sum: f64 = by_country.values().sum();
        assert!((sum - total).abs() < 1e-6 * total, "stage flow {sum} != {total}");
        by_country.values_mut().for_each(|q| *q /= total);
    }
    through
}

/// The sum of the three largest shares.
fn top3(shares: &BTreeMap<String, f64>) -> f64 {
    let mut s: Vec<f64> = shares.values().copied().collect();
    s.sort_by(|a, b| b.total_cmp(a));
    s.iter().take(3).sum()
}

#[test]
fn staged_models_reproduce_the_cited_stage_shares() {
    let (h, figures) = read_csv(&root().join("data/stage_shares/stage_shares_2023_derived.csv"));
    let [mineral, stage, measure, country, low, high] =
        ["mineral", "stage", "measure", "country", "low", "high"].map(|c| col(&h, c));
    let mut checked = 0;
    for (dir, name) in STAGED {
        let shares = stage_shares(&root().join(dir), name);
        for f in figures.iter().filter(|f| f[mineral] == *name) {
            let at_stage = shares
                .get(&f[stage])
                .unwrap_or_else(|| panic!("{dir}: no stage {}", f[stage]));
            let value = match f[measure].as_str() {
                "country_share" => at_stage.get(&f[country]).copied().unwrap_or(0.0),
                "top3_share" => top3(at_stage),
                other => panic!("unknown measure {other}"),
            };
            let (lo, hi): (f64, f64) = (f[low].parse().unwrap(), f[high].parse().unwrap());
            assert!(
                lo - 1e-12 <= value && value <= hi + 1e-12,
                "{dir}: {} {} {} = {value:.4}, cited range {lo}..{hi}",
                f[stage],
                f[measure],
                f[country]
            );
            checked += 1;
        }
    }
    assert_eq!(checked, figures.len(), "a cited figure has no staged model");
}

/// A hand-made chain: the capacity-weighted share follows the fractions (guards the test's
/// own arithmetic).
#[test]
fn a_mix_splits_capacity_by_its_fractions() {
    let known: BTreeSet<String> = ["AAA", "BBB"].map(String::from).into();
    let m = mix("AAA:0.25;BBB:0.75", "AAA", &known, "t");
    assert_eq!(m, vec![("AAA".into(), 0.25), ("BBB".into(), 0.75)]);
    assert_eq!(mix("", "BBB", &known, "t"), vec![("BBB".into(), 1.0)]);
    let shares: BTreeMap<String, f64> = [("A", 0.5), ("B", 0.2), ("C", 0.2), ("D", 0.1)]
        .map(|(c, s)| (c.to_string(), s))
        .into();
    assert!((top3(&shares) - 0.9).abs() < 1e-12);
}

/// Each staged model states the CRMA line: at most 65% from one country at any stage.
#[test]
fn staged_models_carry_the_crma_line() {
    for (dir, _) in STAGED {
        let (h, rows) = read_csv(&root().join(dir).join("constraints.csv"));
        let stage = col(&h, "stage");
        assert!(
            rows.iter().any(|r| r[0] == "max_country_share"
                && r[1] == "*"
                && r[2] == "*"
                && r[3] == "0.65"
                && r[stage] == "any"),
            "{dir}"
        );
    }
}
