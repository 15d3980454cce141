//! `compare`: every case against an independent reference. A rule-set case costs what a
//! direct solve of the model costs with constraints.csv edited by the test itself; a
//! fixed plan costs Σ landed · x + fixed costs + penalty · unmet as the test computes it;
//! expected cost and CVaR are `stress` run on the case's own plan; bad cases files are
//! exit 2 naming file, line, column and value; the command writes compare.csv (and its
//! sheet) and nothing when it refuses.

use std::path::{Path, PathBuf};

use crate::common::cli::Workdir;
use crate::common::*;
use sourcemix::analysis::compare::{CaseStatus, CompareOptions, CompareRow, Comparison};
use sourcemix::analysis::stress::{stress, StressOptions};
use sourcemix::commands::compare_model;
use sourcemix::report::Outputs;
use sourcemix::solve::{SolveOptions, Status};
use sourcemix::solve_plan;
use sourcemix::tools::generate::{generate, GenerateOptions};

/// The model files a folder may hold.
const MODEL_FILES: &[&str] = &[
    "suppliers.csv",
    "demand.csv",
    "countries.csv",
    "constraints.csv",
    "scenarios.csv",
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The data lines of constraints.csv as cells.
fn policy_lines(dir: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(dir.join("constraints.csv")).unwrap_or_default();
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split(',').map(|c| c.trim().to_string()).collect())
        .collect()
}

/// A copy of model `src` in `dst` with constraints.csv replaced by `lines`.
fn edited_model(src: &Path, dst: &Path, lines: &[Vec<String>]) {
    std::fs::create_dir_all(dst).unwrap();
    for name in MODEL_FILES {
        if src.join(name).exists() {
            std::fs::copy(src.join(name), dst.join(name)).unwrap();
        }
    }
    let mut text = String::from("constraint,mineral,target,bound\n");
    for l in lines {
        text.push_str(&l.join(","));
        text.push('\n');
    }
    std::fs::write(dst.join("constraints.csv"), text).unwrap();
}

/// One case of the test: its line(s) in the cases file and the constraints.csv lines
/// the test derives for it by hand.
struct Case {
    name: &'static str,
    rows: Vec<String>,
    lines: Vec<Vec<String>>,
}

fn cells(s: &str) -> Vec<String> {
    s.split(',').map(String::from).collect()
}

/// The cases over `policy`: full, none, at most 3 offers, the second row's rule dropped,
/// every-country caps moved to 0.7 with a 45% supplier cap added.
fn cases_for(policy: &[Vec<String>]) -> Vec<Case> {
    let dropped = policy[1][0].clone();
    let mut limited = policy.to_vec();
    limited.push(cells("max_suppliers,*,,3"));
    let mut moved: Vec<Vec<String>> = policy
        .iter()
        .map(|l| {
            if l[..3] == ["max_country_share", "*", "*"] {
                cells("max_country_share,*,*,0.7")
            } else {
                l.clone()
            }
        })
        .collect();
    moved.push(cells("max_supplier_share,*,*,0.45"));
    vec![
        Case {
            name: "full",
            rows: vec!["full,full_policy,,,,,".into()],
            lines: policy.to_vec(),
        },
        Case {
            name: "none",
            rows: vec!["none,no_rules,,,,,".into()],
            lines: Vec::new(),
        },
        Case {
            name: "three",
            rows: vec!["three,limited_suppliers,,,,3,".into()],
            lines: limited,
        },
        Case {
            name: "dropped",
            rows: vec![format!("dropped,drop,{dropped},,,,")],
            lines: policy.iter().filter(|l| l[0] != dropped).cloned().collect(),
        },
        Case {
            name: "moved",
            rows: vec![
                "moved,bound,max_country_share,*,*,0.7,".into(),
                "moved,add,max_supplier_share,*,*,0.45,".into(),
            ],
            lines: moved,
        },
    ]
}

fn write_cases(path: &Path, cases: &[Case]) {
    let mut text = String::from("case,action,constraint,mineral,target,bound,file\n");
    for c in cases {
        for r in &c.rows {
            text.push_str(r);
            text.push('\n');
        }
    }
    std::fs::write(path, text).unwrap();
}

fn opts() -> CompareOptions {
    CompareOptions {
        solve: SolveOptions {
            threads: std::num::NonZeroUsize::new(2),
            ..SolveOptions::default()
        },
        ..CompareOptions::default()
    }
}

fn total<'a>(c: &'a Comparison, case: &str) -> &'a CompareRow {
    c.rows
        .iter()
        .find(|r| r.case == case && r.mineral == "*")
        .unwrap_or_else(|| panic!("no * row for {case}"))
}

/// Runs the cases on `model` and checks each against a direct solve of its edited model
/// (and its stress against `stress` of that solve's plan).
fn check_against_direct_solves(model: &Path) {
    let tmp = tempfile::tempdir().unwrap();
    let policy = policy_lines(model);
    let mut cases = cases_for(&policy);
    // A rule set of its own: the policy's first row alone.
    std::fs::write(
        tmp.path().join("rules.csv"),
        format!("constraint,mineral,target,bound\n{}\n", policy[0].join(",")),
    )
    .unwrap();
    cases.push(Case {
        name: "own_file",
        rows: vec!["own_file,rules,,,,,rules.csv".into()],
        lines: vec![policy[0].clone()],
    });
    let cases_path = tmp.path().join("cases.csv");
    write_cases(&cases_path, &cases);
    let out = tmp.path().join("out");
    let run = compare_model(model, Some(&cases_path), &Outputs::csv(&out), &opts()).unwrap();
    let cmp = &run.comparison;
    let none_cost = total(cmp, "none").cost.expect("no_rules has a plan");
    for case in &cases {
        let dir = tmp.path().join(case.name);
        edited_model(model, &dir, &case.lines);
        let loaded = load_all(&dir);
        let direct = solve_plan(&loaded.model, &SolveOptions::default()).unwrap();
        let row = total(cmp, case.name);
        let what = format!("{} case {}", model.display(), case.name);
        if direct.status == Status::Infeasible {
            assert_eq!(row.status, CaseStatus::Infeasible, "{what}");
            assert_eq!(row.cost, None, "{what}");
            continue;
        }
        assert_eq!(direct.status, Status::Optimal, "{what}");
        assert_eq!(row.status, CaseStatus::Optimal, "{what}");
        let cost = row.cost.unwrap();
        assert_rel(cost, direct.cost(), 1e-6, &what);
        assert!(
            none_cost <= cost * (1.0 + 1e-9),
            "{what}: no_rules costs more"
        );
        for (m, mineral) in loaded.model.minerals.iter().enumerate() {
            let r = cmp
                .rows
                .iter()
                .find(|r| r.case == case.name && r.mineral == mineral.name)
                .unwrap();
            assert_rel(r.cost.unwrap(), direct.minerals[m].cost, 1e-6, &what);
        }
        if loaded.scenarios.is_empty() {
            assert_eq!(row.expected_cost, None, "{what}");
            continue;
        }
        let s = stress(
            &loaded.model,
            &direct.quantities(),
            &loaded.scenarios,
            &StressOptions::default(),
        )
        .unwrap();
        assert_rel(
            row.expected_cost.unwrap(),
            s.summary.expected_cost,
            1e-6,
            &what,
        );
        assert_rel(row.cvar_cost.unwrap(), s.summary.cvar_cost, 1e-6, &what);
    }
    let first = total(cmp, "full").cost.unwrap();
    for case in &cases {
        let row = total(cmp, case.name);
        if let Some(cost) = row.cost {
            assert_close(row.saving.unwrap(), first - cost, 1e-6 * first, "saving");
        }
    }
}

#[test]
fn each_case_costs_a_direct_solve_of_its_edited_model_on_the_bundled_models() {
    for model in ["export-controls-2023", "rare-earths", "dual-sourcing"] {
        check_against_direct_solves(&root().join("models").join(model));
    }
}

#[test]
fn each_case_costs_a_direct_solve_of_its_edited_model_on_random_models() {
    for seed in [3, 11] {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("model");
        let gen = GenerateOptions {
            minerals: 3,
            offers: 60,
            countries: 8,
            seed,
            policy: true,
        };
        generate(&dir, &gen).unwrap();
        check_against_direct_solves(&dir);
    }
}

#[test]
fn limited_suppliers_is_the_max_suppliers_row_added_by_hand() {
    // One mineral, three offers; at most one offer: the cheapest that covers demand.
    let wd = Workdir::with_model(&[
        (
            "suppliers.csv",
            "supplier,mineral,country,unit_cost,capacity\nA,ga,AUS,10,60\nB,ga,CHN,8,70\nC,ga,CAN,12,200\n",
        ),
        ("demand.csv", "mineral,quantity\nga,100\n"),
    ]);
    wd.write_bytes(
        "cases.csv",
        b"case,action,constraint,mineral,target,bound,file\nbest,no_rules,,,,,\none,limited_suppliers,,,,1,\ntwo,limited_suppliers,,,,2,\n",
    );
    let c = compare_model(
        &wd.path("model"),
        Some(&wd.path("cases.csv")),
        &Outputs::csv(&wd.path("out")),
        &opts(),
    )
    .unwrap()
    .comparison;
    // By hand: best 70·8 + 30·10 = 860; one offer: only C covers 100, 1200; two: B and
    // A, 860.
    assert_eq!(total(&c, "best").cost, Some(860.0));
    assert_eq!(total(&c, "one").cost, Some(1200.0));
    assert_eq!(total(&c, "two").cost, Some(860.0));
    assert_eq!(total(&c, "one").saving, Some(-340.0));
    let binding = &total(&c, "one").binding_rules;
    assert!(
        binding.len() == 1 && binding[0].starts_with("ga: the maximum of 1 supplier"),
        "{binding:?}"
    );
}

#[test]
fn a_fixed_plan_costs_what_it_buys_and_names_the_rows_it_breaks() {
    let model = root().join("models/export-controls-2023");
    let loaded = load_all(&model);
    let tmp = tempfile::tempdir().unwrap();
    // 80% from China for gallium, graphite short of demand (unmet at its penalty).
    let plan = "mineral,supplier,quantity\ngallium,ga-chn-1,400\ngallium,ga-kor-1,100\ngermanium,ge-chn-1,250\ngermanium,ge-rus-1,250\ngraphite,gr-moz-1,9000\n";
    std::fs::write(tmp.path().join("plan.csv"), plan).unwrap();
    std::fs::write(
        tmp.path().join("cases.csv"),
        "case,action,constraint,mineral,target,bound,file\nincumbent,plan,,,,,plan.csv\nbest,no_rules,,,,,\n",
    )
    .unwrap();
    let c = compare_model(
        &model,
        Some(&tmp.path().join("cases.csv")),
        &Outputs::csv(&tmp.path().join("out")),
        &opts(),
    )
    .unwrap()
    .comparison;
    // The plan per mineral, in the model's offer order.
    let mut x: Vec<Vec<f64>> = Vec::new();
    let picks = [
        ("ga-chn-1", 400.0),
        ("ga-kor-1", 100.0),
        ("ge-chn-1", 250.0),
        ("ge-rus-1", 250.0),
        ("gr-moz-1", 9000.0),
    ];
    let mut unmet = Vec::new();
    for mineral in &loaded.model.minerals {
        let q: Vec<f64> = mineral
            .offers
            .clone()
            .map(|i| {
                let id = loaded.model.offers[i].supplier.as_str();
                picks.iter().find(|p| p.0 == id).map_or(0.0, |p| p.1)
            })
            .collect();
        unmet.push(mineral.demand - q.iter().sum::<f64>());
        x.push(q);
    }
    let expected = plan_cost(&loaded.model, &x, &unmet);
    let row = total(&c, "incumbent");
    assert_eq!(row.status, CaseStatus::Evaluated);
    assert_rel(row.cost.unwrap(), expected, 1e-12, "plan cost");
    // graphite: 1000 unmet at 3720.
    assert!(unmet[2] == 1000.0);
    let ga = c
        .rows
        .iter()
        .find(|r| r.case == "incumbent" && r.mineral == "gallium")
        .unwrap();
    // 400 of 500 from CHN breaks the 50% cap; the HHI 0.8² + 0.2² = 0.68 breaks 0.4.
    assert!(
        ga.broken_rules
            .iter()
            .any(|r| r.starts_with("the 50% cap on CHN")),
        "{ga:?}"
    );
    assert!(
        ga.broken_rules.iter().any(|r| r.starts_with("the HHI cap")),
        "{ga:?}"
    );
    assert!(ga.binding_rules.is_empty());
    // germanium: 50% CHN is at the cap, not past it.
    let ge = c
        .rows
        .iter()
        .find(|r| r.case == "incumbent" && r.mineral == "germanium")
        .unwrap();
    assert!(
        !ge.broken_rules.iter().any(|r| r.contains("cap on CHN")),
        "{ge:?}"
    );
    assert_eq!(ge.top_country_share, Some(0.5));
    // The plan's expected cost and CVaR are stress's own.
    let flat: Vec<f64> = x.concat();
    let s = stress(
        &loaded.model,
        &flat,
        &loaded.scenarios,
        &StressOptions::default(),
    )
    .unwrap();
    assert_rel(
        row.expected_cost.unwrap(),
        s.summary.expected_cost,
        1e-12,
        "E",
    );
    assert_rel(row.cvar_cost.unwrap(), s.summary.cvar_cost, 1e-12, "CVaR");
    // Per mineral: Σ p·L over gallium's rows of stress.csv, and their CVaR.
    let losses: Vec<(f64, f64)> = s
        .rows
        .iter()
        .filter(|r| r.mineral == "gallium")
        .map(|r| (r.total_cost, r.probability))
        .collect();
    let e: f64 = losses.iter().map(|(l, p)| l * p).sum();
    assert_rel(ga.expected_cost.unwrap(), e, 1e-12, "gallium E");
    let worst = losses.iter().map(|l| l.0).fold(0.0, f64::max);
    assert!(ga.cvar_cost.unwrap() >= e - 1e-9 && ga.cvar_cost.unwrap() <= worst + 1e-9);
    // no_rules is the best bid: never dearer than the plan.
    assert!(total(&c, "best").cost.unwrap() <= row.cost.unwrap());
}

/// The cases file and the model for the command-line tests.
fn cli_workdir(cases: &str) -> Workdir {
    let wd = Workdir::with_model(&[
        (
            "suppliers.csv",
            "supplier,mineral,country,unit_cost,capacity\nA,ga,AUS,10,60\nB,ga,CHN,8,70\nC,ga,CAN,12,200\n",
        ),
        ("demand.csv", "mineral,quantity\nga,100\n"),
        (
            "constraints.csv",
            "constraint,mineral,target,bound\nmax_country_share,*,*,0.5\n",
        ),
    ]);
    wd.write_bytes("cases.csv", cases.as_bytes());
    wd
}

const HEADER: &str = "case,action,constraint,mineral,target,bound,file\n";

#[test]
fn bad_cases_files_are_exit_2_with_file_line_column_and_value() {
    // (rows, file:line, column, value) of each refusal.
    let bad = [
        ("x,best_bid,,,,,\n", "cases.csv:2", "action", "best_bid"),
        (
            "a,no_rules,,,,,\nb,no_rules,,,,,\na,full_policy,,,,,\n",
            "cases.csv:4",
            "case",
            "a",
        ),
        ("r,rules,,,,,nope.csv\n", "cases.csv:2", "file", "nope.csv"),
        (
            "b,bound,max_country_share,*,*,1.5,\n",
            "cases.csv:2",
            "bound",
            "1.5",
        ),
        (
            "l,limited_suppliers,,,,2.5,\n",
            "cases.csv:2",
            "bound",
            "2.5",
        ),
        (
            "d,drop,max_hhi,,,,\n",
            "cases.csv:2",
            "constraint",
            "max_hhi",
        ),
        ("p,plan,,,,,plan.csv\n", "plan.csv:2", "supplier", "ZZ"),
        (
            "r,rules,,,,,rules.csv\n",
            "rules.csv:2",
            "constraint",
            "max_xyz",
        ),
        (
            "q,full_policy,,,,,\nq,limited_suppliers,,,,2,\n",
            "cases.csv:3",
            "action",
            "limited_suppliers",
        ),
    ];
    for (rows, at, column, value) in bad {
        let wd = cli_workdir(&(HEADER.to_string() + rows));
        wd.write_bytes("plan.csv", b"mineral,supplier,quantity\nga,ZZ,10\n");
        wd.write_bytes(
            "rules.csv",
            b"constraint,mineral,target,bound\nmax_xyz,*,,1\n",
        );
        let run = wd.run(&["compare", "model", "--cases", "cases.csv", "--out", "out"]);
        run.expect_code(2);
        let err = run.stderr();
        let needle = format!("{at}: column {column}: \"{value}\"");
        assert!(
            err.contains(&needle),
            "{rows}: stderr lacks {needle:?}:\n{err}"
        );
        assert!(
            wd.files_under("out").is_empty(),
            "{rows}: wrote {:?}",
            wd.files_under("out")
        );
    }
}

#[test]
fn the_command_writes_compare_csv_and_its_sheet_and_nothing_on_refusal() {
    let wd = cli_workdir(&(HEADER.to_string() + "full,full_policy,,,,,\nbest,no_rules,,,,,\n"));
    let run = wd.run(&[
        "compare",
        "model",
        "--cases",
        "cases.csv",
        "--out",
        "out",
        "--xlsx",
        "out/c.xlsx",
    ]);
    run.expect_code(0).stdout_has("best");
    let csv = wd.read("out/compare.csv");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "case,mineral,status,cost,saving,saving_share,suppliers,countries,top_country,top_country_share,hhi,avg_risk,expected_cost,cvar_cost,binding_rules,broken_rules"
    );
    // By hand: the 50% cap: 50·8 + 50·10 = 900; without it 70·8 + 30·10 = 860.
    assert!(lines[2].starts_with("full,*,optimal,900,0,0,2,2,"), "{csv}");
    assert!(lines[4].starts_with("best,*,optimal,860,40,"), "{csv}");
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(wd.path("out/c.xlsx")).unwrap();
    use calamine::Reader;
    assert!(book.sheet_names().contains(&"compare".to_string()));
    let range = book.worksheet_range("compare").unwrap();
    assert_eq!(range.height(), lines.len());
    // Without --cases: full_policy, then no_rules.
    wd.run(&["compare", "model", "--out", "out2"])
        .expect_code(0);
    let csv = wd.read("out2/compare.csv");
    assert!(csv.contains("\nfull_policy,*,optimal,900,") && csv.contains("\nno_rules,*,"));
    // --out the model folder: refused, nothing written there.
    let run = wd.run(&["compare", "model", "--out", "model"]);
    run.expect_code(2);
    assert!(!wd.path("model/compare.csv").exists());
    // An infeasible case is a row saying so, and the run still succeeds.
    let wd = cli_workdir(&(HEADER.to_string() + "tight,bound,max_country_share,*,*,0.2,\n"));
    wd.run(&["compare", "model", "--cases", "cases.csv", "--out", "out"])
        .expect_code(0);
    assert!(wd
        .read("out/compare.csv")
        .contains("\ntight,*,infeasible,,"));
}

#[test]
fn edits_select_rows_by_rule_mineral_and_target_as_written() {
    let suppliers = "supplier,mineral,country,unit_cost,capacity\nA,ga,AUS,10,100\nB,ga,CHN,8,100\nC,ga,CAN,12,100\n";
    let demand = "mineral,quantity\nga,100\n";
    let policy = "max_country_share,ga,CHN,0.6\nmax_country_share,ga,AUS,0.9\nmin_suppliers,*,,2\n";
    let header = "constraint,mineral,target,bound\n";
    let wd = Workdir::with_model(&[
        ("suppliers.csv", suppliers),
        ("demand.csv", demand),
        ("constraints.csv", &format!("{header}{policy}")),
    ]);
    wd.write_bytes(
        "cases.csv",
        format!(
            "{HEADER}a,drop,max_country_share,ga,CHN,,\nb,bound,max_country_share,,AUS,0.5,\nb,add,max_hhi,*,,0.5,\nc,no_rules,,,,,\nc,add,exclude_country,ga,CHN,,\n"
        )
        .as_bytes(),
    );
    let model = load(&wd.path("model"));
    let (cases, _) = sourcemix::input::load_cases(&wd.path("cases.csv"), &model).unwrap();
    // The rule sets written out by hand, read as constraints.csv.
    let expected = [
        "max_country_share,ga,AUS,0.9\nmin_suppliers,*,,2\n",
        "max_country_share,ga,CHN,0.6\nmax_country_share,ga,AUS,0.5\nmin_suppliers,*,,2\nmax_hhi,*,,0.5\n",
        "exclude_country,ga,CHN,\n",
    ];
    assert_eq!(cases.len(), 3);
    for (case, text) in cases.iter().zip(expected) {
        let by_hand = model_from(&[
            ("suppliers.csv", suppliers),
            ("demand.csv", demand),
            ("constraints.csv", &format!("{header}{text}")),
        ]);
        let sourcemix::input::CaseKind::Policy(rows) = &case.what else {
            panic!("{} is a rule set", case.name)
        };
        let strip = |rows: &[sourcemix::model::PolicyRow]| -> Vec<_> {
            rows.iter()
                .map(|r| (r.kind, r.mineral, r.target.clone(), r.bound))
                .collect()
        };
        assert_eq!(strip(rows), strip(&by_hand.policy), "case {}", case.name);
    }
}
