//! The frontier's least bound against a second computation.

use super::{frontier, least_measure, with_cap, FrontierOptions, FrontierOutcome, Measure};
use crate::engine::SolverKind;
use crate::formulate::formulate;
use crate::model::Model;
use crate::solve::{SolveOptions, SolverChoice};
use crate::tools::generate::{generate, GenerateOptions};

/// The least average risk of mineral `m` under its policy: the full block (every offer a
/// variable, no country aggregation) solved by microlp's simplex.
fn simplex_least_risk(model: &Model, m: usize) -> f64 {
    let extended = with_cap(model, Measure::AvgRisk);
    let cap = extended.policy.len() - 1;
    let block = formulate(&extended, m).expect("block");
    let simplex = SolverChoice::Named(SolverKind::Microlp);
    least_measure(&extended, &block, cap, Measure::AvgRisk, simplex, false)
        .expect("least over every offer")
}

/// tests/it/frontier.rs's generated 100k offers × 10 minerals, seed 9 (issue 22): the
/// average-risk frontier's least bound is the least average risk of the binding
/// mineral's full LP solved by the simplex, to 1e-9.
#[test]
fn the_least_average_risk_of_a_large_model_is_the_simplex_optimum() {
    let dir = tempfile::tempdir().expect("temp dir");
    let opts = GenerateOptions {
        minerals: 10,
        offers: 100_000,
        seed: 9,
        ..Default::default()
    };
    generate(dir.path(), &opts).expect("generate");
    let model = crate::input::load_model(dir.path()).expect("the generated model loads");
    let options = FrontierOptions {
        measure: Measure::AvgRisk,
        points: super::Points::literal(2),
        solve: SolveOptions {
            threads: std::num::NonZeroUsize::new(2),
            ..SolveOptions::default()
        },
        stage: None,
    };
    let Ok(FrontierOutcome::Frontier(f)) = frontier(&model, &options, &|_, _| {}) else {
        panic!("no average-risk frontier");
    };
    let (m, least) = f
        .least_by_mineral
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.least.total_cmp(&b.1.least))
        .expect("minerals");
    let simplex = simplex_least_risk(&model, m);
    assert!(
        (least.least - simplex).abs() <= 1e-9,
        "least {} vs the simplex's {simplex}",
        least.least
    );
}
