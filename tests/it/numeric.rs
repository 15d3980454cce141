//! Extreme magnitudes in one model (issue: numeric robustness): demands from 1e-3 to 1e9,
//! prices from 1e-2 to 1e7. Each block is scaled before the solver sees it; the answers
//! must match the hand solutions below to 1e-9 relative.

use sourcemix::engine::SolverKind;
use sourcemix::input::{parse_model, ModelFiles};
use sourcemix::solve::{SolveOptions, SolverChoice, Status};
use sourcemix::solve_plan;

fn model() -> sourcemix::Model {
    // tiny:  D = 0.001. Offers: t1 CHN 0.01/unit cap 0.0006, t2 AUS 1e7/unit, t3 CAN 50/unit.
    //        Country cap 0.5 → CHN ≤ 0.0005 (cheapest, full at the cap), then CAN 50 for
    //        the rest 0.0005 (cheaper than AUS 1e7). Cost = 0.0005·0.01 + 0.0005·50
    //        = 0.000005 + 0.025 = 0.025005.
    // huge:  D = 1e9. Offers: h1 CHN 1e7/unit unlimited, h2 AUS 0.02/unit cap 4e8,
    //        h3 CAN 3e6/unit cap 1e9. Country cap 0.5: AUS 4e8 (cheapest, capacity),
    //        CAN 5e8 (cap), CHN the rest 1e8. Cost = 4e8·0.02 + 5e8·3e6 + 1e8·1e7
    //        = 8e6 + 1.5e15 + 1e15 = 2.500000008e15.
    let files = ModelFiles::from_memory(&[
        (
            "suppliers.csv",
            b"supplier,mineral,country,unit_cost,capacity\n\
              t1,tiny,CHN,0.01,0.0006\nt2,tiny,AUS,1e7,\nt3,tiny,CAN,50,\n\
              h1,huge,CHN,1e7,\nh2,huge,AUS,0.02,4e8\nh3,huge,CAN,3e6,1e9\n",
        ),
        ("demand.csv", b"mineral,quantity\ntiny,0.001\nhuge,1e9\n"),
        (
            "constraints.csv",
            b"constraint,mineral,target,bound\nmax_country_share,*,*,0.5\n",
        ),
    ]);
    parse_model(&files).expect("valid model")
}

fn qty(model: &sourcemix::Model, sol: &sourcemix::Plan, supplier: &str) -> f64 {
    let k = model
        .offers
        .iter()
        .position(|o| o.supplier == supplier)
        .expect("supplier exists");
    let m = model.offers[k].mineral;
    sol.minerals[m].quantities[k - model.minerals[m].offers.start]
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1e-12)
}

#[test]
fn extreme_magnitudes_match_hand_solution() {
    let model = model();
    for kind in SolverKind::all() {
        let sol = solve_plan(
            &model,
            &SolveOptions {
                solver: SolverChoice::Named(kind),
                ..SolveOptions::default()
            },
        )
        .expect("solves");
        assert_eq!(sol.status, Status::Optimal, "{kind}");
        for (s, want) in [
            ("t1", 0.0005),
            ("t2", 0.0),
            ("t3", 0.0005),
            ("h1", 1e8),
            ("h2", 4e8),
            ("h3", 5e8),
        ] {
            let got = qty(&model, &sol, s);
            assert!(
                close(got, want) || (want == 0.0 && got == 0.0),
                "{kind} {s}: {got} vs {want}"
            );
        }
        let tiny = sol
            .minerals
            .iter()
            .find(|m| model.minerals[m.mineral].name == "tiny")
            .unwrap();
        let huge = sol
            .minerals
            .iter()
            .find(|m| model.minerals[m.mineral].name == "huge")
            .unwrap();
        assert!(close(tiny.cost, 0.025005), "{kind} tiny cost {}", tiny.cost);
        assert!(
            close(huge.cost, 2.500000008e15),
            "{kind} huge cost {}",
            huge.cost
        );
    }
}
