//! `bench`: two solvers on one model agree (and on the hand-solved optimum); a
//! perturbed objective and a differing status are flagged; the CLI's CSV reads back and
//! disagreement exits with its code.

use crate::common::{assert_rel, model_from};
use assert_cmd::Command;
use sourcemix::engine::SolverKind;
use sourcemix::tools::bench::{
    bench, compare, parse_spec, BenchOptions, AGREEMENT_TOLERANCE, DISAGREEMENT_EXIT,
};
use std::num::NonZeroUsize;

/// China capped at 40 %: 40 from CHN at 10, 60 from JPN at 12 = 1120.
fn capped_model() -> sourcemix::Model {
    model_from(&[
        (
            "suppliers.csv",
            "supplier,mineral,country,unit_cost,capacity\n\
             c1,ga,CHN,10,100\n\
             j1,ga,JPN,12,100\n",
        ),
        ("demand.csv", "mineral,quantity\nga,100\n"),
        (
            "constraints.csv",
            "constraint,mineral,target,bound\nmax_country_share,ga,CHN,0.4\n",
        ),
    ])
}

fn two_solvers(repeat: usize) -> BenchOptions {
    BenchOptions {
        solvers: vec![SolverKind::Clarabel, SolverKind::Microlp],
        repeat: NonZeroUsize::new(repeat).expect("at least one run"),
        threads: NonZeroUsize::new(1),
    }
}

#[test]
fn two_solvers_agree_on_the_hand_solved_optimum() {
    let model = capped_model();
    let mut calls = Vec::new();
    let report = bench(&model, "capped", &two_solvers(3), &mut |d, t| {
        calls.push((d, t))
    })
    .unwrap();
    assert_eq!(report.results.len(), 2);
    for r in &report.results {
        assert_eq!(r.status, "optimal");
        assert_eq!(r.runs, 3);
        assert_rel(r.objective.unwrap(), 1120.0, 1e-9, &r.solver);
        assert!(r.build_secs.min <= r.build_secs.median && r.build_secs.median <= r.build_secs.max);
        assert!(r.solve_secs.min <= r.solve_secs.median && r.solve_secs.median <= r.solve_secs.max);
    }
    assert!(report.agreement.agree, "{:?}", report.agreement);
    assert!(report.agreement.max_rel_diff.unwrap() <= AGREEMENT_TOLERANCE);
    assert_eq!(report.exit_code(), 0);
    assert_eq!(calls.first(), Some(&(0, 6)));
    assert_eq!(calls.last(), Some(&(6, 6)));
}

#[test]
fn a_perturbed_objective_is_flagged() {
    let model = capped_model();
    let report = bench(&model, "capped", &two_solvers(1), &mut |_, _| ()).unwrap();
    let mut results = report.results.clone();
    // Within the tolerance: still agreement.
    let o = results[1].objective.unwrap();
    results[1].objective = Some(o * (1.0 + 0.5 * AGREEMENT_TOLERANCE));
    assert!(compare(&results, AGREEMENT_TOLERANCE).agree);
    // Beyond it: flagged, with the solvers named.
    results[1].objective = Some(o * (1.0 + 10.0 * AGREEMENT_TOLERANCE));
    let a = compare(&results, AGREEMENT_TOLERANCE);
    assert!(!a.agree);
    assert_rel(
        a.max_rel_diff.unwrap(),
        10.0 * AGREEMENT_TOLERANCE,
        1e-3,
        "difference",
    );
    let why = a.reason.unwrap();
    assert!(why.contains("clarabel") && why.contains("microlp"), "{why}");
    // A different status is a disagreement too.
    let mut results = report.results.clone();
    results[0].status = "infeasible".into();
    results[0].objective = None;
    assert!(!compare(&results, AGREEMENT_TOLERANCE).agree);
    let mut flagged = report.clone();
    flagged.agreement = compare(&results, AGREEMENT_TOLERANCE);
    assert_eq!(flagged.exit_code(), DISAGREEMENT_EXIT);
}

#[test]
fn generator_spec() {
    let o = parse_spec("offers=10000,minerals=10,seed=7,countries=30").unwrap();
    assert_eq!(
        (o.offers, o.minerals, o.seed, o.countries),
        (10000, 10, 7, 30)
    );
    assert_eq!(parse_spec("offers=100,minerals=2").unwrap().seed, 1);
    for bad in [
        "offers=10",
        "offers=x,minerals=2",
        "offers=10,minerals=2,colour=3",
        "garbage",
    ] {
        assert_eq!(parse_spec(bad).unwrap_err().exit_code(), 2, "{bad}");
    }
}

#[test]
fn cli_csv_reads_back_and_usage_errors() {
    let out = Command::cargo_bin("sourcemix")
        .unwrap()
        .args(["bench", "--generate", "offers=200,minerals=2,seed=3"])
        .args([
            "--solvers",
            "clarabel,microlp",
            "--repeat",
            "1",
            "--format",
            "csv",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let mut reader = csv::Reader::from_reader(out.as_slice());
    let header = reader.headers().unwrap().clone();
    assert_eq!(&header[1], "solver");
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 2);
    let objectives: Vec<f64> = rows.iter().map(|r| r[4].parse().unwrap()).collect();
    assert_rel(objectives[0], objectives[1], 1e-6, "clarabel vs microlp");
    assert!(rows.iter().all(|r| &r[12] == "yes"));
    Command::cargo_bin("sourcemix")
        .unwrap()
        .args(["bench", "--generate", "offers=20", "--solvers", "clarabel"])
        .assert()
        .code(2);
    Command::cargo_bin("sourcemix")
        .unwrap()
        .args([
            "bench",
            "--generate",
            "offers=20,minerals=1",
            "--solvers",
            "nope",
        ])
        .assert()
        .code(2);
}

/// The solvers `sourcemix solvers --format json` lists, with whether each has integers.
fn listed_solvers() -> Vec<(String, bool)> {
    let out = crate::common::cli::command()
        .args(["solvers", "--format", "json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let list: serde_json::Value = serde_json::from_slice(&out).expect("solvers JSON");
    list.as_array()
        .expect("a list of solvers")
        .iter()
        .map(|s| {
            let name = s["name"].as_str().expect("a name").to_string();
            (name, s["capabilities"]["integers"] == true)
        })
        .collect()
}

/// `bench` without `--solvers` on `args`: its CSV rows as (solver, status, objective),
/// and its stderr.
fn bench_every_solver(args: &[&str]) -> (Vec<(String, String, f64)>, String) {
    let out = crate::common::cli::command()
        .arg("bench")
        .args(args)
        .args(["--repeat", "1", "--format", "csv"])
        .assert()
        .success()
        .get_output()
        .clone();
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    let rows = reader
        .records()
        .map(|r| {
            let r = r.expect("a CSV row");
            (
                r[1].to_string(),
                r[3].to_string(),
                r[4].parse().expect("objective"),
            )
        })
        .collect();
    (rows, String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn without_solvers_every_solver_of_the_build_runs_and_agrees() {
    let listed: Vec<String> = listed_solvers().into_iter().map(|(n, _)| n).collect();
    assert!(listed.len() >= 2, "{listed:?}");
    // A generated model: one row per listed solver, in the listing's order, all agreeing.
    let (rows, _) = bench_every_solver(&["--generate", "offers=200,minerals=2,seed=3"]);
    let solvers: Vec<&str> = rows.iter().map(|(s, _, _)| s.as_str()).collect();
    assert_eq!(solvers, listed);
    for (solver, status, objective) in &rows {
        assert_eq!(status, "optimal", "{solver}");
        assert_rel(*objective, rows[0].2, 1e-6, solver);
    }
    // The hand-solved capped model (1120): every solver finds it.
    let wd = crate::common::cli::Workdir::with_model(&[
        (
            "suppliers.csv",
            "supplier,mineral,country,unit_cost,capacity\nc1,ga,CHN,10,100\nj1,ga,JPN,12,100\n",
        ),
        ("demand.csv", "mineral,quantity\nga,100\n"),
        (
            "constraints.csv",
            "constraint,mineral,target,bound\nmax_country_share,ga,CHN,0.4\n",
        ),
    ]);
    let model = wd.path("model");
    let (rows, _) = bench_every_solver(&[model.to_str().unwrap()]);
    assert_eq!(rows.len(), listed.len());
    for (solver, _, objective) in &rows {
        assert_rel(*objective, 1120.0, 1e-9, solver);
    }
}

#[test]
fn without_solvers_an_integer_model_leaves_out_solvers_without_integers() {
    // j1 sells at least 10 and two suppliers are required: 90 × 10 + 10 × 12 = 1020.
    let wd = crate::common::cli::Workdir::with_model(&[
        (
            "suppliers.csv",
            "supplier,mineral,country,unit_cost,capacity,min_order\n\
             c1,ga,CHN,10,100,0\nj1,ga,JPN,12,100,10\n",
        ),
        ("demand.csv", "mineral,quantity\nga,100\n"),
        (
            "constraints.csv",
            "constraint,mineral,target,bound\nmin_suppliers,ga,,2\n",
        ),
    ]);
    let model = wd.path("model");
    let (rows, stderr) = bench_every_solver(&[model.to_str().unwrap()]);
    let listed = listed_solvers();
    let with_integers: Vec<&str> = listed
        .iter()
        .filter(|(_, i)| *i)
        .map(|(n, _)| n.as_str())
        .collect();
    let solvers: Vec<&str> = rows.iter().map(|(s, _, _)| s.as_str()).collect();
    assert_eq!(solvers, with_integers);
    for (solver, _, objective) in &rows {
        assert_rel(*objective, 1020.0, 1e-9, solver);
    }
    for (name, _) in listed.iter().filter(|(_, i)| !*i) {
        assert!(stderr.contains(&format!("{name} left out")), "{stderr}");
    }
}
