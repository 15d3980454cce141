//! The registry and the engine's choices against independent statements: hand-solved
//! problems for what each backend declares, the `auto` rule as the README states it, and
//! the cut loop on a cap whose optimum is known in closed form.

use super::cuts::{add_tangent_cuts, CutEnd, CutLoop};
use super::*;
use crate::engine::lp::{RowTag, Sense};

fn options(duals: bool) -> BackendOptions {
    BackendOptions {
        time_limit_secs: None,
        mip_gap: 0.0,
        duals,
    }
}

/// min x + 2y with x + y ≥ 1, 0 ≤ x ≤ 0.6, y ≥ 0: x = 0.6, y = 0.4, cost 1.4, and the
/// row's dual (d cost / d rhs) is 2 (one more unit of demand comes from y).
fn small_lp() -> Lp {
    let mut lp = Lp::default();
    let x = lp.add_var(0.0, 0.6, 1.0);
    let y = lp.add_var(0.0, f64::INFINITY, 2.0);
    lp.add_row(RowTag::Other, vec![(x, 1.0), (y, 1.0)], Sense::Ge, 1.0);
    lp
}

#[test]
fn every_backend_does_what_it_declares() {
    for kind in SolverKind::all() {
        let caps = kind.capabilities();
        let r = solve_lp(kind, &small_lp(), &options(true));
        assert_eq!(r.status, LpStatus::Optimal, "{kind}");
        assert!(
            (r.x[0] - 0.6).abs() < 1e-6 && (r.x[1] - 0.4).abs() < 1e-6,
            "{kind}: {r:?}"
        );
        match (&r.duals, caps.duals) {
            (Some(d), true) => assert!((d[0] - 2.0).abs() < 1e-6, "{kind}: {d:?}"),
            (None, false) => {}
            (d, declared) => panic!("{kind} declares duals {declared} but returned {d:?}"),
        }
        // min b with b ≥ 0.3, b binary: b = 1 (0.3 as a continuous optimum).
        let mut mip = Lp::default();
        let b = mip.add_binary(1.0);
        mip.add_row(RowTag::Other, vec![(b, 1.0)], Sense::Ge, 0.3);
        let r = solve_lp(kind, &mip, &options(false));
        if caps.integers {
            assert_eq!((r.status, r.x), (LpStatus::Optimal, vec![1.0]), "{kind}");
        } else {
            assert!(
                matches!(r.status, LpStatus::Failed(FailureReason::Unsupported, _)),
                "{kind}: {:?}",
                r.status
            );
        }
    }
}

#[test]
fn an_interior_point_is_polished_to_the_vertex() {
    // A degenerate face: min x + y with x + y ≥ 1, both in [0, 1]. Any point of the face
    // is optimal; a vertex has one of them at 0 exactly.
    let mut lp = Lp::default();
    let x = lp.add_var(0.0, 1.0, 1.0);
    let y = lp.add_var(0.0, 1.0, 1.0);
    lp.add_row(RowTag::Other, vec![(x, 1.0), (y, 1.0)], Sense::Ge, 1.0);
    for kind in SolverKind::all() {
        let r = route::polished(kind, &lp, solve_lp(kind, &lp, &options(false)), None);
        assert_eq!(r.status, LpStatus::Optimal);
        assert!((r.x[0] + r.x[1] - 1.0).abs() < 1e-9, "{kind}: {:?}", r.x);
        if route::polishes(kind) {
            assert!(r.x.contains(&0.0), "{kind} not at a vertex: {:?}", r.x);
        }
    }
}

#[test]
fn auto_follows_the_stated_rule() {
    // README: HHI caps on a continuous block → the interior point with cones; else HiGHS
    // when built in; else Clarabel for linear blocks and microlp for integer rules.
    for integers in [false, true] {
        for caps in [false, true] {
            let expected = if caps && !integers {
                "clarabel"
            } else if cfg!(feature = "highs") {
                "highs"
            } else if integers {
                "microlp"
            } else {
                "clarabel"
            };
            let kind = SolverKind::auto(integers, caps);
            assert_eq!(kind.name(), expected, "integers {integers}, caps {caps}");
            assert_eq!(SolverChoice::Auto.backend(integers, caps), kind);
            assert!(!integers || kind.capabilities().integers);
        }
    }
    for kind in SolverKind::all() {
        assert_eq!(SolverChoice::Named(kind).backend(true, true), kind);
        assert_eq!(SolverKind::from_name(&kind.name().to_uppercase()), Ok(kind));
        assert_eq!(
            kind.name().parse::<SolverChoice>(),
            Ok(SolverChoice::Named(kind))
        );
    }
}

#[test]
fn the_listing_shows_three_capabilities() {
    let json = serde_json::to_value(SolverKind::Clarabel.capabilities()).unwrap();
    let keys: Vec<&String> = json.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["duals", "integers", "time_limit"]);
}

/// max s (min −s) with t ≤ cap, t ≥ s² by cuts (one tangent at s = 1 to start),
/// 0 ≤ s ≤ 1: the optimum is s = √cap.
fn cap_problem(cap: f64) -> Lp {
    let mut lp = Lp::default();
    let s = lp.add_var(0.0, 1.0, -1.0);
    let t = lp.add_var(0.0, f64::INFINITY, 0.0);
    lp.add_row(RowTag::Other, vec![(t, 1.0)], Sense::Le, cap);
    add_tangent_cuts(&mut lp, &[(s, t)], &[1.0, 0.0], 0.0);
    lp
}

fn run_cuts(lp: &mut Lp, max_rounds: usize, tolerance: f64) -> cuts::CutRun {
    CutLoop::new(max_rounds).run(
        lp,
        |lp, _| solve_exact(lp, None),
        |_, x| x[0] * x[0] - x[1] <= tolerance,
        |lp, x| add_tangent_cuts(lp, &[(0, 1)], x, tolerance / 100.0),
    )
}

#[test]
fn the_cut_loop_meets_the_cap_to_its_tolerance() {
    let mut lp = cap_problem(0.25);
    let run = run_cuts(&mut lp, 100, 1e-8);
    assert_eq!(run.end, CutEnd::Holds);
    let s = run.result.x[0];
    assert!(s * s <= 0.25 + 1e-8 && s >= 0.5 - 1e-7, "s = {s}");
    // One cut per round after the first solve: the rows are the cap, the first tangent
    // and one tangent per round.
    assert_eq!(lp.rows.len(), 2 + run.rounds);
    assert!(run.rounds > 0);
}

#[test]
fn the_cut_loop_stops_at_its_round_limit_and_without_a_point() {
    let mut lp = cap_problem(0.25);
    let run = run_cuts(&mut lp, 2, 1e-8);
    // Rounds 1 and 2 add a cut each; the third round is past the limit, counted, and
    // adds none.
    assert_eq!(
        (run.end, run.rounds, lp.rows.len()),
        (CutEnd::Stalled, 3, 4)
    );
    let mut lp = cap_problem(0.25);
    lp.add_row(RowTag::Other, vec![(0, 1.0)], Sense::Ge, 2.0);
    let run = run_cuts(&mut lp, 100, 1e-8);
    assert_eq!((run.end, run.rounds), (CutEnd::NoPoint, 0));
    assert_eq!(run.result.status, LpStatus::Infeasible);
}

#[test]
fn a_failure_worth_retrying_retries_every_other_backend() {
    for kind in SolverKind::all() {
        let others: Vec<SolverKind> = route::fallbacks(kind).collect();
        assert_eq!(others.len() + 1, SolverKind::all().len());
        assert!(!others.contains(&kind));
    }
    let numerical = LpStatus::Failed(FailureReason::Numerical, String::new());
    let unsupported = LpStatus::Failed(FailureReason::Unsupported, String::new());
    assert!(route::worth_retrying(&numerical) && route::worth_retrying(&LpStatus::Unbounded));
    assert!(!route::worth_retrying(&unsupported) && !route::worth_retrying(&LpStatus::Infeasible));
}

#[test]
fn a_warm_model_follows_its_growing_program() {
    for kind in SolverKind::all() {
        let Some(mut warm) = kind.open_warm() else {
            assert!(!kind.capabilities().warm_start, "{kind}");
            continue;
        };
        assert!(kind.capabilities().warm_start, "{kind}");
        let mut lp = small_lp();
        let r = warm.solve(&lp, None);
        assert_eq!(r.status, LpStatus::Optimal);
        assert!((lp.objective(&r.x) - 1.4).abs() < 1e-9, "{kind}: {r:?}");
        // y ≥ 0.5: x = 0.5, y = 0.5, cost 1.5; without it again 1.4.
        let row = lp.add_row(RowTag::Other, vec![(1, 1.0)], Sense::Ge, 0.5);
        let r = warm.solve(&lp, None);
        assert!((lp.objective(&r.x) - 1.5).abs() < 1e-9, "{kind}: {r:?}");
        if !warm.deletes_rows() {
            continue;
        }
        assert!(warm.delete_rows(&[row]));
        lp.rows.pop();
        let r = warm.solve(&lp, None);
        assert!((lp.objective(&r.x) - 1.4).abs() < 1e-9, "{kind}: {r:?}");
    }
}

/// A random LP that is feasible and bounded: min c·x over x in [0, u] with random
/// covering rows Σ a x ≥ b (a ≥ 0, b below what the bounds allow) and a few packing
/// rows; often degenerate (ties in c, rows of equal coefficients).
fn random_lp(rng: &mut crate::rng::Rng, n: usize, m: usize) -> Lp {
    let mut lp = Lp::default();
    for _ in 0..n {
        // Costs from a small set: ties make the optimum degenerate.
        let cost = (1 + rng.below(4)) as f64;
        lp.add_var(0.0, 1.0 + rng.below(3) as f64, cost);
    }
    for _ in 0..m {
        lp.add_row(
            RowTag::Other,
            random_terms(rng, n),
            Sense::Ge,
            1.0 + rng.below(3) as f64,
        );
    }
    lp
}

/// Random non-negative terms over `n` variables, every variable at most once.
fn random_terms(rng: &mut crate::rng::Rng, n: usize) -> Vec<(usize, f64)> {
    let mut terms = Vec::new();
    for j in 0..n {
        if rng.below(2) == 0 {
            terms.push((j, 0.5 + rng.below(3) as f64 * 0.5));
        }
    }
    if terms.is_empty() {
        terms.push((rng.below(n as u64) as usize, 1.0));
    }
    terms
}

/// A start value for `v`: its lower or upper bound, a point between, or none (NaN).
fn random_start(rng: &mut crate::rng::Rng, v: &crate::engine::lp::Var) -> f64 {
    match rng.below(4) {
        0 => v.lower,
        1 => v.upper,
        2 => 0.5 * (v.lower + v.upper),
        _ => f64::NAN,
    }
}

/// The optimum of `lp` solved cold by an independent solver (HiGHS where it is built in,
/// else Clarabel's interior point), or its status when it has none.
fn cold_objective(lp: &Lp) -> Result<f64, LpStatus> {
    #[cfg(feature = "highs")]
    let reference = SolverKind::Highs;
    #[cfg(not(feature = "highs"))]
    let reference = SolverKind::Clarabel;
    let r = solve_lp(reference, lp, &options(false));
    if r.status.is_optimal() {
        Ok(lp.objective(&r.x))
    } else {
        Err(r.status)
    }
}

#[test]
fn a_warm_model_reaches_the_cold_optimum_as_rows_and_columns_arrive() {
    let mut rng = crate::rng::Rng::new(7);
    for kind in SolverKind::all() {
        for case in 0..60 {
            let Some(mut warm) = kind.open_warm() else {
                continue;
            };
            let n = 3 + rng.below(24) as usize;
            let m = 1 + rng.below(8) as usize;
            let mut lp = random_lp(&mut rng, n, m);
            if case % 2 == 1 {
                // A start (at a bound, between them, or none per column) changes the
                // path, never the optimum.
                let start: Vec<f64> = lp.vars.iter().map(|v| random_start(&mut rng, v)).collect();
                warm.start_at(&start);
            }
            for round in 0..6 {
                let r = warm.solve(&lp, None);
                let what = format!("{kind} case {case} round {round}");
                match cold_objective(&lp) {
                    Ok(best) => {
                        assert_eq!(r.status, LpStatus::Optimal, "{what}");
                        let got = lp.objective(&r.x);
                        assert!(
                            (got - best).abs() <= 1e-6 * (1.0 + best.abs()),
                            "{what}: {got} vs {best}"
                        );
                        for row in &lp.rows {
                            let v: f64 = row.terms.iter().map(|&(j, a)| a * r.x[j]).sum();
                            assert!(v >= row.rhs - 1e-7, "{what}: a row is violated");
                        }
                    }
                    Err(status) => {
                        assert_eq!(status, LpStatus::Infeasible, "{what}");
                        assert_eq!(r.status, LpStatus::Infeasible, "{what}");
                        break;
                    }
                }
                // A new column of the prefix kind (cost 0, in [0, ∞)) tied by an
                // equality to some variables, then cuts over old and new variables.
                if rng.below(2) == 0 {
                    let terms = random_terms(&mut rng, lp.vars.len());
                    let s = lp.add_var(0.0, f64::INFINITY, 0.0);
                    let mut def: Vec<(usize, f64)> = terms.iter().map(|&(j, a)| (j, -a)).collect();
                    def.push((s, 1.0));
                    lp.add_row(RowTag::Other, def, Sense::Eq, 0.0);
                }
                // Several rows at once: microlp adds a round's rows in one batch.
                for _ in 0..1 + rng.below(6) {
                    let terms = random_terms(&mut rng, lp.vars.len());
                    // Now and then a row no bounds allow: the program turns infeasible.
                    let rhs = if rng.below(12) == 0 {
                        1e3
                    } else {
                        1.0 + rng.below(4) as f64
                    };
                    lp.add_row(RowTag::Other, terms, Sense::Ge, rhs);
                }
            }
        }
    }
}
