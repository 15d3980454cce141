//! Shared helpers for the integration tests. The plan checker and the cost function
//! (`spec.rs`, shared with the library's unit tests) are written from SPEC §1–2 directly,
//! using only the public fields of [`Model`].
#![allow(dead_code)]

use std::num::NonZeroUsize;
use std::path::Path;

use sourcemix::engine::SolverKind;
pub use sourcemix::input::Loaded;
use sourcemix::model::Model;
use sourcemix::solve::{SolveOptions, SolverChoice, Status};
use sourcemix::{solve_plan, Plan};

pub mod cli;
mod spec;

pub use spec::*;

/// Writes the named files into `dir` (created if needed): the one model writer.
pub fn write_files(dir: &Path, files: &[(&str, &str)]) {
    std::fs::create_dir_all(dir).expect("create the model folder");
    for (name, text) in files {
        std::fs::write(dir.join(name), text).expect("write a model file");
    }
}

/// Writes the named files into a fresh temporary folder and returns it.
pub fn write_model(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("create a temp dir");
    write_files(dir.path(), files);
    dir
}

/// Loads a model folder, panicking with the input errors when it does not load.
pub fn load(dir: &Path) -> Model {
    load_all(dir).model
}

/// [`load`] with the scenarios and warnings read beside the model (it reads as its
/// `Model`).
pub fn load_all(dir: &Path) -> Loaded {
    match sourcemix::input::load(dir) {
        Ok(m) => m,
        Err(e) => panic!("model in {} does not load:\n{e}", dir.display()),
    }
}

/// Writes and loads a model from CSV strings.
pub fn model_from(files: &[(&str, &str)]) -> Model {
    loaded_from(files).model
}

/// [`model_from`] with the scenarios and warnings read beside the model.
pub fn loaded_from(files: &[(&str, &str)]) -> Loaded {
    let dir = write_model(files);
    load_all(dir.path())
}

/// Solves with the given choice (sequentially, so tests are reproducible).
pub fn try_solve(model: &Model, choice: SolverChoice) -> sourcemix::Result<Plan> {
    solve_plan(
        model,
        &SolveOptions {
            solver: choice,
            threads: NonZeroUsize::new(1),
            ..SolveOptions::default()
        },
    )
}

/// Solves with a named backend, panicking on an error.
pub fn solve_kind(model: &Model, kind: SolverKind) -> Plan {
    match try_solve(model, SolverChoice::Named(kind)) {
        Ok(s) => s,
        Err(e) => panic!("solve with {kind} failed: {e}"),
    }
}

/// Index of a mineral by (case-insensitive) name.
pub fn mineral_index(model: &Model, name: &str) -> usize {
    model
        .minerals
        .iter()
        .position(|m| m.name.eq_ignore_ascii_case(name))
        .unwrap_or_else(|| panic!("no mineral {name}"))
}

/// Quantity bought from `supplier` for `mineral` in `solution`.
pub fn qty(model: &Model, solution: &Plan, mineral: &str, supplier: &str) -> f64 {
    let m = mineral_index(model, mineral);
    let ms = solution
        .minerals
        .iter()
        .find(|s| s.mineral == m)
        .expect("mineral in solution");
    let range = model.minerals[m].offers.clone();
    let k = model.offers[range]
        .iter()
        .position(|o| o.supplier == supplier)
        .unwrap_or_else(|| panic!("no offer of {supplier} for {mineral}"));
    ms.quantities[k]
}

/// Asserts |actual − expected| ≤ tol.
#[track_caller]
pub fn assert_close(actual: f64, expected: f64, tol: f64, what: &str) {
    assert!(
        actual.is_finite() && (actual - expected).abs() <= tol,
        "{what}: got {actual}, expected {expected} (tolerance {tol}, off by {})",
        (actual - expected).abs()
    );
}

/// Asserts a and b agree within `rel` relative to the larger magnitude (plus 1e-9 absolute).
#[track_caller]
pub fn assert_rel(a: f64, b: f64, rel: f64, what: &str) {
    let tol = rel * a.abs().max(b.abs()) + 1e-9;
    assert!(
        a.is_finite() && b.is_finite() && (a - b).abs() <= tol,
        "{what}: {a} vs {b} differ by {} (> {tol})",
        (a - b).abs()
    );
}

/// True when a and b agree within `rel` relative (plus 1e-9 absolute).
pub fn rel_eq(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * a.abs().max(b.abs()) + 1e-9
}

/// Checks every mineral plan of an Optimal solution and that its reported cost is the
/// cost of its plan.
pub fn check_solution(model: &Model, solution: &Plan) -> Result<(), String> {
    if solution.status != Status::Optimal {
        return Err(format!("status {:?}, expected optimal", solution.status));
    }
    let mut q = vec![Vec::new(); model.minerals.len()];
    let mut u = vec![0.0; model.minerals.len()];
    for ms in &solution.minerals {
        q[ms.mineral] = ms.quantities.clone();
        u[ms.mineral] = ms.unmet;
    }
    check_plan(model, &q, &u)?;
    let cost = plan_cost(model, &q, &u);
    if !rel_eq(cost, solution.cost(), 1e-9) {
        return Err(format!(
            "reported cost {} is not the plan's cost {cost}",
            solution.cost()
        ));
    }
    Ok(())
}

/// The solvers of this build that handle integer variables.
pub fn integer_solvers() -> Vec<SolverKind> {
    SolverKind::all()
        .into_iter()
        .filter(|k| k.capabilities().integers)
        .collect()
}
