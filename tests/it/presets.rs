//! `--n-1`, the preset "any one country stops": the scenarios it makes (names, shocks,
//! probabilities) and a plan stressed under them, worked by hand; its refusals.

use crate::common::cli::Workdir;
use crate::common::*;
use sourcemix::analysis::presets::{n_minus_one, N_MINUS_ONE_PROBABILITY};

const SUPPLIERS: &str = "supplier,mineral,country,unit_cost,capacity
A,gallium,AUS,10,60
B,gallium,CHN,8,100
C,gallium,CAN,12,
D,graphite,CHN,3,
";
const DEMAND: &str = "mineral,quantity,unmet_penalty\ngallium,100,1000\ngraphite,10,100\n";
const PLAN: &str = "mineral,supplier,quantity\ngallium,A,60\ngallium,B,40\ngraphite,D,10\n";

/// One scenario per mineral and country offering it, each stopping that country's offers
/// of that mineral only, sharing the preset probability equally.
#[test]
fn one_scenario_per_mineral_and_offering_country() {
    let model = model_from(&[("suppliers.csv", SUPPLIERS), ("demand.csv", DEMAND)]);
    let s = n_minus_one(&model);
    let mut names: Vec<&str> = s.iter().map(|s| s.name.as_str()).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "AUS-stops-gallium",
            "CAN-stops-gallium",
            "CHN-stops-gallium",
            "CHN-stops-graphite"
        ]
    );
    for sc in &s {
        assert!((sc.probability - N_MINUS_ONE_PROBABILITY / 4.0).abs() < 1e-15);
        assert_eq!(sc.shocks.len(), 1);
        let sh = &sc.shocks[0];
        let (country, mineral) = sc.name.split_once("-stops-").unwrap();
        assert_eq!(model.countries[sh.country.unwrap()].code.as_str(), country);
        assert_eq!(model.minerals[sh.mineral.unwrap()].name.as_str(), mineral);
        assert!(sh.supplier.is_none());
        assert_eq!((sh.capacity_factor, sh.price_factor), (0.0, 1.0));
    }
}

/// Worked by hand (spot premium 25 %), plan A 60, B 40 (gallium), D 10 (graphite):
/// baseline 600 + 320 + 30 = 950. AUS stops: A delivers 0; 60 short, B has 60 left at
/// 8 × 1.25 = 10: 600 spot + 320 + 30 = 950. CHN stops gallium: 40 short, A has no room,
/// C at 15: 600 + 600 + 30 = 1230. CAN stops: 950. CHN stops graphite: D delivers 0, no
/// other offer: 10 unmet at 100: 950 − 30 + 1000 = 1920. Each has 0.1 / 4 = 0.025:
/// E = 0.9 · 950 + 0.025 · (950 + 1230 + 950 + 1920) = 981.25; worst CHN-stops-graphite.
#[test]
fn stress_n_1_on_a_hand_worked_plan() {
    let wd = Workdir::with_model(&[("suppliers.csv", SUPPLIERS), ("demand.csv", DEMAND)]);
    wd.write_bytes("plan.csv", PLAN.as_bytes());
    wd.run(&[
        "stress", "model", "--plan", "plan.csv", "--n-1", "--out", "out",
    ])
    .expect_code(0)
    .stderr_has("not an estimate");
    let total = |scenario: &str| -> f64 {
        let stress = wd.read("out/stress.csv");
        let line = stress
            .lines()
            .find(|l| l.starts_with(&format!("{scenario},")) && l.contains(",*,"))
            .unwrap_or_else(|| panic!("no {scenario} total in\n{stress}"));
        line.rsplit(',').next().unwrap().parse().unwrap()
    };
    for (scenario, cost) in [
        ("baseline", 950.0),
        ("AUS-stops-gallium", 950.0),
        ("CHN-stops-gallium", 1230.0),
        ("CAN-stops-gallium", 950.0),
        ("CHN-stops-graphite", 1920.0),
    ] {
        assert!((total(scenario) - cost).abs() < 1e-9, "{scenario}");
    }
    let summary = wd.read("out/stress_summary.csv");
    assert!(summary.contains("expected_cost,981.25"), "{summary}");
    assert!(
        summary.contains("worst_scenario,CHN-stops-graphite"),
        "{summary}"
    );
}

/// `--n-1` with `--scenarios`, or on `solve` without `--robust`, is a usage error that
/// writes nothing; `solve --robust --n-1` plans against the preset.
#[test]
fn n_1_refusals_and_the_robust_run() {
    let wd = Workdir::with_model(&[("suppliers.csv", SUPPLIERS), ("demand.csv", DEMAND)]);
    wd.write_bytes("plan.csv", PLAN.as_bytes());
    wd.write_bytes(
        "s.csv",
        b"scenario,probability,mineral,country,supplier,capacity_factor,price_factor\n",
    );
    let stress = [
        "stress",
        "model",
        "--plan",
        "plan.csv",
        "--n-1",
        "--scenarios",
        "s.csv",
    ];
    wd.run(&[&stress[..], &["--out", "bad"]].concat())
        .expect_code(2)
        .stderr_has("--n-1");
    wd.run(&["solve", "model", "--n-1", "--out", "bad"])
        .expect_code(2)
        .stderr_has("--robust");
    assert!(wd.files_under("bad").is_empty());
    wd.run(&["solve", "model", "--robust", "--n-1", "--out", "r"])
        .expect_code(0);
    let stress = wd.read("r/stress.csv");
    assert!(stress.contains("CHN-stops-graphite,0.025,"), "{stress}");
}
