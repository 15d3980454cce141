//! `stress`: hand-computed scenarios, the spot recourse against an independent LP on
//! random models, CVaR and the expected cost from the rows, the plan reader's errors, and
//! the command line.

use crate::common::*;
use good_lp::{
    constraint, default_solver, variable, variables, Expression, Solution as _, SolverModel,
};
use sourcemix::input::{parse_plan, ModelFiles};
use sourcemix::values::Level;

use sourcemix::analysis::stress::{cvar, stress, StressOptions, StressReport, StressRow};

const SUPPLIERS: &str = "supplier,mineral,country,unit_cost,capacity,fixed_cost
A,gallium,AUS,10,60,0
B,gallium,CHN,8,100,0
C,gallium,CAN,12,,0
";
const DEMAND: &str = "mineral,quantity,unmet_penalty\ngallium,100,1000\n";
const SCENARIOS: &str = "scenario,probability,mineral,country,supplier,capacity_factor,price_factor
ban,0.1,gallium,CHN,,0,
half,0.2,gallium,AUS,,0.5,
half,0.2,gallium,CAN,,,2
";
const PLAN: &str = "mineral,supplier,country,quantity,share,landed_unit_cost,cost
gallium,A,AUS,60,0.6,10,600
gallium,B,CHN,40,0.4,8,320
";

fn model(suppliers: &str, demand: &str, constraints: Option<&str>) -> Loaded {
    let mut files = vec![
        ("suppliers.csv", suppliers),
        ("demand.csv", demand),
        ("scenarios.csv", SCENARIOS),
    ];
    if let Some(c) = constraints {
        files.push(("constraints.csv", c));
    }
    loaded_from(&files)
}

fn plan(model: &Loaded, text: &str) -> Vec<f64> {
    let files = ModelFiles::from_memory(&[("plan.csv", text.as_bytes())]);
    parse_plan(&files, "plan.csv", model).unwrap().quantities
}

fn run(model: &Loaded, text: &str) -> StressReport {
    stress(
        model,
        &plan(model, text),
        &model.scenarios,
        &StressOptions::default(),
    )
    .unwrap()
}

fn row<'r>(report: &'r StressReport, scenario: &str, mineral: &str) -> &'r StressRow {
    report
        .rows
        .iter()
        .find(|r| r.scenario == scenario && r.mineral == mineral)
        .unwrap_or_else(|| panic!("no row {scenario}/{mineral}"))
}

/// Worked by hand (spot premium 25 %):
/// baseline (p 0.7): A 60 × 10 + B 40 × 8 = 920.
/// ban (p 0.1): B delivers 0; 40 short, bought from C at 12 × 1.25 = 15 (A has no room
///   left, B none): spot 600, contract 600, total 1200.
/// half (p 0.2): A delivers 30, B 40; 30 short; B has 60 left at 8 × 1.25 = 10, C costs
///   12 × 2 × 1.25 = 30: spot 300 from B, contract 300 + 320 = 620, total 920.
/// E = 0.7·920 + 0.1·1200 + 0.2·920 = 948; CVaR 0.95 = 1200 (the ban is 10 % > 5 %).
#[test]
fn hand_computed_scenarios() {
    let m = model(SUPPLIERS, DEMAND, None);
    let r = run(&m, PLAN);
    let names: Vec<(&str, &str)> = r
        .rows
        .iter()
        .map(|r| (r.scenario.as_str(), r.mineral.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("baseline", "gallium"),
            ("baseline", "*"),
            ("ban", "gallium"),
            ("ban", "*"),
            ("half", "gallium"),
            ("half", "*")
        ]
    );
    let base = row(&r, "baseline", "gallium");
    assert_close(base.probability, 0.7, 1e-12, "baseline probability");
    assert_close(base.total_cost, 920.0, 1e-9, "baseline cost");
    assert_eq!(base.shortfall, 0.0);
    let ban = row(&r, "ban", "gallium");
    assert_close(ban.delivered, 60.0, 1e-9, "ban delivered");
    assert_close(ban.shortfall, 40.0, 1e-9, "ban shortfall");
    assert_close(ban.spot_quantity, 40.0, 1e-9, "ban spot");
    assert_close(ban.spot_cost, 600.0, 1e-9, "ban spot cost");
    assert_close(ban.contract_cost, 600.0, 1e-9, "ban contract");
    assert_close(ban.total_cost, 1200.0, 1e-9, "ban total");
    let half = row(&r, "half", "gallium");
    assert_close(half.delivered, 70.0, 1e-9, "half delivered");
    assert_close(half.spot_cost, 300.0, 1e-9, "half spot cost");
    assert_close(half.contract_cost, 620.0, 1e-9, "half contract");
    assert_close(half.total_cost, 920.0, 1e-9, "half total");
    assert_close(r.summary.expected_cost, 948.0, 1e-9, "expected");
    assert_close(r.summary.cvar_cost, 1200.0, 1e-9, "cvar");
    assert_eq!(r.summary.worst_scenario, "ban");
    assert_close(r.summary.worst_cost, 1200.0, 1e-9, "worst");
    // The worst 20 %: the ban (10 %) and 10 % at 920.
    let p = plan(&m, PLAN);
    let opts = StressOptions {
        alpha: Level::literal(0.8),
        ..StressOptions::default()
    };
    let r8 = stress(&m, &p, &m.scenarios, &opts).unwrap();
    assert_close(r8.summary.cvar_cost, 1060.0, 1e-9, "cvar 0.8");
}

/// A capacity factor above 1 grows an offer's spot room, never its contract. Worked by
/// hand: in "boom" A (AUS, factor 2) delivers its 60 (not 120) at 10 = 600 and B (CHN) is
/// banned; 40 short; A has 2 · 60 − 60 = 60 left at 10 × 1.25 = 12.5, C costs 15: spot 40
/// from A = 500; total 1100; delivered + spot + unmet = demand.
#[test]
fn a_capacity_factor_above_one_adds_spot_room_not_deliveries() {
    let m = loaded_from(&[
        ("suppliers.csv", SUPPLIERS),
        ("demand.csv", DEMAND),
        (
            "scenarios.csv",
            "scenario,probability,mineral,country,supplier,capacity_factor,price_factor\n\
             boom,0.2,gallium,AUS,,2,\nboom,0.2,gallium,CHN,,0,\n",
        ),
    ]);
    let boom = row(&run(&m, PLAN), "boom", "gallium").clone();
    assert_close(boom.delivered, 60.0, 1e-9, "boom delivered");
    assert_close(boom.contract_cost, 600.0, 1e-9, "boom contract");
    assert_close(boom.spot_quantity, 40.0, 1e-9, "boom spot");
    assert_close(boom.spot_cost, 500.0, 1e-9, "boom spot cost");
    assert_eq!(boom.unmet, 0.0);
    assert_close(boom.total_cost, 1100.0, 1e-9, "boom total");
}

/// Excluded offers are not bought on the spot market; what is left is unmet at the
/// penalty. Spot purchases dearer than the penalty are not made. Fixed costs of the
/// plan's offers are paid in every scenario.
#[test]
fn exclusions_penalties_and_fixed_costs() {
    let excluded = model(
        SUPPLIERS,
        DEMAND,
        Some("constraint,mineral,target,bound\nexclude_country,gallium,CAN,\n"),
    );
    let ban = row(&run(&excluded, PLAN), "ban", "gallium").clone();
    assert_eq!(ban.spot_quantity, 0.0);
    assert_close(ban.unmet, 40.0, 1e-9, "unmet");
    assert_close(ban.unmet_cost, 40_000.0, 1e-9, "unmet cost");
    assert_close(ban.total_cost, 40_600.0, 1e-9, "total");

    let cheap_penalty = model(
        SUPPLIERS,
        "mineral,quantity,unmet_penalty\ngallium,100,14\n",
        None,
    );
    let ban = row(&run(&cheap_penalty, PLAN), "ban", "gallium").clone();
    assert_eq!(
        ban.spot_quantity, 0.0,
        "spot at 15 is dearer than the penalty 14"
    );
    assert_close(ban.unmet_cost, 560.0, 1e-9, "unmet cost");

    let fixed = model(
        &SUPPLIERS.replace("A,gallium,AUS,10,60,0", "A,gallium,AUS,10,60,50"),
        DEMAND,
        None,
    );
    let r = run(&fixed, PLAN);
    assert_close(
        row(&r, "baseline", "gallium").contract_cost,
        970.0,
        1e-9,
        "fixed",
    );
    assert_close(
        row(&r, "ban", "gallium").contract_cost,
        650.0,
        1e-9,
        "fixed, ban",
    );
}

/// A plan that leaves part of demand unmet (the planned shortfall) keeps it unmet in
/// every scenario, while what a disruption takes away is bought spot. Worked by hand
/// (demand 100, penalty 1000, spot premium 25 %), plan A 60 + B 20: 20 planned short.
/// baseline (p 0.7): contract 600 + 160 = 760; the 20 stay unmet (20,000) though B has
///   80 left at 10 and C is unlimited at 15: no spot; total 20,760.
/// ban (p 0.1): B delivers 0, 20 lost; A has no room, B is banned, C at 15: spot 300;
///   contract 600; unmet 20 (20,000); total 20,900.
/// half (p 0.2): A delivers 30, 30 lost; A's room 0.5 · 60 − 0.5 · 60 = 0, B at 10 with
///   80 left, C at 30: spot 30 from B = 300; contract 300 + 160 = 460; unmet 20; total
///   20,760.
/// E = 0.9 · 20,760 + 0.1 · 20,900 = 20,774. (Buying the baseline's 20 spot from B would
/// have cost 200: the plan would escape its policy.)
#[test]
fn a_planned_shortfall_stays_unmet_and_lost_deliveries_are_bought_spot() {
    let m = model(SUPPLIERS, DEMAND, None);
    let r = run(
        &m,
        "mineral,supplier,country,quantity\ngallium,A,AUS,60\ngallium,B,CHN,20\n",
    );
    let base = row(&r, "baseline", "gallium");
    assert_close(base.delivered, 80.0, 1e-9, "baseline delivered");
    assert_close(base.shortfall, 20.0, 1e-9, "baseline shortfall");
    assert_eq!(base.spot_quantity, 0.0, "no spot purchase in the baseline");
    assert_close(base.unmet, 20.0, 1e-9, "baseline unmet");
    assert_close(base.total_cost, 20_760.0, 1e-9, "baseline total");
    let ban = row(&r, "ban", "gallium");
    assert_close(ban.spot_quantity, 20.0, 1e-9, "ban spot");
    assert_close(ban.spot_cost, 300.0, 1e-9, "ban spot cost");
    assert_close(ban.unmet, 20.0, 1e-9, "ban unmet");
    assert_close(ban.total_cost, 20_900.0, 1e-9, "ban total");
    let half = row(&r, "half", "gallium");
    assert_close(half.delivered, 50.0, 1e-9, "half delivered");
    assert_close(half.spot_quantity, 30.0, 1e-9, "half spot");
    assert_close(half.spot_cost, 300.0, 1e-9, "half spot cost");
    assert_close(half.contract_cost, 460.0, 1e-9, "half contract");
    assert_close(half.unmet, 20.0, 1e-9, "half unmet");
    assert_close(half.total_cost, 20_760.0, 1e-9, "half total");
    assert_close(r.summary.expected_cost, 20_774.0, 1e-9, "expected");
}

/// The cheapest recourse of one mineral in one scenario, as an LP: buy y_i ≤ room_i at
/// the spot price, leave u unmet at the penalty, y + u = `shortfall` (the lost
/// deliveries).
fn recourse_lp(prices: &[(f64, Option<f64>)], shortfall: f64, penalty: f64) -> f64 {
    let mut vars = variables!();
    let ys: Vec<_> = prices
        .iter()
        .map(|&(_, room)| match room {
            Some(r) => vars.add(variable().min(0.0).max(r)),
            None => vars.add(variable().min(0.0)),
        })
        .collect();
    let u = vars.add(variable().min(0.0));
    let mut cost = Expression::from(0.0);
    let mut bought = Expression::from(0.0);
    for (&(price, _), &y) in prices.iter().zip(&ys) {
        cost += price * y;
        bought += y;
    }
    cost += penalty * u;
    let sol = vars
        .minimise(cost.clone())
        .using(default_solver)
        .with(constraint!(bought + u == shortfall))
        .solve()
        .expect("recourse LP solves");
    sol.eval(&cost)
}

/// Random models, plans and shocks: each row's spot + unmet cost equals the recourse LP
/// solved independently; rows add up; the expected cost and CVaR follow from the
/// scenario totals.
#[test]
fn recourse_equals_an_independent_lp_on_random_models() {
    let premium = 0.25;
    for seed in 0..40 {
        let mut rng = TestRng::new(seed);
        let countries = ["AUS", "CAN", "CHN", "IND"];
        let n = 2 + rng.below(5) as usize;
        let mut suppliers = String::from("supplier,mineral,country,unit_cost,capacity\n");
        let mut offers = Vec::new();
        for k in 0..n {
            let cost = 1 + rng.below(20);
            let cap = (rng.below(3) > 0).then(|| 10 + rng.below(40));
            let country = countries[rng.below(4) as usize];
            suppliers.push_str(&format!(
                "S{k},ga,{country},{cost},{}\n",
                cap.map(|c| c.to_string()).unwrap_or_default()
            ));
            offers.push((country, cost as f64, cap.map(|c| c as f64)));
        }
        let demand = 50.0;
        let penalty = (5 + rng.below(40)) as f64;
        let mut scenarios = String::from(
            "scenario,probability,mineral,country,supplier,capacity_factor,price_factor\n",
        );
        for s in 0..3 {
            // A country that offers (scenarios may only name the model's countries).
            let country = offers[rng.below(n as u64) as usize].0;
            let cf = [0.0, 0.5, 1.0][rng.below(3) as usize];
            let pf = [1.0, 1.5, 3.0][rng.below(3) as usize];
            scenarios.push_str(&format!("s{s},0.2,ga,{country},,{cf},{pf}\n"));
            if rng.below(2) == 0 {
                scenarios.push_str(&format!("s{s},0.2,*,,S{},0.5,\n", rng.below(n as u64)));
            }
        }
        let m = loaded_from(&[
            ("suppliers.csv", &suppliers),
            (
                "demand.csv",
                &format!("mineral,quantity,unmet_penalty\nga,{demand},{penalty}\n"),
            ),
            ("scenarios.csv", &scenarios),
        ]);
        // A plan within capacities, buying at most the demand.
        let mut left = demand;
        let mut plan_text = String::from("mineral,supplier,quantity\n");
        let mut x = vec![0.0; n];
        for (k, &(_, _, cap)) in offers.iter().enumerate() {
            let q = (rng.below(30) as f64)
                .min(cap.unwrap_or(f64::INFINITY))
                .min(left);
            left -= q;
            x[k] = q;
            plan_text.push_str(&format!("ga,S{k},{q}\n"));
        }
        let report = run(&m, &plan_text);
        for scen in &m.scenarios {
            // Factors applied by hand from the shocks.
            let mut a = vec![1.0; n];
            let mut pf = vec![1.0; n];
            for sh in &scen.shocks {
                for k in 0..n {
                    let o = &m.offers[k];
                    let country_ok = sh.country.is_none_or(|c| c == o.country);
                    let supplier_ok = sh.supplier.as_ref().is_none_or(|s| s.name == o.supplier);
                    if country_ok && supplier_ok {
                        a[k] *= sh.capacity_factor;
                        pf[k] *= sh.price_factor;
                    }
                }
            }
            // Offers in file order = model order for one mineral. The planned shortfall
            // D − Σ x is unmet at the penalty; only the lost deliveries Σ x − delivered
            // may be bought spot (every a here is at most 1).
            let delivered: f64 = (0..n).map(|k| a[k] * x[k]).sum();
            let contracted: f64 = x.iter().sum();
            let lost = contracted - delivered;
            let prices: Vec<(f64, Option<f64>)> = (0..n)
                .filter(|&k| a[k] > 0.0)
                .map(|k| {
                    let (_, cost, cap) = offers[k];
                    (
                        cost * pf[k] * (1.0 + premium),
                        cap.map(|c| a[k] * (c - x[k])),
                    )
                })
                .collect();
            let lp = recourse_lp(&prices, lost, penalty) + penalty * (demand - contracted);
            let r = row(&report, &scen.name, "ga");
            assert_rel(
                r.spot_cost + r.unmet_cost,
                lp,
                1e-9,
                &format!("seed {seed} {}", scen.name),
            );
            assert_close(r.delivered, delivered, 1e-9, "delivered");
            assert!(
                r.spot_quantity <= lost + 1e-9,
                "spot only replaces lost deliveries"
            );
            assert_close(
                r.delivered + r.spot_quantity + r.unmet,
                demand,
                1e-9,
                "balance",
            );
            assert_close(
                r.total_cost,
                r.contract_cost + r.spot_cost + r.unmet_cost,
                1e-9,
                "total",
            );
        }
        let totals: Vec<(f64, f64)> = report
            .rows
            .iter()
            .filter(|r| r.mineral == "*")
            .map(|r| (r.total_cost, r.probability))
            .collect();
        let p: f64 = totals.iter().map(|t| t.1).sum();
        assert_close(p, 1.0, 1e-12, "probabilities");
        let e: f64 = totals.iter().map(|(l, p)| l * p).sum();
        assert_close(
            report.summary.expected_cost,
            e,
            1e-9 * e.max(1.0),
            "expected",
        );
        assert_close(report.summary.cvar_cost, cvar(&totals, 0.95), 1e-9, "cvar");
        assert!(report.summary.cvar_cost >= report.summary.expected_cost - 1e-9);
    }
}

/// Plan rows that name no offer, repeat one, exceed a capacity or buy more than the
/// demand are refused, each with its line.
#[test]
fn plan_errors_name_their_lines() {
    let m = model(SUPPLIERS, DEMAND, None);
    let bad = "mineral,supplier,country,quantity
gallium,A,AUS,70
tin,A,AUS,1
gallium,Z,AUS,1
gallium,B,CHN,-3
gallium,C,CHN,5
gallium,C,CAN,5
gallium,C,CAN,6
";
    let files = ModelFiles::from_memory(&[("plan.csv", bad.as_bytes())]);
    let err = parse_plan(&files, "plan.csv", &m).unwrap_err().to_string();
    for needle in [
        "plan.csv:2",
        "capacity",
        "plan.csv:3",
        "tin",
        "plan.csv:4",
        "has no offer of gallium",
        "plan.csv:5",
        "plan.csv:6",
        "expected CAN",
        "plan.csv:7",
        "plan.csv:8",
        "again (first on line 6)",
    ] {
        assert!(err.contains(needle), "{needle:?} missing from:\n{err}");
    }
    let over = "mineral,supplier,quantity\ngallium,B,100\ngallium,C,5\n";
    let files = ModelFiles::from_memory(&[("plan.csv", over.as_bytes())]);
    let err = parse_plan(&files, "plan.csv", &m).unwrap_err().to_string();
    assert!(err.contains("more than its demand 100"), "{err}");
}

use crate::common::cli::command as bin;

/// `solve` then `stress` on the bundled model: both files, their headers, `baseline`
/// first, and the same bytes on a second run.
#[test]
fn cli_stress_after_solve() {
    let tmp = tempfile::tempdir().unwrap();
    let model = concat!(env!("CARGO_MANIFEST_DIR"), "/models/export-controls-2023");
    let out = tmp.path().join("out");
    bin()
        .args(["solve", model, "--out"])
        .arg(&out)
        .assert()
        .code(0);
    let plan = out.join("allocation.csv");
    let stressed = |dir: &str| {
        let d = tmp.path().join(dir);
        bin()
            .args(["stress", model, "--plan"])
            .arg(&plan)
            .arg("--out")
            .arg(&d)
            .assert()
            .code(0);
        (
            std::fs::read_to_string(d.join("stress.csv")).unwrap(),
            std::fs::read_to_string(d.join("stress_summary.csv")).unwrap(),
        )
    };
    let (rows, summary) = stressed("s1");
    assert!(rows.starts_with(
        "scenario,probability,mineral,delivered,shortfall,spot_quantity,spot_cost,unmet,unmet_cost,contract_cost,total_cost\nbaseline,"
    ));
    let metrics: Vec<&str> = summary
        .lines()
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(
        metrics,
        [
            "metric",
            "expected_cost",
            "cvar_cost",
            "alpha",
            "worst_scenario",
            "worst_cost"
        ]
    );
    assert_eq!(stressed("s2"), (rows, summary), "same input, same bytes");
}

/// Refused runs exit 2, name the problem, and write nothing.
#[test]
fn cli_refusals_write_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("m");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("suppliers.csv"), SUPPLIERS).unwrap();
    std::fs::write(dir.join("demand.csv"), "mineral,quantity\ngallium,100\n").unwrap();
    std::fs::write(dir.join("scenarios.csv"), SCENARIOS).unwrap();
    std::fs::write(tmp.path().join("plan.csv"), PLAN).unwrap();
    std::fs::write(
        tmp.path().join("bad.csv"),
        "mineral,supplier,quantity\ngallium,A,x\n",
    )
    .unwrap();
    let out = tmp.path().join("out");
    let stress = |args: &[&str]| {
        let a = bin()
            .current_dir(tmp.path())
            .args(["stress", "m", "--out", "out"])
            .args(args)
            .assert()
            .code(2);
        String::from_utf8_lossy(&a.get_output().stderr).into_owned()
    };
    let e = stress(&["--plan", "plan.csv"]);
    assert!(
        e.contains("demand.csv:2") && e.contains("unmet_penalty"),
        "{e}"
    );
    std::fs::write(dir.join("demand.csv"), DEMAND).unwrap();
    let e = stress(&["--plan", "bad.csv"]);
    assert!(e.contains("bad.csv:2") && e.contains("quantity"), "{e}");
    let e = stress(&["--plan", "missing.csv"]);
    assert!(e.contains("missing.csv"), "{e}");
    let e = stress(&["--plan", "plan.csv", "--alpha", "1"]);
    assert!(e.contains("--alpha"), "{e}");
    let e = stress(&["--plan", "plan.csv", "--scenarios", "bad.csv"]);
    assert!(e.contains("bad.csv"), "{e}");
    assert!(!out.exists() || std::fs::read_dir(&out).unwrap().next().is_none());
}

/// The `*` row's value in column `col` of a CSV file whose rows start with `first`.
fn total_cell(path: &std::path::Path, first: &str, col: &str) -> f64 {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let k = header.iter().position(|h| *h == col).unwrap();
    let row: Vec<&str> = lines
        .map(|l| l.split(',').collect::<Vec<_>>())
        .find(|r| r[0] == first && r.contains(&"*"))
        .unwrap_or_else(|| panic!("no {first} * row in {}", path.display()));
    row[k].parse().unwrap()
}

/// On every bundled model, and on a copy whose penalties are the plan's average unit cost
/// (so `solve` leaves demand unmet), `stress` prices `solve`'s plan in the baseline at
/// exactly what `solve` says it costs: the planned shortfall is unmet in the baseline,
/// not bought spot.
#[test]
fn the_baseline_costs_what_solve_says_on_every_bundled_model() {
    let tmp = tempfile::tempdir().unwrap();
    let models = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/models"));
    let mut short_plans = 0;
    for entry in std::fs::read_dir(models).unwrap() {
        let dir = entry.unwrap().path();
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let solved = |model: &std::path::Path, tag: &str| {
            let out = tmp.path().join(format!("{name}-{tag}"));
            bin()
                .args(["solve"])
                .arg(model)
                .arg("--out")
                .arg(&out)
                .assert()
                .code(0);
            let stressed = tmp.path().join(format!("{name}-{tag}-stress"));
            bin()
                .args(["stress"])
                .arg(model)
                .arg("--plan")
                .arg(out.join("allocation.csv"))
                .arg("--out")
                .arg(&stressed)
                .assert()
                .code(0);
            let cost = total_cell(&out.join("summary.csv"), "*", "cost");
            let baseline = total_cell(&stressed.join("stress.csv"), "baseline", "total_cost");
            assert_rel(baseline, cost, 1e-9, &format!("{name} {tag}"));
            out
        };
        let out = solved(&dir, "as-is");
        // The copy: CSV files only, each penalty the mineral's average unit cost.
        let summary = std::fs::read_to_string(out.join("summary.csv")).unwrap();
        let avg: std::collections::BTreeMap<String, String> = summary
            .lines()
            .skip(1)
            .map(|l| l.split(',').collect::<Vec<_>>())
            .map(|r| (r[0].to_string(), r[5].to_string()))
            .collect();
        let copy = tmp.path().join(format!("{name}-copy"));
        std::fs::create_dir(&copy).unwrap();
        for f in std::fs::read_dir(&dir).unwrap() {
            let f = f.unwrap().path();
            if f.extension().is_some_and(|e| e == "csv") {
                std::fs::copy(&f, copy.join(f.file_name().unwrap())).unwrap();
            }
        }
        let demand = std::fs::read_to_string(dir.join("demand.csv")).unwrap();
        let mut lines = demand.lines();
        let header = lines.next().unwrap();
        // The stock model has its stock columns after these three; they are kept.
        assert!(
            header.starts_with("mineral,quantity,unmet_penalty"),
            "{name}"
        );
        let mut cheap = format!("{header}\n");
        for l in lines {
            let r: Vec<&str> = l.split(',').collect();
            let rest: String = r[3..].iter().map(|c| format!(",{c}")).collect();
            cheap.push_str(&format!("{},{},{}{rest}\n", r[0], r[1], avg[r[0]]));
        }
        std::fs::write(copy.join("demand.csv"), cheap).unwrap();
        let out = solved(&copy, "cheap-penalty");
        if total_cell(&out.join("summary.csv"), "*", "unmet") > 0.0 {
            short_plans += 1;
        }
    }
    assert!(
        short_plans >= 2,
        "only {short_plans} plans leave demand unmet"
    );
}
