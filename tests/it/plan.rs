//! The plan stage: a solved model as it is written, checked against a hand-solved model
//! (quantities, allocation order, figures, shadow prices — also for an integer block whose
//! solver gives no duals), against allocation.csv read back, and the frontier's typed
//! outcome for a model with no plan.

use crate::common::*;
use sourcemix::analysis::frontier::{frontier, FrontierOptions, FrontierOutcome, Measure, Points};
use sourcemix::engine::SolverKind;
use sourcemix::input::{parse_plan, ModelFiles};
use sourcemix::model::Model;
use sourcemix::plan::{solve_plan, MineralOutcome, Plan};
use sourcemix::report::{build_report, csv_files};
use sourcemix::solve::{SolveOptions, Status};

/// Demand 100; CHN at 10 (80 available), AUS at 12 (45), CAN at 15 (100); CHN capped
/// at half the demand. By hand: CHN 50, AUS 45, CAN 5, cost 500 + 540 + 75 = 1115. A
/// point more of the CHN cap moves one unit from CAN (15) to CHN (10): the cap's shadow
/// price is -5 per point, -500 per unit of share. HHI 0.5² + 0.45² + 0.05² = 0.455;
/// risk-HHI 0.8·0.25 + 0.2·0.2025 + 0.1·0.0025 = 0.24075; average risk
/// (0.8·50 + 0.2·45 + 0.1·5) / 100 = 0.495. With `integers`, AUS has a minimum order
/// of 2 and at least 2 suppliers must be used: the same optimum, with integer rules.
fn files(integers: bool) -> Vec<(&'static str, String)> {
    let suppliers = if integers {
        "supplier,mineral,country,unit_cost,capacity,min_order\ns1,ga,CHN,10,80,\ns2,ga,AUS,12,45,2\ns3,ga,CAN,15,100,\n"
    } else {
        "supplier,mineral,country,unit_cost,capacity\ns1,ga,CHN,10,80\ns2,ga,AUS,12,45\ns3,ga,CAN,15,100\n"
    };
    vec![
        ("demand.csv", "mineral,quantity\nga,100\n".into()),
        (
            "countries.csv",
            "country,risk,groups\nCHN,0.8,\nAUS,0.2,\nCAN,0.1,\n".into(),
        ),
        ("suppliers.csv", suppliers.into()),
        (
            "constraints.csv",
            format!(
                "constraint,mineral,target,bound\nmax_country_share,ga,CHN,0.5\n{}",
                if integers {
                    "min_suppliers,ga,,2\n"
                } else {
                    ""
                }
            ),
        ),
    ]
}

fn hand_model(integers: bool) -> Model {
    let files = files(integers);
    let refs: Vec<(&str, &str)> = files.iter().map(|(n, t)| (*n, t.as_str())).collect();
    model_from(&refs)
}

/// Checks the one mineral of `p` against the hand solution.
fn assert_hand_solved(model: &Model, p: &Plan, what: &str) {
    assert_eq!(p.status, Status::Optimal, "{what}");
    let m: &MineralOutcome = &p.minerals[0];
    assert!(m.checked && m.has_plan(), "{what}");
    for (q, want) in m.quantities.iter().zip([50.0, 45.0, 5.0]) {
        assert_close(*q, want, 1e-7, what);
    }
    assert_eq!(
        m.allocation,
        vec![0, 1, 2],
        "{what}: by quantity descending"
    );
    assert_close(m.cost, 1115.0, 1e-6, what);
    assert_close(m.unmet, 0.0, 1e-9, what);
    let f = m.metrics.as_ref().expect("a plan has figures");
    assert_close(f.purchased, 100.0, 1e-9, what);
    assert_close(f.purchase_cost, 1115.0, 1e-6, what);
    assert_close(f.hhi, 0.455, 1e-9, what);
    assert_close(f.risk_hhi, 0.24075, 1e-9, what);
    assert_close(f.avg_risk, 0.495, 1e-9, what);
    let chn = model.countries.iter().position(|c| c.code == "CHN");
    assert_eq!(f.top_country, chn, "{what}");
    assert_close(f.top_country_share.unwrap(), 0.5, 1e-9, what);
    assert_eq!((f.suppliers, f.countries), (3, 3), "{what}");
    assert_eq!((p.suppliers, p.countries), (3, 3), "{what}");
    assert_close(p.purchase_cost, 1115.0, 1e-6, what);

    let cap = &m.rows[0];
    assert_eq!(cap.instance.kind.name(), "max_country_share");
    assert!(cap.binding, "{what}: the CHN cap binds");
    assert_eq!((cap.value, cap.slack), (0.5, 0.0), "{what}");
    assert_close(cap.shadow_price.expect("priced"), -500.0, 1e-4, what);
    assert_close(cap.shadow_price_per_point.unwrap(), -5.0, 1e-6, what);
}

#[test]
fn the_plan_of_a_hand_solved_model_with_every_solver() {
    let model = hand_model(false);
    for kind in SolverKind::all() {
        let p = solve_kind(&model, kind);
        assert_hand_solved(&model, &p, &format!("{kind}"));
    }
}

#[test]
fn an_integer_block_gets_the_fixed_binary_lp_prices_in_the_plan_stage() {
    let model = hand_model(true);
    // The solve itself has no duals for an integer block (the unit test
    // `plan::tests::an_integer_block_has_no_duals_before_the_plan_stage`); the plan stage
    // recovers them.
    let p = solve_kind(&model, SolverKind::Microlp);
    assert_hand_solved(&model, &p, "microlp, integer rules");
    // Three suppliers used, two required; a count row has no derivative in the
    // fixed-binary LP.
    let count = &p.minerals[0].rows[1];
    assert_eq!(count.instance.kind.name(), "min_suppliers");
    assert!(!count.binding);
    assert_eq!((count.value, count.slack), (3.0, 1.0));
    assert_eq!(count.shadow_price, None);
}

#[test]
fn the_plans_quantities_are_what_allocation_csv_says() {
    for name in ["export-controls-2023", "rare-earths", "dual-sourcing"] {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("models")
            .join(name);
        let model = load(&dir);
        let p = solve_plan(&model, &SolveOptions::default()).unwrap();
        let files = csv_files(&build_report(&model, &p));
        let (file, bytes) = &files[0];
        assert_eq!(*file, "allocation.csv");
        let read = parse_plan(&ModelFiles::from_memory(&[(file, bytes)]), file, &model)
            .unwrap()
            .quantities;
        let planned: Vec<f64> = p
            .minerals
            .iter()
            .flat_map(|m| m.quantities.iter().copied())
            .collect();
        assert_eq!(read.len(), planned.len(), "{name}");
        for (k, (r, q)) in read.iter().zip(&planned).enumerate() {
            assert!(r == q, "{name}: offer {k}: written {r}, planned {q}");
        }
    }
}

#[test]
fn a_frontier_of_a_model_without_a_plan_is_that_plan() {
    let mut files = files(false);
    files[3].1.push_str("max_country_share,ga,*,0.3\n");
    let refs: Vec<(&str, &str)> = files.iter().map(|(n, t)| (*n, t.as_str())).collect();
    // Three countries at most 30% each cover 90 of 100.
    let model = model_from(&refs);
    let opts = FrontierOptions {
        measure: Measure::Hhi,
        points: Points::literal(3),
        solve: SolveOptions::default(),
        stage: None,
    };
    match frontier(&model, &opts, &|_, _| {}).unwrap() {
        FrontierOutcome::NoPlan(p) => {
            assert_eq!(p.status, Status::Infeasible);
            assert!(!p.minerals[0].has_plan());
            assert!(!p.minerals[0].relaxations.is_empty());
        }
        FrontierOutcome::Frontier(f) => panic!("a frontier of an infeasible model: {f:?}"),
    }
}

/// Three offers at the same price: every plan that meets demand costs 1000, so no rule
/// has a price, whichever optimum a solver picks. The interior-point solver lands where
/// both the HHI cap (0.34) and the AUS cap bind, and its duals are exact only to its
/// tolerance (it left −0.00000097 on the HHI cap): the plan says 0 and the text lists no
/// costly rule; a simplex may pick a vertex where a cap is slack, also priced 0.
#[test]
fn binding_rules_that_cost_nothing_are_priced_zero_with_every_solver() {
    let model = model_from(&[
        (
            "suppliers.csv",
            "supplier,mineral,country,unit_cost,capacity\nA,ga,AUS,10,\nB,ga,CAN,10,\nC,ga,USA,10,60\n",
        ),
        ("demand.csv", "mineral,quantity\nga,100\n"),
        (
            "constraints.csv",
            "constraint,mineral,target,bound\nmax_hhi,ga,,0.34\nmax_country_share,ga,AUS,0.3\n",
        ),
    ]);
    for kind in SolverKind::all() {
        let p = solve_kind(&model, kind);
        let what = format!("{kind}");
        assert!(
            (p.cost() - 1000.0).abs() < 1e-6,
            "{what}: cost {}",
            p.cost()
        );
        let rows = &p.minerals[0].rows;
        assert_eq!(rows.len(), 2, "{what}");
        for r in rows {
            assert_eq!(r.shadow_price, Some(0.0), "{what}");
            assert_eq!(r.shadow_price_per_point, Some(0.0), "{what}");
        }
        let binding = rows.iter().filter(|r| r.binding).count();
        if kind == SolverKind::Clarabel {
            assert_eq!(binding, 2, "the interior point binds both caps");
        }
        let text = sourcemix::report::render_text(&build_report(&model, &p));
        assert!(!text.contains(" costs "), "{what}: {text}");
        if binding > 0 {
            assert!(text.contains(&format!("{binding} rule")), "{what}: {text}");
        }
    }
}
