//! Entry points shared by the fuzz targets (`fuzz/`) and their regression tests
//! (`tests/fuzz_regressions.rs`): arbitrary bytes in, no panic, no hang, no invalid plan.

use crate::input::{files, parse_model, ModelFiles};
use crate::report::{build_report, csv_files};
use crate::solve::{solve, SolveOptions, SolverChoice, Status};
use crate::solvers::SolverKind;

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
    let integers = (0..model.minerals.len()).any(|m| model.needs_integers(m));
    for kind in SolverKind::all() {
        if integers && !kind.capabilities().integers {
            continue;
        }
        let opts = SolveOptions {
            solver: SolverChoice::Named(kind),
            time_limit_secs: Some(5.0),
            threads: Some(1),
            ..SolveOptions::default()
        };
        let Ok(solution) = solve(&model, &opts) else {
            continue;
        };
        if let Status::Failed { message } = &solution.status {
            // A plan that fails the independent check is a defect worth a crash report,
            // except for limits (a slow MIP) which are honest failures.
            assert!(
                message.contains("rounds") || message.contains("limit"),
                "{kind}: {message}"
            );
        }
        let report = build_report(&model, &solution);
        let files = csv_files(&report);
        assert_eq!(files.len(), 3);
    }
}
