//! Integer rules end to end: a minimum order that pushes the cheap supplier out, counts
//! that cannot be met (exit 3 naming the row), and time limits (exit 4 without a plan).

use crate::common::cli::run_in;
use crate::common::write_files as write;

/// Runs the binary; (exit code, stdout, stderr), everything printed for a failing test.
fn run(args: &[&str]) -> (i32, String, String) {
    let r = run_in(std::path::Path::new("."), args);
    eprintln!("{r}");
    (r.code().unwrap_or(-1), r.stdout(), r.stderr())
}

// D = 100. A (CHN) 10/unit but min_order 150 — more than the whole demand, so it can
// never be used; B (AUS) 12 takes everything: cost 1200, A = 0.
#[test]
fn min_order_above_demand_forces_the_cheap_supplier_out() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            (
                "suppliers.csv",
                "supplier,mineral,country,unit_cost,min_order\nA,ga,CHN,10,150\nB,ga,AUS,12,\n",
            ),
            ("demand.csv", "mineral,quantity\nga,100\n"),
        ],
    );
    let out = dir.path().join("out");
    let (code, _, _) = run(&[
        "solve",
        dir.path().to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0);
    let allocation = std::fs::read_to_string(out.join("allocation.csv")).unwrap();
    assert_eq!(
        allocation,
        "mineral,supplier,country,quantity,share,landed_unit_cost,cost\nga,B,AUS,100,1,12,1200\n"
    );
}

// Three offers, min_suppliers 4 (line 3 of constraints.csv): infeasible whatever is bought;
// the least relaxation moves that row's bound from 4 to 3.
#[test]
fn min_suppliers_above_the_offers_exits_3_naming_the_row() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            (
                "suppliers.csv",
                "supplier,mineral,country,unit_cost\nA,ga,CHN,10\nB,ga,AUS,12\nC,ga,CAN,13\n",
            ),
            ("demand.csv", "mineral,quantity\nga,100\n"),
            (
                "constraints.csv",
                "constraint,mineral,target,bound\nmax_country_share,*,*,0.9\nmin_suppliers,ga,,4\n",
            ),
        ],
    );
    let out = dir.path().join("out");
    let (code, _, stderr) = run(&[
        "solve",
        dir.path().to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 3);
    // The account `explain` gives, in words: mineral, rule, bound 4 → 3, line.
    assert!(
        stderr.contains(
            "ga: lower the minimum number of suppliers for ga from 4 to 3 (constraints.csv:3 min_suppliers), or the model has no solution"
        ),
        "{stderr}"
    );
    assert!(!out.exists() || std::fs::read_dir(&out).unwrap().next().is_none());
}

// A MIP of a few hundred binaries with a time limit far too short to find any plan:
// exit 4, no files.
#[test]
fn time_limit_without_a_plan_exits_4() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("m");
    let (code, _, _) = run(&[
        "generate",
        model.to_str().unwrap(),
        "--minerals",
        "2",
        "--offers",
        "4000",
        "--seed",
        "9",
    ]);
    assert_eq!(code, 0);
    let constraints = model.join("constraints.csv");
    let mut text = std::fs::read_to_string(&constraints).unwrap();
    text.push_str("min_suppliers,*,,3\nmax_suppliers,*,,1500\n");
    std::fs::write(&constraints, text).unwrap();
    let out = dir.path().join("out");
    let (code, _, stderr) = run(&[
        "solve",
        model.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--solver",
        "microlp",
        "--time-limit",
        "0.001",
    ]);
    assert_eq!(code, 4, "{stderr}");
    assert!(stderr.contains("without a feasible plan"), "{stderr}");
    assert!(!out.exists() || std::fs::read_dir(&out).unwrap().next().is_none());
}

#[test]
fn clarabel_refuses_integer_rules_naming_who_can() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            (
                "suppliers.csv",
                "supplier,mineral,country,unit_cost,fixed_cost\nA,ga,CHN,10,5\n",
            ),
            ("demand.csv", "mineral,quantity\nga,100\n"),
        ],
    );
    let (code, _, stderr) = run(&[
        "solve",
        dir.path().to_str().unwrap(),
        "--solver",
        "clarabel",
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("microlp"), "{stderr}");
}
