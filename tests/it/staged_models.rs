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
    assert_eq!(
        names.len(),
        parts.len(),
        "{at}: a country twice in {cell:?}"
    );
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
    let known: BTreeSet<String> = crows
        .iter()
        .map(|r| r[col(&ch, "country")].clone())
        .collect();
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
        assert!(
            (sum - total).abs() < 1e-6 * total,
            "stage flow {sum} != {total}"
        );
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

/// A model's cost-minimal plan as a direct LP written here (good_lp + microlp, from the CSV
/// files): x_i in [0, capacity], unmet u in [0, D] at the penalty, Σx + u = D; each
/// `max_country_share` row caps every country by shipping country and, when `stages` and
/// its stage is `any`, at every stage (Σ_i f_isc x_i ≤ bound·D); each `min_group_share` row
/// asks bound·D shipped from the group.
fn direct_lp_cost(dir: &Path, stages: bool) -> f64 {
    use good_lp::{variable, Expression, ProblemVariables, Solution as _, SolverModel};
    let (ch, crows) = read_csv(&dir.join("countries.csv"));
    let country_of = |r: &Vec<String>| r[col(&ch, "country")].clone();
    let known: BTreeSet<String> = crows.iter().map(country_of).collect();
    let tariff: BTreeMap<String, f64> = crows
        .iter()
        .map(|r| (country_of(r), r[col(&ch, "tariff")].parse().unwrap()))
        .collect();
    let groups: BTreeMap<String, String> = crows
        .iter()
        .map(|r| (country_of(r), r[col(&ch, "groups")].clone()))
        .collect();
    let (dh, drows) = read_csv(&dir.join("demand.csv"));
    let d: f64 = drows[0][col(&dh, "quantity")].parse().unwrap();
    let penalty: f64 = drows[0][col(&dh, "unmet_penalty")].parse().unwrap();
    let (h, rows) = read_csv(&dir.join("suppliers.csv"));
    let country = col(&h, "country");
    let num = |r: &Vec<String>, name: &str| r[col(&h, name)].parse::<f64>().unwrap();
    // Views: the shipping country, then each stage: offer → (country, fraction).
    let mut views: Vec<Vec<Vec<(String, f64)>>> = vec![rows
        .iter()
        .map(|r| vec![(r[country].clone(), 1.0)])
        .collect()];
    for (i, _) in h
        .iter()
        .enumerate()
        .filter(|(_, n)| n.starts_with("origin_"))
    {
        views.push(
            rows.iter()
                .map(|r| mix(&r[i], &r[country], &known, "suppliers.csv"))
                .collect(),
        );
    }
    let mut vars = ProblemVariables::new();
    let x: Vec<_> = rows
        .iter()
        .map(|r| vars.add(variable().min(0.0).max(num(r, "capacity"))))
        .collect();
    let u = vars.add(variable().min(0.0).max(d));
    let mut objective = penalty * u;
    for (r, &xi) in rows.iter().zip(&x) {
        let landed = num(r, "unit_cost") * (1.0 + tariff[&r[country]]) + num(r, "freight");
        objective += landed * xi;
    }
    let mut p = vars.minimise(objective.clone()).using(good_lp::microlp);
    let total: Expression = x.iter().copied().sum::<Expression>() + u;
    p.add_constraint(total.eq(d));
    let (kh, krows) = read_csv(&dir.join("constraints.csv"));
    for k in &krows {
        let bound: f64 = k[col(&kh, "bound")].parse().unwrap();
        let stage = kh.iter().position(|c| c == "stage").map_or("", |s| &k[s]);
        match k[0].as_str() {
            "max_country_share" => {
                let n_views = if stages && stage == "any" {
                    views.len()
                } else {
                    1
                };
                for view in &views[..n_views] {
                    for c in &known {
                        let e: Expression = view
                            .iter()
                            .zip(&x)
                            .flat_map(|(m, &xi)| {
                                m.iter().filter(|(k, _)| k == c).map(move |(_, f)| *f * xi)
                            })
                            .sum();
                        p.add_constraint(e.leq(bound * d));
                    }
                }
            }
            "min_group_share" => {
                assert!(
                    stage.is_empty(),
                    "a group row at a stage is not written here"
                );
                let target = &k[col(&kh, "target")];
                let e: Expression = rows
                    .iter()
                    .zip(&x)
                    .filter(|(r, _)| groups[&r[country]].split(';').any(|g| g == target))
                    .map(|(_, &xi)| Expression::from(xi))
                    .sum();
                p.add_constraint(e.geq(bound * d));
            }
            other => panic!("{other}: not written in this test's LP"),
        }
    }
    p.solve().expect("the direct LP solves").eval(&objective)
}

/// `sourcemix solve` on each staged model costs what the direct LP written above says: with
/// the cap at every stage when the binary reads the stage columns, by shipping country when
/// it ignores them (a binary without the stage feature warns of unknown columns). Either
/// way the CRMA line at every stage costs more than the same line by shipping country.
#[test]
fn staged_models_solve_to_the_direct_lp_optimum() {
    for (dir, _) in STAGED {
        let model = root().join(dir);
        let out = tempfile::tempdir().unwrap();
        let run = crate::common::cli::command()
            .args(["solve"])
            .arg(&model)
            .arg("--out")
            .arg(out.path())
            .output()
            .unwrap();
        assert_eq!(run.status.code(), Some(0), "{dir}");
        let stderr = String::from_utf8_lossy(&run.stderr);
        let reads_stages = !stderr.contains("unknown column \"origin_");
        let (sh, srows) = read_csv(&out.path().join("summary.csv"));
        let cost: f64 = srows.iter().find(|r| r[0] == "*").unwrap()[col(&sh, "cost")]
            .parse()
            .unwrap();
        let reference = direct_lp_cost(&model, reads_stages);
        assert!(
            (cost - reference).abs() <= 1e-6 * reference,
            "{dir} (stages read: {reads_stages}): sourcemix {cost}, direct LP {reference}"
        );
        let (by_stage, by_shipping) = (direct_lp_cost(&model, true), direct_lp_cost(&model, false));
        assert!(
            by_stage > by_shipping * 1.05,
            "{dir}: {by_stage} vs {by_shipping}"
        );
    }
}
