//! The report built as blocks are solved (`solve_plan_then` + `mineral_part`) is the report
//! built after the solve, and its JSON and CSV forms list every row once, in order.

use std::num::NonZeroUsize;
use std::path::Path;

use sourcemix::input::load_model;
use sourcemix::plan::{solve_plan, solve_plan_then};
use sourcemix::report::{assemble, build_report, csv_files, mineral_part};
use sourcemix::solve::SolveOptions;

fn model_dir(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("models")
        .join(name)
}

#[test]
fn pipelined_report_equals_the_report_built_after_the_solve() {
    for name in ["export-controls-2023", "rare-earths", "dual-sourcing"] {
        let model = load_model(&model_dir(name)).unwrap();
        for threads in [NonZeroUsize::new(1), None] {
            let opts = SolveOptions {
                threads,
                ..SolveOptions::default()
            };
            let after = build_report(&model, &solve_plan(&model, &opts).unwrap());
            let (built, parts) =
                solve_plan_then(&model, &opts, |m| mineral_part(&model, m)).unwrap();
            assert_eq!(parts.len(), model.minerals.len());
            let during = assemble(&model, &built, parts);
            assert_eq!(after, during, "{name}, threads {threads:?}");
            // The plan of a solution solved elsewhere reports the same.
            let later = build_report(&model, &solve_plan(&model, &opts).unwrap());
            assert_eq!(after, later, "{name}, threads {threads:?}");
        }
    }
}

#[test]
fn json_and_csv_list_every_row_in_mineral_order() {
    let model = load_model(&model_dir("export-controls-2023")).unwrap();
    let report = build_report(
        &model,
        &solve_plan(&model, &SolveOptions::default()).unwrap(),
    );
    let allocation: Vec<_> = report.allocation().collect();
    let constraints: Vec<_> = report.constraints().collect();
    assert!(!allocation.is_empty() && !constraints.is_empty());
    // Mineral order, as in summary.csv.
    let order: Vec<&str> = report.summary.iter().map(|s| s.mineral.as_str()).collect();
    let rank = |m: &str| order.iter().position(|o| *o == m).unwrap();
    assert!(allocation
        .windows(2)
        .all(|w| rank(&w[0].mineral) <= rank(&w[1].mineral)));

    let json = serde_json::to_value(&report).unwrap();
    let rows = |key: &str| json[key].as_array().unwrap().clone();
    assert_eq!(rows("allocation").len(), allocation.len());
    assert_eq!(rows("constraints").len(), constraints.len());
    for (j, a) in rows("allocation").iter().zip(&allocation) {
        assert_eq!(j["supplier"], a.supplier.as_str());
        assert_eq!(j["quantity"], a.quantity);
    }
    for (j, c) in rows("constraints").iter().zip(&constraints) {
        assert_eq!(j["constraint"], c.constraint);
        assert_eq!(j["target"], c.target.as_str());
    }
    assert_eq!(json["status"], "optimal");

    let files = csv_files(&report);
    let lines = |name: &str| {
        let (_, bytes) = files.iter().find(|(n, _)| *n == name).unwrap();
        String::from_utf8(bytes.clone()).unwrap()
    };
    let alloc = lines("allocation.csv");
    assert!(alloc.starts_with("mineral,supplier,country,quantity,share,landed_unit_cost,cost\n"));
    assert_eq!(alloc.lines().count(), allocation.len() + 1);
    for (line, a) in alloc.lines().skip(1).zip(&allocation) {
        assert!(
            line.starts_with(&format!("{},{},", a.mineral, a.supplier)),
            "{line}"
        );
    }
    let cons = lines("constraints.csv");
    assert_eq!(cons.lines().count(), constraints.len() + 1);
    for (line, c) in cons.lines().skip(1).zip(&constraints) {
        assert!(
            line.starts_with(&format!("{},{},{},", c.constraint, c.mineral, c.target)),
            "{line}"
        );
    }
}
