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
chain,0.05,ree,CHN,,0,,refine
chain,0.05,ree,AUS,,0.5,,mine
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
/// - chain (refine CHN at 0, mine AUS at 0.5): stages multiply. a keeps 0.5 (mine) · 0.4
///   (refine) = 0.2 (delivers 12, room 8), b 0.5 · 1 (delivers 20, room 30), c 1 · 0.
///   68 short: 8 from a (50) + 30 from b (225), 30 unmet at 50 (1500); contract
///   60 + 120 = 180; total 1955.
/// - mineban (mine AUS at 0): a is mined in its shipping country AUS and b in AUS: both
///   0; c is mined in CHN (room 100). 100 short from c: 875; contract 0; total 875.
#[test]
fn stage_disruptions_deliver_as_worked_by_hand() {
    let r = run();
    let cases = [
        ("ban", 64.0, 36.0, 250.0, 360.0, 610.0, 0.0),
        ("both", 61.0, 39.0, 275.0, 345.0, 620.0, 0.0),
        ("two", 52.0, 48.0, 350.0, 300.0, 650.0, 0.0),
        ("chain", 32.0, 38.0, 275.0, 180.0, 1955.0, 30.0),
        ("mineban", 0.0, 100.0, 875.0, 0.0, 875.0, 0.0),
        ("baseline", 100.0, 0.0, 0.0, 540.0, 540.0, 0.0),
    ];
    for (name, delivered, spot, spot_cost, contract, total, unmet) in cases {
        let row = row(&r, name);
        let got = [
            row.delivered,
            row.spot_quantity,
            row.spot_cost,
            row.contract_cost,
            row.total_cost,
            row.unmet,
        ];
        let want = [delivered, spot, spot_cost, contract, total, unmet];
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

const CODES: [&str; 4] = ["AUS", "CHN", "MYS", "USA"];

/// One offer of a random staged model as the test wrote it.
struct TestOffer {
    ship: usize,
    /// The refine stage's mix; empty means the shipping country.
    refine: Vec<(usize, f64)>,
    cost: f64,
    cap: f64,
}

impl TestOffer {
    /// f at the refine stage of country `c`.
    fn refined_in(&self, c: usize) -> f64 {
        if self.refine.is_empty() {
            f64::from(u8::from(self.ship == c))
        } else {
            self.refine
                .iter()
                .filter(|&&(k, _)| k == c)
                .map(|&(_, f)| f)
                .sum()
        }
    }
}

/// One scenario row: (country, stage, capacity factor, price factor).
type Row = (usize, At, f64, f64);

/// Where a test scenario row applies.
#[derive(Clone, Copy, PartialEq)]
enum At {
    Shipping,
    /// The mine stage (every test offer is mined in its shipping country).
    Mine,
    Refine,
}

/// A random staged model: two AUS offers with the same refine mix, one AUS offer refined
/// at home (a different chain from the same shipping country), a USA and a CHN offer;
/// scenarios cutting the refine stage alone and with a shipping-country row, a refine
/// price spike; a refine-stage country cap.
struct Case {
    offers: Vec<TestOffer>,
    penalty: f64,
    cap_share: f64,
    scenarios: Vec<(String, f64, Vec<Row>)>,
}

fn random_case(rng: &mut TestRng) -> Case {
    let mixes: [&[(usize, f64)]; 4] = [
        &[(1, 1.0)],
        &[(1, 0.6), (2, 0.4)],
        &[(2, 0.5), (3, 0.5)],
        &[(1, 0.3), (3, 0.7)],
    ];
    let mix_a = mixes[rng.below(4) as usize].to_vec();
    let mix_d = mixes[rng.below(4) as usize].to_vec();
    let mut offer = |ship: usize, refine: Vec<(usize, f64)>| TestOffer {
        ship,
        refine,
        cost: (3 + rng.below(8)) as f64,
        cap: (30 + rng.below(50)) as f64,
    };
    let offers = vec![
        offer(0, mix_a.clone()),
        offer(0, Vec::new()),
        offer(0, mix_a),
        offer(3, mix_d),
        offer(1, Vec::new()),
    ];
    let p = |rng: &mut TestRng| 0.03 + rng.below(10) as f64 / 100.0;
    let scenarios = vec![
        (
            "refban".to_string(),
            p(rng),
            vec![(1, At::Refine, 0.0, 1.0)],
        ),
        (
            "mixed".to_string(),
            p(rng),
            vec![(2, At::Refine, 0.5, 1.0), (0, At::Shipping, 0.6, 1.3)],
        ),
        (
            "refprice".to_string(),
            p(rng),
            vec![(1, At::Refine, 0.8, 1.5)],
        ),
        (
            "twostage".to_string(),
            p(rng),
            vec![(1, At::Refine, 0.4, 1.0), (0, At::Mine, 0.5, 1.0)],
        ),
    ];
    Case {
        offers,
        penalty: (30 + rng.below(30)) as f64,
        cap_share: 0.6 + rng.below(4) as f64 / 10.0,
        scenarios,
    }
}

impl Case {
    fn files(&self) -> Vec<(&'static str, String)> {
        let mut suppliers =
            String::from("supplier,mineral,country,unit_cost,capacity,origin_mine,origin_refine\n");
        for (k, o) in self.offers.iter().enumerate() {
            let mix: Vec<String> = o
                .refine
                .iter()
                .map(|&(c, f)| format!("{}:{f}", CODES[c]))
                .collect();
            suppliers.push_str(&format!(
                "s{k},ree,{},{},{},,{}\n",
                CODES[o.ship],
                o.cost,
                o.cap,
                mix.join(";")
            ));
        }
        let mut scenarios = String::from(
            "scenario,probability,mineral,country,supplier,capacity_factor,price_factor,stage\n",
        );
        for (name, p, rows) in &self.scenarios {
            for &(c, at, a, f) in rows {
                let stage = match at {
                    At::Shipping => "",
                    At::Mine => "mine",
                    At::Refine => "refine",
                };
                scenarios.push_str(&format!("{name},{p},ree,{},,{a},{f},{stage}\n", CODES[c]));
            }
        }
        vec![
            ("countries.csv", COUNTRIES.to_string()),
            ("suppliers.csv", suppliers),
            (
                "demand.csv",
                format!("mineral,quantity,unmet_penalty\nree,100,{}\n", self.penalty),
            ),
            ("scenarios.csv", scenarios),
            (
                "constraints.csv",
                format!(
                    "constraint,mineral,target,bound,stage\nmax_country_share,*,*,{},refine\n",
                    self.cap_share
                ),
            ),
        ]
    }

    /// Capacity and price factor of offer `o` under `rows`, from the test's own mixes
    /// (SPEC §6): the shipping rows' product times Π_stages clamp(1 − Σ f (1 − a)); price
    /// Π p · Π (1 + f (p − 1)).
    fn factor(o: &TestOffer, rows: &[Row]) -> (f64, f64) {
        let (mut ship, mut price, mut mine, mut refine) = (1.0, 1.0, 0.0, 0.0);
        for &(c, at, a, p) in rows {
            let f = match at {
                At::Shipping => {
                    if c == o.ship {
                        ship *= a;
                        price *= p;
                    }
                    continue;
                }
                At::Mine => f64::from(u8::from(c == o.ship)),
                At::Refine => o.refined_in(c),
            };
            match at {
                At::Mine => mine += f * (1.0 - a),
                _ => refine += f * (1.0 - a),
            }
            price *= 1.0 + f * (p - 1.0);
        }
        let keep = |cut: f64| (1.0 - cut).clamp(0.0, 1.0);
        (ship * keep(mine) * keep(refine), price)
    }

    /// The robust optimum as one dense R–U LP (the pattern of tests/it/robust.rs), with
    /// the refine-stage cap Σ_i f_ic x_i ≤ bound · D for every country c.
    fn dense_lp(&self, weight: f64, alpha: f64) -> f64 {
        use good_lp::{variable, Expression, ProblemVariables, SolverModel, Variable};
        let demand = 100.0;
        let mut vars = ProblemVariables::new();
        let x: Vec<Variable> = self
            .offers
            .iter()
            .map(|o| vars.add(variable().min(0.0).max(o.cap)))
            .collect();
        let p_total: f64 = self.scenarios.iter().map(|s| s.1).sum();
        let mut all = vec![(1.0 - p_total, Vec::new())];
        all.extend(self.scenarios.iter().map(|s| (s.1, s.2.clone())));
        let eta = vars.add(variable().min(0.0));
        let mut rows: Vec<good_lp::Constraint> = Vec::new();
        let mut objective = Expression::from(eta) * weight;
        let contracted: Expression = x.iter().copied().sum();
        for (p, shocks) in &all {
            let mut loss = self.penalty * (demand - contracted.clone());
            let v = vars.add(variable().min(0.0));
            let mut supply = Expression::from(v);
            loss += self.penalty * v;
            for (i, o) in self.offers.iter().enumerate() {
                let (a, f) = Case::factor(o, shocks);
                let delivered = a.min(1.0);
                supply += delivered * x[i];
                loss += delivered * o.cost * x[i];
                let price = o.cost * f * 1.25;
                if a > 0.0 && price < self.penalty {
                    let y = vars.add(variable().min(0.0));
                    supply += y;
                    loss += price * y;
                    rows.push((y + delivered * x[i]).leq(a * o.cap));
                }
            }
            rows.push(supply.geq(contracted.clone()));
            let z = vars.add(variable().min(0.0));
            rows.push((Expression::from(z) - loss.clone() + eta).geq(0.0));
            objective += *p * loss + weight * *p / (1.0 - alpha) * z;
        }
        rows.push(contracted.clone().leq(demand));
        for c in 0..CODES.len() {
            let q: Expression = self
                .offers
                .iter()
                .enumerate()
                .map(|(i, o)| o.refined_in(c) * x[i])
                .sum();
            rows.push(q.leq(self.cap_share * demand));
        }
        let mut problem = vars.minimise(objective.clone()).using(good_lp::microlp);
        for r in rows {
            problem.add_constraint(r);
        }
        let sol = problem.solve().expect("dense LP solves");
        good_lp::Solution::eval(&sol, &objective)
    }
}

#[test]
fn robust_with_stage_scenarios_matches_an_independent_dense_lp_both_methods() {
    use crate::robust::{opts, stressed};
    use sourcemix::analysis::robust::{solve_robust, Method};
    use sourcemix::solve::Status;
    let mut rng = TestRng::new(234);
    for case in 0..4 {
        let c = random_case(&mut rng);
        let files = c.files();
        let refs: Vec<(&str, &str)> = files.iter().map(|(n, t)| (*n, t.as_str())).collect();
        let model = loaded_from(&refs);
        for (weight, alpha) in [(1.0, 0.9), (0.0, 0.9), (2.0, 0.8)] {
            let dense = c.dense_lp(weight, alpha);
            for method in [Method::Extensive, Method::Decomposition] {
                let what = format!("case {case} W {weight} α {alpha} {method}");
                let out = solve_robust(
                    &model,
                    &model.scenarios,
                    &opts(method, weight, alpha),
                    &|_| {},
                )
                .expect("robust solve");
                let r = out.robust.expect("a robust plan");
                assert_eq!(r.status, Status::Optimal, "{what}");
                assert_rel(r.objective, dense, 1e-6, &format!("{what} vs dense LP"));
                let by_stress = stressed(&model, &r.plan, weight, alpha);
                assert_rel(r.objective, by_stress, 1e-9, &format!("{what} vs stress"));
            }
        }
    }
}

/// a ships from AUS and is refined in CHN (risk 0.8); b ships from USA and is refined
/// there (risk 0.1). Demand 100, no other rule.
const FRONTIER_SUPPLIERS: &str = "supplier,mineral,country,unit_cost,capacity,origin_refine
a,ree,AUS,5,100,CHN
b,ree,USA,6,100,
";

fn frontier_at(measure: Measure, stage: Option<&str>) -> Frontier {
    let model = loaded_from(&[
        ("countries.csv", COUNTRIES),
        ("suppliers.csv", FRONTIER_SUPPLIERS),
        ("demand.csv", "mineral,quantity\nree,100\n"),
    ]);
    let opts = FrontierOptions {
        measure,
        points: Points::literal(3),
        solve: SolveOptions::default(),
        stage: stage.map(str::to_string),
    };
    match frontier(&model, &opts, &|_, _| {}).unwrap() {
        FrontierOutcome::Frontier(f) => f,
        FrontierOutcome::NoPlan(_) => panic!("no plan"),
    }
}

use sourcemix::analysis::frontier::{
    frontier, Frontier, FrontierOptions, FrontierOutcome, Measure, Points,
};
use sourcemix::solve::SolveOptions;

/// Worked by hand. The optimum buys 100 from a (cost 500): its average risk is 0.1 by
/// shipping country (AUS) but 0.8 at refine (CHN); its refine HHI is 1.
/// - avg_risk at refine ≤ β: 0.8 x_a + 0.1 (100 − x_a) ≤ 100 β, so x_a = 100 (β − 0.1) / 0.7
///   and cost 600 − x_a: least 0.1 (cost 600), 0.45 (cost 550), 0.8 (cost 500).
/// - hhi at refine ≤ β with share s = x_a / 100: s² + (1 − s)² ≤ β, s = (1 + √(2β − 1)) / 2:
///   least 0.5 (s = 0.5, cost 550), 0.75 (s = 0.853553…, cost 514.6447), 1 (cost 500).
/// - By shipping country every plan's average risk is 0.1: one point, cost 500.
#[test]
fn frontier_at_a_stage_matches_the_hand_solved_curve() {
    let avg = frontier_at(Measure::AvgRisk, Some("refine"));
    for (p, b) in avg.points.iter().zip([0.1, 0.45, 0.8]) {
        assert!((p.bound - b).abs() < 1e-6, "{:?}", avg.points);
        // At the point's own bound (the least one carries a margin of 1e-8).
        let c = 600.0 - 100.0 * (p.bound - 0.1) / 0.7;
        assert!((p.cost - c).abs() < 1e-6, "{:?}", avg.points);
        assert!(p.achieved <= p.bound + 1e-7, "{:?}", avg.points);
    }
    assert!((avg.current_measure - 0.8).abs() < 1e-9);
    assert!((avg.least_by_mineral[0].least - 0.1).abs() < 1e-6);
    let hhi = frontier_at(Measure::Hhi, Some("REFINE"));
    for (p, b) in hhi.points.iter().zip([0.5, 0.75, 1.0]) {
        assert!((p.bound - b).abs() < 1e-6, "{:?}", hhi.points);
        let s = (1.0 + (2.0 * p.bound - 1.0).sqrt()) / 2.0;
        assert!(
            (p.cost - (600.0 - 100.0 * s)).abs() < 1e-5,
            "{:?}",
            hhi.points
        );
    }
    let shipping = frontier_at(Measure::AvgRisk, None);
    assert!((shipping.current_measure - 0.1).abs() < 1e-9);
    assert!(shipping
        .points
        .iter()
        .all(|p| (p.cost - 500.0).abs() < 1e-6));
}

#[test]
fn frontier_at_an_unknown_stage_is_exit_2_naming_the_stages() {
    let w = Workdir::with_model(&[
        ("countries.csv", COUNTRIES),
        ("suppliers.csv", FRONTIER_SUPPLIERS),
        ("demand.csv", "mineral,quantity\nree,100\n"),
    ]);
    w.run(&[
        "frontier",
        "model",
        "--measure",
        "hhi",
        "--stage",
        "smelt",
        "--out",
        "out",
    ])
    .expect_code(2)
    .stderr_has("--stage: \"smelt\" is not a stage of this model; expected one of: refine");
    w.run(&[
        "frontier",
        "model",
        "--measure",
        "hhi",
        "--stage",
        "refine",
        "--out",
        "out",
    ])
    .expect_code(0);
    assert!(w.read("out/frontier.csv").lines().count() > 2);
}

/// `scenarios --stage refine` with CHN certain to be disrupted (severity 0) samples one
/// scenario, `CHN` at the refine stage: the plan then delivers what the `ban` scenario of
/// [`stage_disruptions_deliver_as_worked_by_hand`] worked out (64, total 610), and the
/// written file carries the stage and reads back.
#[test]
fn sampled_disruptions_at_a_stage_hit_the_stage() {
    use sourcemix::analysis::sampling::{sample, Samples, SamplingOptions};
    let countries = "country,risk,disruption_prob\nAUS,0.1,0\nCHN,0.8,1\nMYS,0.3,0\nUSA,0.1,0\n";
    let mut f = files();
    f[0].1 = countries;
    f.pop();
    let m = loaded_from(&f);
    let opts = SamplingOptions {
        samples: Samples::literal(10),
        stage: Some("refine".into()),
        ..SamplingOptions::default()
    };
    let sampled = sample(&m, None, &opts, &|_| {}).unwrap();
    let scenarios = sampled.to_scenarios();
    let plan_files = ModelFiles::from_memory(&[("plan.csv", PLAN.as_bytes())]);
    let x = parse_plan(&plan_files, "plan.csv", &m).unwrap().quantities;
    let r = stress(&m, &x, &scenarios, &StressOptions::default()).unwrap();
    let row = row(&r, "CHN");
    assert!((row.delivered - 64.0).abs() < 1e-9, "{row:?}");
    assert!((row.total_cost - 610.0).abs() < 1e-9, "{row:?}");

    let w = Workdir::with_model(&f);
    w.write_bytes("plan.csv", PLAN.as_bytes());
    w.run(&[
        "scenarios",
        "model",
        "--samples",
        "10",
        "--seed",
        "1",
        "--stage",
        "refine",
        "--out",
        "s.csv",
    ])
    .expect_code(0);
    assert_eq!(
        w.read("s.csv"),
        "scenario,probability,mineral,country,supplier,capacity_factor,price_factor,stage\nCHN,1,*,CHN,,0,,refine\n"
    );
    w.run(&[
        "stress",
        "model",
        "--plan",
        "plan.csv",
        "--scenarios",
        "s.csv",
        "--out",
        "out",
    ])
    .expect_code(0);
    w.run(&[
        "scenarios",
        "model",
        "--samples",
        "10",
        "--seed",
        "1",
        "--stage",
        "smelt",
    ])
    .expect_code(2)
    .stderr_has("--stage: \"smelt\" is not a stage of this model; expected one of: mine, refine");
}

/// `--n-1-stage refine`: one scenario per country some offer is refined in (CHN, MYS,
/// USA), each stopping what is refined there, worked by hand as above:
/// CHN is the `ban` scenario (64, 610); MYS: a keeps 0.6 (delivers 36, room 24), 24 short
/// from a at 6.25 (150), contract 180 + 240 = 420, total 570; USA: b delivers 0, 40 short
/// from a's room 40 at 6.25 (250), contract 300, total 550.
#[test]
fn n_minus_one_at_a_stage_stops_each_country_of_the_stage() {
    use sourcemix::analysis::presets::{n_minus_one_at, N_MINUS_ONE_PROBABILITY};
    let m = loaded_from(&files());
    let scenarios = n_minus_one_at(&m, m.stages.index("refine"));
    let names: Vec<&str> = scenarios.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "CHN-stops-ree-at-refine",
            "MYS-stops-ree-at-refine",
            "USA-stops-ree-at-refine"
        ]
    );
    assert!(scenarios
        .iter()
        .all(|s| s.probability == N_MINUS_ONE_PROBABILITY / 3.0));
    let plan_files = ModelFiles::from_memory(&[("plan.csv", PLAN.as_bytes())]);
    let x = parse_plan(&plan_files, "plan.csv", &m).unwrap().quantities;
    let r = stress(&m, &x, &scenarios, &StressOptions::default()).unwrap();
    for (name, delivered, total) in [
        ("CHN-stops-ree-at-refine", 64.0, 610.0),
        ("MYS-stops-ree-at-refine", 76.0, 570.0),
        ("USA-stops-ree-at-refine", 60.0, 550.0),
    ] {
        let row = row(&r, name);
        assert!((row.delivered - delivered).abs() < 1e-9, "{row:?}");
        assert!((row.total_cost - total).abs() < 1e-9, "{row:?}");
    }
    let w = Workdir::with_model(&files());
    w.write_bytes("plan.csv", PLAN.as_bytes());
    w.run(&[
        "stress",
        "model",
        "--plan",
        "plan.csv",
        "--n-1-stage",
        "refine",
        "--out",
        "out",
    ])
    .expect_code(0)
    .stderr_has("--n-1-stage: 3 scenarios");
    assert!(w
        .read("out/stress.csv")
        .contains("\nMYS-stops-ree-at-refine,"));
    w.run(&[
        "stress",
        "model",
        "--plan",
        "plan.csv",
        "--n-1-stage",
        "smelt",
    ])
    .expect_code(2)
    .stderr_has(
        "--n-1-stage: \"smelt\" is not a stage of this model; expected one of: mine, refine",
    );
}
