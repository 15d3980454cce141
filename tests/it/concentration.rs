//! HHI caps against an independent second-order-cone program built here with Clarabel's
//! native API (not through sourcemix's formulation): on random small models the engine's
//! optimum — tangent cuts on microlp/HiGHS, cones on Clarabel — agrees within 1e-6, its
//! plan never exceeds the cap by more than 1e-7, and loosening the cap never costs more.

use clarabel::algebra::CscMatrix;
use clarabel::solver::{
    DefaultSettingsBuilder, DefaultSolver, IPSolver, SolverStatus, SupportedConeT,
};
use proptest::prelude::*;
use sourcemix::engine::SolverKind;
use sourcemix::input::{parse_model, ModelFiles};
use sourcemix::solve::{SolveOptions, SolverChoice, Status};
use sourcemix::solve_plan;

const D: f64 = 100.0;

#[derive(Debug, Clone)]
struct Case {
    /// (country index, unit cost, capacity) per offer.
    offers: Vec<(usize, f64, f64)>,
    countries: usize,
    hhi_cap: f64,
}

fn case() -> impl Strategy<Value = Case> {
    (2usize..6).prop_flat_map(|countries| {
        (
            prop::collection::vec((0..countries, 1.0f64..50.0, 10.0f64..120.0), 2..9),
            Just(countries),
            0.0f64..1.0,
        )
            .prop_map(|(offers, countries, t)| {
                let offers: Vec<(usize, f64, f64)> = offers
                    .into_iter()
                    .map(|(c, p, k)| (c, (p * 100.0).round() / 100.0, k.round()))
                    .collect();
                // Between the evenest spread possible and a single country.
                let used = offers
                    .iter()
                    .map(|o| o.0)
                    .collect::<std::collections::BTreeSet<_>>()
                    .len();
                let lo = 1.0 / used as f64;
                let hhi_cap = ((lo + t * (1.0 - lo)) * 1e4).round() / 1e4;
                Case {
                    offers,
                    countries,
                    hhi_cap,
                }
            })
    })
}

fn code(c: usize) -> String {
    format!("X{}A", (b'A' + c as u8) as char)
}

fn model(case: &Case, cap: f64) -> sourcemix::Model {
    let mut suppliers = String::from("supplier,mineral,country,unit_cost,capacity\n");
    for (i, (c, p, k)) in case.offers.iter().enumerate() {
        suppliers.push_str(&format!("s{i},ga,{},{p},{k}\n", code(*c)));
    }
    let constraints = format!("constraint,mineral,target,bound\nmax_hhi,ga,,{cap}\n");
    let demand = format!("mineral,quantity\nga,{D}\n");
    parse_model(&ModelFiles::from_memory(&[
        ("suppliers.csv", suppliers.as_bytes()),
        ("demand.csv", demand.as_bytes()),
        ("constraints.csv", constraints.as_bytes()),
    ]))
    .expect("valid model")
}

/// The optimum of min Σ p x, Σ x = D, 0 ≤ x ≤ k, ‖(q_c / D)_c‖ ≤ √cap, or `None` when
/// infeasible — solved directly as an SOCP.
fn socp_optimum(case: &Case, cap: f64) -> Option<f64> {
    let n = case.offers.len();
    let (mut ri, mut ci, mut v, mut b) = (vec![], vec![], vec![], vec![]);
    // Σ x = D
    for j in 0..n {
        ri.push(0);
        ci.push(j);
        v.push(1.0);
    }
    b.push(D);
    // −x ≤ 0 and x ≤ k
    for (j, o) in case.offers.iter().enumerate() {
        ri.push(b.len());
        ci.push(j);
        v.push(-1.0);
        b.push(0.0);
        ri.push(b.len());
        ci.push(j);
        v.push(1.0);
        b.push(o.2);
    }
    // (√cap, q_1/D, …) ∈ SOC
    let soc_start = b.len();
    b.push(cap.sqrt());
    for c in 0..case.countries {
        let r = b.len();
        for (j, o) in case.offers.iter().enumerate() {
            if o.0 == c {
                ri.push(r);
                ci.push(j);
                v.push(-1.0 / D);
            }
        }
        b.push(0.0);
    }
    let m = b.len();
    let a = CscMatrix::new_from_triplets(m, n, ri, ci, v);
    let p = CscMatrix::zeros((n, n));
    let q: Vec<f64> = case.offers.iter().map(|o| o.1).collect();
    let cones = [
        SupportedConeT::ZeroConeT(1),
        SupportedConeT::NonnegativeConeT(2 * n),
        SupportedConeT::SecondOrderConeT(m - soc_start),
    ];
    let settings = DefaultSettingsBuilder::default()
        .verbose(false)
        .tol_feas(1e-10)
        .tol_gap_abs(1e-10)
        .tol_gap_rel(1e-10)
        .build()
        .unwrap();
    let mut solver = DefaultSolver::new(&p, &q, &a, &b, &cones, settings).unwrap();
    solver.solve();
    match solver.solution.status {
        SolverStatus::Solved | SolverStatus::AlmostSolved => Some(solver.solution.obj_val),
        _ => None,
    }
}

fn engine(model: &sourcemix::Model, kind: SolverKind) -> sourcemix::Plan {
    solve_plan(
        model,
        &SolveOptions {
            solver: SolverChoice::Named(kind),
            ..SolveOptions::default()
        },
    )
    .expect("solves")
}

fn hhi(model: &sourcemix::Model, quantities: &[f64]) -> f64 {
    let mut q = std::collections::BTreeMap::<usize, f64>::new();
    for (o, x) in model.offers.iter().zip(quantities) {
        *q.entry(o.country).or_default() += x;
    }
    q.values().map(|q| (q / D).powi(2)).sum()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, .. ProptestConfig::default() })]

    #[test]
    fn engine_matches_an_independent_socp(case in case()) {
        let total_capacity: f64 = case.offers.iter().map(|o| o.2).sum();
        prop_assume!(total_capacity >= D);
        let reference = socp_optimum(&case, case.hhi_cap);
        let model = model(&case, case.hhi_cap);
        for kind in SolverKind::all() {
            let sol = engine(&model, kind);
            match reference {
                Some(best) if sol.status == Status::Optimal => {
                    let cost = sol.cost();
                    prop_assert!(
                        (cost - best).abs() <= 1e-6 * best.abs().max(1.0),
                        "{kind}: engine {cost} vs SOCP {best}"
                    );
                    let h = hhi(&model, &sol.minerals[0].quantities);
                    prop_assert!(h <= case.hhi_cap + 1e-7, "{kind}: HHI {h} above cap {}", case.hhi_cap);
                }
                Some(best) => prop_assert!(false, "{kind}: {:?} but the SOCP optimum is {best}", sol.status),
                // Near the boundary of feasibility the two may disagree by tolerance only.
                None => prop_assert!(
                    sol.status == Status::Infeasible || sol.status == Status::Optimal,
                    "{kind}: {:?}", sol.status
                ),
            }
        }
    }

    #[test]
    fn loosening_the_cap_never_costs_more(case in case(), loosen in 0.0f64..0.3) {
        let total_capacity: f64 = case.offers.iter().map(|o| o.2).sum();
        prop_assume!(total_capacity >= D);
        let tight = model(&case, case.hhi_cap);
        let loose = model(&case, (case.hhi_cap + loosen).min(1.0));
        for kind in SolverKind::all() {
            let a = engine(&tight, kind);
            let b = engine(&loose, kind);
            if a.status == Status::Optimal {
                prop_assert_eq!(&b.status, &Status::Optimal);
                prop_assert!(b.cost() <= a.cost() * (1.0 + 1e-7) + 1e-9, "{kind}: {} > {}", b.cost(), a.cost());
            }
        }
    }
}
