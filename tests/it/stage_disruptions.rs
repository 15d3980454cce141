//! Disruptions at a stage (scenarios.csv's `stage` column, issue 23 item 4): `stress`
//! deliveries and spot recourse worked by hand, `--robust` against an independent R–U LP
//! written here (both methods), and bad input.

use crate::common::cli::Workdir;
use crate::common::*;
use sourcemix::analysis::stress::{stress, StressOptions, StressReport, StressRow};
use sourcemix::input::{parse_plan, ModelFiles};

const COUNTRIES: &str = "country,risk\nAUS,0.1\nCHN,0.8\nMYS,0.3\nUSA,0.1\n";
/// a ships from AUS (mine AUS by default), refined 60 % in CHN and 40 % in MYS; b ships
/// from USA, mined in AUS, refined in USA; c ships from CHN, everything in CHN.
const SUPPLIERS: &str = "supplier,mineral,country,unit_cost,capacity,origin_mine,origin_refine
a,ree,AUS,5,100,,CHN:0.6;MYS:0.4
b,ree,USA,6,100,AUS,USA
c,ree,CHN,7,100,,
";
const DEMAND: &str = "mineral,quantity,unmet_penalty\nree,100,50\n";
const SCENARIOS: &str =
    "scenario,probability,mineral,country,supplier,capacity_factor,price_factor,stage
ban,0.1,ree,CHN,,0,,refine
both,0.1,ree,CHN,,0.5,,refine
both,0.1,ree,AUS,,0.5,,
two,0.05,ree,CHN,,0,,refine
two,0.05,ree,MYS,,0.5,,refine
mineban,0.05,ree,AUS,,0,,mine
";
const PLAN: &str = "mineral,supplier,country,quantity
ree,a,AUS,60
ree,b,USA,40
";

fn files() -> Vec<(&'static str, &'static str)> {
    vec![
        ("countries.csv", COUNTRIES),
        ("suppliers.csv", SUPPLIERS),
        ("demand.csv", DEMAND),
        ("scenarios.csv", SCENARIOS),
    ]
}

fn run() -> StressReport {
    let m = loaded_from(&files());
    let plan_files = ModelFiles::from_memory(&[("plan.csv", PLAN.as_bytes())]);
    let x = parse_plan(&plan_files, "plan.csv", &m).unwrap().quantities;
    stress(&m, &x, &m.scenarios, &StressOptions::default()).unwrap()
}

fn row<'r>(report: &'r StressReport, scenario: &str) -> &'r StressRow {
    report
        .rows
        .iter()
        .find(|r| r.scenario == scenario && r.mineral == "ree")
        .unwrap_or_else(|| panic!("no row {scenario}"))
}

/// Worked by hand (spot premium 25 %, so spot prices a 6.25, b 7.5, c 8.75):
/// - ban (refine CHN at 0): a keeps 1 − 0.6 = 0.4 (delivers 24, room 40 − 24 = 16), b
///   keeps all (40, room 60), c none. 36 short: 16 from a (100) + 20 from b (150) = 250;
///   contract 24·5 + 40·6 = 360; total 610.
/// - both (refine CHN at 0.5 and shipping AUS at 0.5): a's factor is the product
///   0.5 · (1 − 0.6·0.5) = 0.35 (delivers 21, room 14), b 1, c 0.5 (room 50). 39 short: 14
///   from a (87.5) + 25 from b (187.5) = 275; contract 105 + 240 = 345; total 620.
/// - two (refine CHN at 0, refine MYS at 0.5): a keeps 1 − 0.6 − 0.4·0.5 = 0.2 (delivers
///   12, room 8), b 40 (room 60), c 0. 48 short: 8 from a (50) + 40 from b (300) = 350;
///   contract 60 + 240 = 300; total 650.
/// - mineban (mine AUS at 0): a is mined in its shipping country AUS and b in AUS: both
///   0; c is mined in CHN (room 100). 100 short from c: 875; contract 0; total 875.
#[test]
fn stage_disruptions_deliver_as_worked_by_hand() {
    let r = run();
    let cases = [
        ("ban", 64.0, 36.0, 250.0, 360.0, 610.0),
        ("both", 61.0, 39.0, 275.0, 345.0, 620.0),
        ("two", 52.0, 48.0, 350.0, 300.0, 650.0),
        ("mineban", 0.0, 100.0, 875.0, 0.0, 875.0),
        ("baseline", 100.0, 0.0, 0.0, 540.0, 540.0),
    ];
    for (name, delivered, spot, spot_cost, contract, total) in cases {
        let row = row(&r, name);
        let got = [
            row.delivered,
            row.spot_quantity,
            row.spot_cost,
            row.contract_cost,
            row.total_cost,
            row.unmet,
        ];
        let want = [delivered, spot, spot_cost, contract, total, 0.0];
        for (g, w) in got.iter().zip(want) {
            assert!((g - w).abs() < 1e-6, "{name}: got {got:?}, want {want:?}");
        }
    }
}

#[test]
fn an_unknown_stage_in_scenarios_is_exit_2_naming_file_line_column_and_value() {
    let bad = SCENARIOS.replace("0.5,,refine\nboth", "0.5,,smelt\nboth");
    let mut f = files();
    f[3].1 = &bad;
    let w = Workdir::with_model(&f);
    w.run(&["solve", "model", "--out", "out"])
        .expect_code(2)
        .stderr_has("scenarios.csv:3: column stage: \"smelt\" is not a stage of this model; expected empty (the shipping country) or one of: mine, refine");
    let plain = Workdir::with_model(&[
        ("suppliers.csv", "supplier,mineral,country,unit_cost\na,ree,AUS,5\n"),
        ("demand.csv", DEMAND),
        (
            "scenarios.csv",
            "scenario,probability,mineral,country,capacity_factor,stage\nban,0.1,ree,AUS,0,refine\n",
        ),
    ]);
    plain
        .run(&["solve", "model", "--out", "out"])
        .expect_code(2)
        .stderr_has("scenarios.csv:2: column stage: \"refine\" is not a stage of this model (suppliers.csv has no origin_<stage> columns)");
}
