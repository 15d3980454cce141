//! Entry points shared by the fuzz targets (`fuzz/fuzz_targets`) and their regression
//! tests (`tests/fuzz_regressions.rs`), both of which include this file with `#[path]`:
//! arbitrary bytes in, no panic, no hang, no invalid plan. Only the library's public API.
#![allow(dead_code)]

use sourcemix::engine::SolverKind;
use sourcemix::error::InputErrors;
use sourcemix::input::table::{parse_table, Columns, Domain};
use sourcemix::input::{
    files, parse, parse_model, parse_plan, parse_scenarios, Loaded, ModelFiles,
};
use sourcemix::report::{build_report, csv_files, stress_files};
use sourcemix::solve::{FailureReason, SolveOptions, SolverChoice, Status};
use sourcemix::solve_plan;
use sourcemix::values::Seconds;
use std::num::NonZeroUsize;

/// SPEC §2's feasibility tolerance: a plan may miss a bound by 1e-7 of it.
const FEASIBILITY: f64 = 1e-7;

/// The columns the `csv_table` target reads.
const COLUMNS: Columns = Columns {
    required: &["supplier", "mineral"],
    optional: &["capacity"],
};

/// Arbitrary bytes as one CSV file: the table reader never panics.
pub fn csv_table(data: &[u8]) {
    let mut errors = InputErrors::default();
    let mut warnings = Vec::new();
    if let Some(table) = parse_table("f.csv", data, &COLUMNS, &mut errors, &mut warnings) {
        for r in &table.records {
            let _ = table.text(r, "supplier");
            let _ = table.number(r, "capacity", Domain::NonNegative, &mut errors);
        }
    }
    let _ = errors.to_string();
}

/// The model files, in the order a fuzz input's parts map to them.
pub const FILE_ORDER: [&str; 5] = [
    files::SUPPLIERS,
    files::DEMAND,
    files::COUNTRIES,
    files::CONSTRAINTS,
    files::SCENARIOS,
];

/// Largest model the fuzz harness also solves (bigger ones are only validated).
const MAX_SOLVED_OFFERS: usize = 40;

/// Splits a fuzz input at NUL bytes into the files of [`FILE_ORDER`].
pub fn split_files(data: &[u8]) -> ModelFiles {
    let parts: Vec<(&str, &[u8])> = FILE_ORDER
        .iter()
        .copied()
        .zip(data.split(|&b| b == 0))
        .collect();
    ModelFiles::from_memory(&parts)
}

/// Joins model files into one fuzz input (the inverse of [`split_files`]).
pub fn join_files(parts: &[&[u8]]) -> Vec<u8> {
    parts.join(&0u8)
}

/// Validates the model in `data`; when it is valid and small, solves it with every
/// backend that can, builds the reports, and checks that every plan is consistent.
/// Panics (the fuzzer's signal) only on a real defect.
pub fn load_and_solve(data: &[u8]) {
    let Ok(model) = parse_model(&split_files(data)) else {
        return;
    };
    if model.offers.len() > MAX_SOLVED_OFFERS {
        return;
    }
    for kind in SolverKind::all() {
        // A backend that lacks what the model needs is refused (Err) before any solve.
        let opts = SolveOptions {
            solver: SolverChoice::Named(kind),
            time_limit: Some(Seconds::literal(5.0)),
            threads: NonZeroUsize::new(1),
            ..SolveOptions::default()
        };
        let Ok(plan) = solve_plan(&model, &opts) else {
            continue;
        };
        if let Status::Failed { reason, message } = &plan.status {
            // A plan that fails the independent check is a defect worth a crash report;
            // cut rounds that stall are an honest failure.
            assert!(
                *reason == FailureReason::CutsStalled,
                "{kind}: {reason:?}: {message}"
            );
        }
        let report = build_report(&model, &plan);
        let files = csv_files(&report);
        assert_eq!(files.len(), 3);
    }
}

/// The model the `stress_plan` target stresses plans against: two minerals, one offer
/// without capacity, an exclusion, a fixed cost, and its own scenarios.
pub const STRESS_MODEL: [(&str, &str); 4] = [
    (
        files::SUPPLIERS,
        "supplier,mineral,country,unit_cost,capacity,fixed_cost\n\
         A,gallium,AUS,10,60,0\nB,gallium,CHN,8,100,5\nC,gallium,CAN,12,,0\n\
         A,graphite,AUS,3,500,0\nD,graphite,MOZ,2,400,0\n",
    ),
    (
        files::DEMAND,
        "mineral,quantity,unmet_penalty\ngallium,100,1000\ngraphite,600,50\n",
    ),
    (
        files::CONSTRAINTS,
        "constraint,mineral,target,bound\nexclude_country,graphite,CHN,\n",
    ),
    (
        files::SCENARIOS,
        "scenario,probability,mineral,country,supplier,capacity_factor,price_factor\n\
         ban,0.1,*,CHN,,0,\nmoz,0.2,graphite,MOZ,,0.5,2\n",
    ),
];

/// A plan file, optionally followed (after a NUL byte) by a scenarios file, stressed
/// against [`STRESS_MODEL`]: reading never panics, and every accepted plan gives one row
/// per scenario and mineral (and totals) that balance: delivered + spot + unmet = demand.
pub fn plan_and_stress(data: &[u8]) {
    let Loaded {
        model,
        scenarios: own,
        ..
    } = {
        let parts: Vec<(&str, &[u8])> = STRESS_MODEL
            .iter()
            .map(|(n, t)| (*n, t.as_bytes()))
            .collect();
        parse(&ModelFiles::from_memory(&parts)).expect("the stress model is valid")
    };
    let mut parts = data.splitn(2, |&b| b == 0);
    let plan_bytes = parts.next().unwrap_or_default();
    let scenarios = match parts.next() {
        Some(bytes) => {
            match parse_scenarios(
                &ModelFiles::from_memory(&[(files::SCENARIOS, bytes)]),
                &model,
            ) {
                Ok((s, _)) => s,
                Err(e) => {
                    let _ = e.to_string();
                    return;
                }
            }
        }
        None => own,
    };
    let plan = match parse_plan(
        &ModelFiles::from_memory(&[("plan.csv", plan_bytes)]),
        "plan.csv",
        &model,
    ) {
        Ok(plan) => plan,
        Err(e) => {
            let _ = e.to_string();
            return;
        }
    };
    let report = sourcemix::analysis::stress::stress(
        &model,
        &plan.quantities,
        &scenarios,
        &sourcemix::analysis::stress::StressOptions::default(),
    )
    .expect("a read plan stresses");
    assert_eq!(
        report.rows.len(),
        (scenarios.len() + 1) * (model.minerals.len() + 1)
    );
    for r in report.rows.iter().filter(|r| r.mineral != "*") {
        let m = model
            .minerals
            .iter()
            .find(|m| m.name == r.mineral)
            .expect("a model mineral");
        let covered = r.delivered + r.spot_quantity + r.unmet;
        assert!(
            (covered - m.demand).abs() <= 2.0 * FEASIBILITY * m.demand.max(covered),
            "{r:?}"
        );
        assert!(r.total_cost.is_finite() && r.total_cost >= 0.0, "{r:?}");
    }
    assert!(report.summary.cvar_cost >= report.summary.expected_cost * (1.0 - 1e-12) - 1e-9);
    assert_eq!(stress_files(&report).len(), 2);
}

/// Arbitrary bytes as a model workbook: reading never panics and its messages format; the
/// sheets of a readable one go through [`load_and_solve`] (validated, solved when small,
/// plans checked) as the folder they stand for.
pub fn xlsx_model(data: &[u8]) {
    use sourcemix::input::workbook::{parse_workbook, workbook_sheets};
    if let Err(e) = parse_workbook("fuzz.xlsx", data) {
        let _ = e.to_string();
    }
    let Ok((sheets, _)) = workbook_sheets("fuzz.xlsx", data) else {
        return;
    };
    let parts: Vec<&[u8]> = FILE_ORDER
        .iter()
        .map(|f| {
            sheets
                .iter()
                .find(|s| s.file == *f)
                .map_or(&[][..], |s| s.csv.as_slice())
        })
        .collect();
    if !parts.iter().any(|p| p.contains(&0)) {
        load_and_solve(&join_files(&parts));
    }
}
