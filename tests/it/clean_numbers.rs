//! Clean numbers in the written files, checked on the text the CSV files hold (decimals
//! summed exactly, as fixed-point integers, not as floats): on the bundled models and on
//! random models with HHI caps, no quantity sits within the solve's tolerance of a bound
//! it meets without being that bound, no slack is negative, binding rows have slack 0,
//! each mineral's allocation sums to its summary exactly, and the written plan passes the
//! independent plan checker of tests/common.

use std::collections::BTreeMap;
use std::path::Path;

use sourcemix::engine::SolverKind;
use sourcemix::model::{Model, Target};
use sourcemix::policy;
use sourcemix::report::{build_report, csv_files};
use sourcemix::solve::{SolverChoice, Status};
use sourcemix::tools::generate::{generate, GenerateOptions};

/// The tolerance of "meets a bound", as a fraction of demand (sourcemix::solve::clean::SNAP).
const MEETS: f64 = 1e-9;

/// A written decimal as an exact fixed-point integer (18 decimals).
fn fixed(s: &str) -> i128 {
    let (neg, s) = s.strip_prefix('-').map_or((false, s), |r| (true, r));
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    assert!(
        frac.len() <= 18 && !s.contains('e'),
        "not a plain decimal: {s}"
    );
    let digits = format!("{int}{frac:0<18}");
    let v: i128 = digits.parse().unwrap_or_else(|_| panic!("bad decimal {s}"));
    if neg {
        -v
    } else {
        v
    }
}

/// A bound (an f64 from the model) as the decimal of 12 significant digits it is
/// closest to, in fixed point (the bounds of these models have fewer digits).
fn fixed_f(v: f64) -> i128 {
    let rounded: f64 = format!("{v:.11e}").parse().unwrap();
    fixed(&format!("{rounded}"))
}

fn rows(bytes: &[u8]) -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_reader(bytes);
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    r.records()
        .map(|rec| {
            header
                .iter()
                .cloned()
                .zip(rec.unwrap().iter().map(String::from))
                .collect()
        })
        .collect()
}

/// Solves `model` with `choice` and checks every property on the written files.
fn check_written(model: &Model, choice: SolverChoice, what: &str) {
    let solution = crate::common::try_solve(model, choice).expect("solves");
    if solution.status != Status::Optimal {
        return;
    }
    let report = build_report(model, &solution);
    let files: BTreeMap<&str, Vec<u8>> = csv_files(&report).into_iter().collect();
    check_files(model, &files, what);
}

/// The clean-number properties of written allocation, summary and constraints files.
fn check_files(model: &Model, files: &BTreeMap<&str, Vec<u8>>, what: &str) {
    let allocation = rows(&files["allocation.csv"]);
    let summary = rows(&files["summary.csv"]);
    let constraints = rows(&files["constraints.csv"]);
    let mut quantities: Vec<Vec<f64>> = model
        .minerals
        .iter()
        .map(|m| vec![0.0; m.offers.len()])
        .collect();
    let mut unmet = vec![0.0; model.minerals.len()];
    for (m, mineral) in model.minerals.iter().enumerate() {
        let d = mineral.demand;
        let tol = fixed_f(MEETS * d);
        let offers = model.offers_of(m);
        let mut total = 0i128;
        let mut by_country: BTreeMap<usize, i128> = BTreeMap::new();
        for r in allocation
            .iter()
            .filter(|r| r["mineral"] == mineral.name.as_str())
        {
            let k = offers
                .iter()
                .position(|o| o.supplier.as_str() == r["supplier"])
                .expect("a known offer");
            let x = fixed(&r["quantity"]);
            quantities[m][k] = r["quantity"].parse().unwrap();
            total += x;
            *by_country.entry(offers[k].country).or_default() += x;
            let o = &offers[k];
            for b in o
                .capacity
                .into_iter()
                .chain([o.min_order])
                .filter(|&b| b > 0.0)
            {
                let gap = (x - fixed_f(b)).abs();
                assert!(
                    gap == 0 || gap > tol,
                    "{what}: {} {} bought {} within the tolerance of its bound {b}",
                    mineral.name,
                    o.supplier,
                    r["quantity"]
                );
            }
        }
        let s = summary
            .iter()
            .find(|r| r["mineral"] == mineral.name.as_str())
            .expect("a summary row");
        assert_eq!(
            total,
            fixed(&s["purchased"]),
            "{what}: {} allocation sums to {total}e-18, summary says {}",
            mineral.name,
            s["purchased"]
        );
        assert_eq!(
            fixed(&s["purchased"]) + fixed(&s["unmet"]),
            fixed_f(d),
            "{what}: {} purchased + unmet ≠ demand",
            mineral.name
        );
        unmet[m] = s["unmet"].parse().unwrap();
        check_country_caps(model, m, &by_country, tol, what);
    }
    for r in &constraints {
        let slack = fixed(&r["slack"]);
        assert!(slack >= 0, "{what}: negative slack {r:?}");
        if r["binding"] == "true" {
            assert_eq!(slack, 0, "{what}: binding row with slack {r:?}");
            assert_eq!(
                r["value"], r["bound"],
                "{what}: binding row off its bound {r:?}"
            );
        }
    }
    crate::common::check_plan(model, &quantities, &unmet)
        .unwrap_or_else(|e| panic!("{what}: the written plan fails the plan checker: {e}"));
}

/// Country totals within the tolerance of a country cap they meet equal the cap exactly.
fn check_country_caps(
    model: &Model,
    m: usize,
    by_country: &BTreeMap<usize, i128>,
    tol: i128,
    what: &str,
) {
    let d = model.minerals[m].demand;
    for row in model.policy.iter().filter(|r| r.applies_to(m)) {
        if row.kind != policy::MAX_COUNTRY_SHARE {
            continue;
        }
        let cap = fixed_f(row.bound * d);
        for (&c, &q) in by_country {
            let named = match row.target {
                Target::Each => true,
                Target::Country(k) => k == c,
                _ => false,
            };
            let gap = (q - cap).abs();
            assert!(
                !named || gap == 0 || gap > tol,
                "{what}: {} buys {q}e-18 from {} within the tolerance of its cap {cap}e-18",
                model.minerals[m].name,
                model.countries[c].code
            );
        }
    }
}

#[test]
fn robust_plans_write_clean_numbers() {
    // The robust plan comes from its own optimizer (an interior point on this model),
    // and is written with the same clean numbers as `solve`'s.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/export-controls-2023");
    let model = sourcemix::input::load_model(&dir).unwrap();
    for method in ["extensive", "decomposition"] {
        let out = tempfile::tempdir().unwrap();
        crate::common::cli::run_in(
            out.path(),
            &[
                "solve",
                dir.to_str().unwrap(),
                "--robust",
                "--method",
                method,
                "--out",
                ".",
            ],
        )
        .expect_code(0);
        let files: BTreeMap<&str, Vec<u8>> = ["allocation.csv", "summary.csv", "constraints.csv"]
            .into_iter()
            .map(|f| (f, std::fs::read(out.path().join(f)).unwrap()))
            .collect();
        check_files(&model, &files, &format!("robust {method}"));
    }
}

#[test]
fn bundled_models_write_clean_numbers() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("models");
    for name in ["export-controls-2023", "rare-earths", "dual-sourcing"] {
        let model = crate::common::load(&root.join(name));
        check_written(&model, SolverChoice::Auto, name);
    }
}

#[test]
fn the_export_controls_noise_is_gone() {
    // Reproduces the issue: germanium's CHN offer came out as 250.000000001 against a
    // cap of exactly 0.5 × 500, with a negative slack.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/export-controls-2023");
    let model = crate::common::load(&root);
    let solution = crate::common::try_solve(&model, SolverChoice::Auto).unwrap();
    let report = build_report(&model, &solution);
    let files: BTreeMap<&str, Vec<u8>> = csv_files(&report).into_iter().collect();
    let alloc = String::from_utf8(files["allocation.csv"].clone()).unwrap();
    assert!(
        alloc.contains("germanium,ge-chn-1,CHN,250,0.5,1640,410000\n"),
        "{alloc}"
    );
    let cons = String::from_utf8(files["constraints.csv"].clone()).unwrap();
    assert!(
        cons.contains("max_country_share,germanium,CHN,0.5,0.5,0,true,"),
        "{cons}"
    );
    assert!(!cons.contains(",-0."), "{cons}");
}

/// A generated model with an HHI cap on every mineral and a country cap.
fn hhi_model(seed: u64, cap: f64) -> (tempfile::TempDir, Model) {
    let dir = tempfile::tempdir().unwrap();
    let opts = GenerateOptions {
        minerals: 2,
        offers: 24,
        countries: 6,
        seed,
        policy: false,
    };
    generate(dir.path(), &opts).expect("generates");
    std::fs::write(
        dir.path().join("constraints.csv"),
        format!("constraint,mineral,target,bound\nmax_hhi,*,,{cap}\nmax_country_share,*,*,0.45\n"),
    )
    .unwrap();
    let model = crate::common::load(dir.path());
    (dir, model)
}

#[test]
fn random_hhi_capped_models_write_clean_numbers() {
    for seed in 1..=6 {
        let cap = [0.22, 0.3, 0.4][seed as usize % 3];
        let (_dir, model) = hhi_model(seed, cap);
        for kind in [SolverKind::Clarabel, SolverKind::Microlp] {
            check_written(
                &model,
                SolverChoice::Named(kind),
                &format!("seed {seed} {kind}"),
            );
        }
    }
}

/// The exact sum of non-negative plain decimals, as a plain decimal without leading or
/// trailing zeros: digit by digit, independent of the library's arithmetic.
fn decimal_sum(values: &[&str]) -> String {
    let split = |s: &str| -> (String, String) {
        assert!(!s.starts_with('-') && !s.contains('e'), "{s}");
        let (i, f) = s.split_once('.').unwrap_or((s, ""));
        (i.to_string(), f.to_string())
    };
    let parts: Vec<(String, String)> = values.iter().map(|s| split(s)).collect();
    let (wi, wf) = parts
        .iter()
        .fold((1, 0), |(a, b), (i, f)| (a.max(i.len()), b.max(f.len())));
    let mut acc = vec![0u32; wi + wf + values.len().to_string().len() + 1];
    for (i, f) in &parts {
        let digits = format!("{i:0>wi$}{f:0<wf$}");
        for (k, d) in digits.bytes().rev().enumerate() {
            acc[k] += u32::from(d - b'0');
        }
    }
    for k in 0..acc.len() - 1 {
        acc[k + 1] += acc[k] / 10;
        acc[k] %= 10;
    }
    let text: String = acc
        .iter()
        .rev()
        .map(|d| char::from(b'0' + *d as u8))
        .collect();
    let (int, frac) = text.split_at(text.len() - wf);
    normal(&format!("{int}.{frac}"))
}

/// A plain decimal without leading zeros of its integer part or trailing zeros.
fn normal(s: &str) -> String {
    let (i, f) = s.split_once('.').unwrap_or((s, ""));
    let i = i.trim_start_matches('0');
    let f = f.trim_end_matches('0');
    let i = if i.is_empty() { "0" } else { i };
    if f.is_empty() {
        i.to_string()
    } else {
        format!("{i}.{f}")
    }
}

/// The text of the first `"key": value` in pretty JSON `text`.
fn json_field<'a>(text: &'a str, key: &str) -> &'a str {
    let at = text.find(&format!("\"{key}\": ")).unwrap() + key.len() + 4;
    let rest = &text[at..];
    rest[..rest.find([',', '\n']).unwrap()].trim()
}

/// The text of `key` in the summary's `*` row of a solve report's pretty JSON.
fn json_total<'a>(text: &'a str, key: &str) -> &'a str {
    json_field(&text[text.find("\"mineral\": \"*\"").unwrap()..], key)
}

/// Re-summing summary.csv's per-mineral rows gives its `*` row exactly, for demand,
/// purchased, unmet and cost, and JSON holds the same digits (also as `total_cost`);
/// returns the most significant digits a total needed.
fn check_totals(model: &Model, what: &str) -> usize {
    let solution = crate::common::try_solve(model, SolverChoice::Auto).expect("solves");
    let report = build_report(model, &solution);
    let files: BTreeMap<&str, Vec<u8>> = csv_files(&report).into_iter().collect();
    let rows = rows(&files["summary.csv"]);
    let (total, minerals) = rows.split_last().unwrap();
    assert_eq!(total["mineral"], "*", "{what}");
    let json = sourcemix::report::json::to_string_pretty(&report).unwrap();
    // The totals row has the fields of every other row.
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    let keys = |row: &serde_json::Value| -> Vec<String> {
        row.as_object().unwrap().keys().cloned().collect()
    };
    let summary = doc["summary"].as_array().unwrap();
    assert_eq!(keys(&summary[0]), keys(summary.last().unwrap()), "{what}");
    assert_eq!(
        json_field(&json, "total_cost"),
        total["cost"],
        "{what}: total_cost"
    );
    let mut digits = 0;
    for col in ["demand", "purchased", "unmet", "cost"] {
        let cells: Vec<&str> = minerals.iter().map(|r| r[col].as_str()).collect();
        let sum = decimal_sum(&cells);
        assert_eq!(normal(&total[col]), sum, "{what}: {col} total vs {cells:?}");
        // JSON carries the same digits.
        assert_eq!(json_total(&json, col), total[col], "{what}: JSON {col}");
        digits = digits.max(sum.trim_start_matches(['0', '.']).replace('.', "").len());
    }
    digits
}

#[test]
fn summary_totals_re_sum_exactly_on_random_models() {
    for seed in 1..=6 {
        let dir = tempfile::tempdir().unwrap();
        let opts = GenerateOptions {
            minerals: 2 + seed as usize % 4,
            offers: 30,
            countries: 8,
            seed,
            policy: seed % 2 == 0,
        };
        generate(dir.path(), &opts).expect("generates");
        let model = crate::common::load(dir.path());
        check_totals(&model, &format!("generated seed {seed}"));
        let (_dir, model) = hhi_model(seed, 0.3);
        check_totals(&model, &format!("hhi seed {seed}"));
    }
    // Minerals of very different sizes and prices: the totals need more digits than the
    // 12 significant ones of a single value (a float sum written as one would not
    // re-sum).
    let model = crate::common::model_from(&[
        (
            "suppliers.csv",
            "supplier,mineral,country,unit_cost,capacity\n\
             a1,big,AAA,3.14159265,900000\n\
             a2,big,BBB,2.71828183,400000.123\n\
             b1,tiny,AAA,1234.56789,0.01\n\
             b2,tiny,CCC,987.654321,1\n\
             c1,mid,BBB,0.333333333,50\n",
        ),
        (
            "demand.csv",
            "mineral,quantity\nbig,1234567.891\ntiny,0.0123456789\nmid,37.77\n",
        ),
    ]);
    let digits = check_totals(&model, "mixed scales");
    assert!(
        digits > 12,
        "the mixed-scale totals need only {digits} digits"
    );
}
