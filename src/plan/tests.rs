//! The plan stage over what the solve hands it.

use crate::engine::SolverKind;
use crate::input::{parse_model, ModelFiles};
use crate::solve::{solve, SolveOptions, SolverChoice};

/// tests/it/plan.rs's hand-solved model with integer rules: demand 100; CHN at 10 (80
/// available), AUS at 12 (45, minimum order 2), CAN at 15 (100); CHN capped at half the
/// demand, at least 2 suppliers. By hand: CHN 50, AUS 45, CAN 5; a point more of the
/// CHN cap moves one unit from CAN (15) to CHN (10): -500 per unit of share.
const INTEGER_MODEL: &[(&str, &[u8])] = &[
    ("demand.csv", b"mineral,quantity\nga,100\n"),
    (
        "countries.csv",
        b"country,risk,groups\nCHN,0.8,\nAUS,0.2,\nCAN,0.1,\n",
    ),
    (
        "suppliers.csv",
        b"supplier,mineral,country,unit_cost,capacity,min_order\ns1,ga,CHN,10,80,\ns2,ga,AUS,12,45,2\ns3,ga,CAN,15,100,\n",
    ),
    (
        "constraints.csv",
        b"constraint,mineral,target,bound\nmax_country_share,ga,CHN,0.5\nmin_suppliers,ga,,2\n",
    ),
];

#[test]
fn an_integer_block_has_no_duals_before_the_plan_stage() {
    let model = parse_model(&ModelFiles::from_memory(INTEGER_MODEL)).expect("the model reads");
    let opts = SolveOptions {
        solver: SolverChoice::Named(SolverKind::Microlp),
        threads: std::num::NonZeroUsize::new(1),
        ..SolveOptions::default()
    };
    let solution = solve(&model, &opts).expect("solves");
    let raw = &solution.minerals[0].rows;
    assert!(raw.iter().all(|r| r.shadow_price.is_none()), "{raw:?}");
    let p = super::plan(&model, solution);
    let cap = &p.minerals[0].rows[0];
    let price = cap.shadow_price.expect("the plan stage prices the cap");
    assert!((price + 500.0).abs() <= 1e-4, "{price}");
}
