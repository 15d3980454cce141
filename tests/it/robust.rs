//! `solve --robust`: the optimum against brute force over a grid of plans (evaluated by
//! `stress`) and against an independent dense Rockafellar–Uryasev LP written here, the
//! nominal plan as a bound, W = 0, both methods on random models with integer rules and
//! HHI caps, CVaR against its quantile definition, and the command line.

use crate::common::*;
use assert_cmd::Command;
use good_lp::{variable, Expression, ProblemVariables, Solution as _, SolverModel, Variable};
use sourcemix::analysis::robust::{solve_robust, Method, RobustOptions, RobustSolution, Stop};
use sourcemix::analysis::stress::{cvar, stress, StressOptions};
use sourcemix::model::Target;
use sourcemix::policy;
use sourcemix::solve::{SolveOptions, Status};
use sourcemix::values::{Fraction, Level, NonNegative, Seconds};
use std::num::NonZeroUsize;

pub(crate) fn opts(method: Method, weight: f64, alpha: f64) -> RobustOptions {
    RobustOptions {
        alpha: Level::new(alpha).unwrap(),
        cvar_weight: NonNegative::new(weight).unwrap(),
        method,
        solve: SolveOptions {
            threads: NonZeroUsize::new(1),
            mip_gap: Fraction::literal(0.0),
            ..SolveOptions::default()
        },
        ..RobustOptions::default()
    }
}

fn robust(model: &Loaded, o: &RobustOptions) -> RobustSolution {
    let out = solve_robust(model, &model.scenarios, o, &|_| {}).expect("robust solve");
    let r = out.robust.expect("a robust plan");
    assert_eq!(r.status, Status::Optimal, "{:?}", r.status);
    r
}

/// E + W · CVaR of a plan, by `stress`.
pub(crate) fn stressed(model: &Loaded, plan: &[f64], weight: f64, alpha: f64) -> f64 {
    let o = StressOptions {
        alpha: Level::new(alpha).unwrap(),
        ..StressOptions::default()
    };
    let r = stress(model, plan, &model.scenarios, &o).unwrap();
    r.summary.expected_cost + weight * r.summary.cvar_cost
}

/// Two minerals, two offers each; a full ban of the cheap country, a partial cut and a
/// price spike; country caps.
fn small_model(rng: &mut TestRng) -> Loaded {
    let mut s = String::from("supplier,mineral,country,unit_cost,capacity\n");
    for (m, countries) in [("ga", ["CHN", "AUS"]), ("ge", ["CHN", "CAN"])] {
        for (k, c) in countries.iter().enumerate() {
            let cost = if k == 0 {
                8 + rng.below(4)
            } else {
                11 + rng.below(6)
            };
            s.push_str(&format!("{m}{k},{m},{c},{cost},{}\n", 60 + rng.below(50)));
        }
    }
    let demand = format!(
        "mineral,quantity,unmet_penalty\nga,100,{}\nge,100,{}\n",
        25 + rng.below(30),
        20 + rng.below(40)
    );
    let p_ban = 0.02 + rng.below(10) as f64 / 100.0;
    let scenarios = format!(
        "scenario,probability,mineral,country,supplier,capacity_factor,price_factor
ban,{p_ban},,CHN,,0,
cut,0.1,ga,AUS,,0.5,
spike,0.15,ge,*,,,1.6
boom,0.05,ge,CAN,,1.8,0.9
"
    );
    let constraints = format!(
        "constraint,mineral,target,bound\nmax_country_share,*,*,0.{}\n",
        7 + rng.below(3)
    );
    loaded_from(&[
        ("suppliers.csv", s.as_str()),
        ("demand.csv", demand.as_str()),
        ("scenarios.csv", scenarios.as_str()),
        ("constraints.csv", constraints.as_str()),
    ])
}

/// The best policy-feasible plan on a grid of step D/`steps` per offer, by `stress`.
fn grid_min(model: &Loaded, steps: usize, weight: f64, alpha: f64) -> f64 {
    let n = model.offers.len();
    assert_eq!(n, 4);
    let mut best = f64::INFINITY;
    let mut idx = vec![0usize; n];
    loop {
        let plan: Vec<f64> = (0..n)
            .map(|i| {
                let d = model.minerals[model.offers[i].mineral].demand;
                d * idx[i] as f64 / steps as f64
            })
            .collect();
        let q: Vec<Vec<f64>> = model
            .minerals
            .iter()
            .map(|m| plan[m.offers.clone()].to_vec())
            .collect();
        let unmet: Vec<f64> = model
            .minerals
            .iter()
            .zip(&q)
            .map(|(m, q)| m.demand - q.iter().sum::<f64>())
            .collect();
        if unmet.iter().all(|&u| u >= -1e-9) && check_plan(model, &q, &unmet).is_ok() {
            best = best.min(stressed(model, &plan, weight, alpha));
        }
        let mut k = 0;
        while k < n {
            idx[k] += 1;
            if idx[k] <= steps {
                break;
            }
            idx[k] = 0;
            k += 1;
        }
        if k == n {
            return best;
        }
    }
}

/// Capacity and price factor of offer `i` in scenario `s`, from the shocks directly.
fn factor(model: &Loaded, s: &sourcemix::model::Scenario, i: usize) -> (f64, f64) {
    let o = &model.offers[i];
    let (mut a, mut f) = (1.0, 1.0);
    for sh in &s.shocks {
        if sh.mineral.is_some_and(|m| m != o.mineral)
            || sh.country.is_some_and(|c| c != o.country)
            || sh.supplier.as_ref().is_some_and(|n| n.name != o.supplier)
        {
            continue;
        }
        a *= sh.capacity_factor;
        f *= sh.price_factor;
    }
    (a, f)
}

/// The robust optimum as one dense LP written from SPEC §3 with the README's departure
/// (country caps and capacities only): x, and per scenario spot y, unmet v, loss L, and
/// z ≥ L − η. In every scenario the planned shortfall D − Σ x is unmet at the penalty,
/// and spot purchases y plus unmet v replace only the lost deliveries Σ x − Σ δ x.
fn dense_lp(model: &Loaded, weight: f64, alpha: f64) -> f64 {
    let mut vars = ProblemVariables::new();
    let x: Vec<Variable> = model
        .offers
        .iter()
        .map(|o| vars.add(variable().min(0.0).max(o.capacity.unwrap_or(1e9))))
        .collect();
    let p_total: f64 = model.scenarios.iter().map(|s| s.probability).sum();
    let base = sourcemix::model::Scenario {
        name: "baseline".into(),
        probability: 1.0 - p_total,
        shocks: vec![],
    };
    let all: Vec<&sourcemix::model::Scenario> =
        std::iter::once(&base).chain(&model.scenarios).collect();
    let eta = vars.add(variable().min(0.0));
    let mut rows: Vec<good_lp::Constraint> = Vec::new();
    let mut objective = Expression::from(eta) * weight;
    for s in &all {
        let mut loss = Expression::from(0.0);
        for mineral in &model.minerals {
            let pen = mineral.unmet_penalty.unwrap();
            let contracted: Expression = mineral.offers.clone().map(|i| x[i]).sum();
            // The planned shortfall, unmet in every scenario.
            loss += pen * (mineral.demand - contracted.clone());
            let v = vars.add(variable().min(0.0));
            let mut supply = Expression::from(v);
            loss += pen * v;
            for i in mineral.offers.clone() {
                let o = &model.offers[i];
                let (a, f) = factor(model, s, i);
                // A contract delivers at most what it bought; a > 1 only adds spot room.
                let delivered = a.min(1.0);
                supply += delivered * x[i];
                loss += delivered * o.landed_cost * x[i];
                let price = o.landed_cost * f * 1.25;
                if a > 0.0 && price < pen {
                    let y = vars.add(variable().min(0.0));
                    supply += y;
                    loss += price * y;
                    if let Some(cap) = o.capacity {
                        rows.push((y + delivered * x[i]).leq(a * cap));
                    }
                }
            }
            // Delivered plus bought plus unmet covers what was contracted.
            rows.push(supply.geq(contracted));
        }
        let z = vars.add(variable().min(0.0));
        rows.push((Expression::from(z) - loss.clone() + eta).geq(0.0));
        objective += s.probability * loss + weight * s.probability / (1.0 - alpha) * z;
    }
    for (m, mineral) in model.minerals.iter().enumerate() {
        let total: Expression = mineral.offers.clone().map(|i| x[i]).sum();
        rows.push(total.leq(mineral.demand));
        for row in &model.policy {
            assert_eq!(row.kind, policy::MAX_COUNTRY_SHARE);
            assert_eq!(row.target, Target::Each);
            for c in 0..model.countries.len() {
                let q: Expression = mineral
                    .offers
                    .clone()
                    .filter(|&i| model.offers[i].country == c)
                    .map(|i| x[i])
                    .sum();
                rows.push(q.leq(row.bound * mineral.demand));
            }
        }
        let _ = m;
    }
    let mut problem = vars.minimise(objective.clone()).using(good_lp::microlp);
    for r in rows {
        problem.add_constraint(r);
    }
    let sol = problem.solve().expect("dense LP solves");
    sol.eval(&objective)
}

#[test]
fn optimum_matches_brute_force_and_the_dense_lp() {
    let mut rng = TestRng::new(2026);
    for case in 0..3 {
        let model = small_model(&mut rng);
        // α = 0: CVaR is the expected cost, so W = 1 doubles E (the dense LP and the grid
        // say so independently).
        for (weight, alpha) in [(1.0, 0.95), (2.0, 0.8), (0.0, 0.9), (1.0, 0.0)] {
            let dense = dense_lp(&model, weight, alpha);
            let grid = grid_min(&model, 10, weight, alpha);
            for method in [Method::Extensive, Method::Decomposition] {
                let r = robust(&model, &opts(method, weight, alpha));
                let by_stress = stressed(&model, &r.plan, weight, alpha);
                let what = format!("case {case} W {weight} α {alpha} {method}");
                assert_rel(r.objective, by_stress, 1e-9, &what);
                assert_rel(r.objective, dense, 1e-6, &format!("{what} vs dense LP"));
                // No grid plan is better; the grid's best is close (step 10 % of demand).
                assert!(r.objective <= grid * (1.0 + 1e-9), "{what}: grid {grid}");
                assert!(grid <= r.objective * 1.1, "{what}: grid {grid}");
            }
        }
    }
}

/// Where the grid holds the optimum (step 1/10 of demand; capacities, demand and caps
/// multiples of it, and the optimum a vertex of them), brute force equals it exactly.
#[test]
fn optimum_equals_grid_optimum_on_a_grid_model() {
    let model = loaded_from(&[
        (
            "suppliers.csv",
            "supplier,mineral,country,unit_cost,capacity\nga0,ga,CHN,8,80\nga1,ga,AUS,12,70\nge0,ge,CHN,9,90\nge1,ge,CAN,13,60\n",
        ),
        ("demand.csv", "mineral,quantity,unmet_penalty\nga,100,40\nge,100,35\n"),
        (
            "scenarios.csv",
            "scenario,probability,mineral,country,supplier,capacity_factor,price_factor\nban,0.1,,CHN,,0,\n",
        ),
        ("constraints.csv", "constraint,mineral,target,bound\nmax_country_share,*,*,0.7\n"),
    ]);
    for weight in [0.0, 1.0, 3.0] {
        let grid = grid_min(&model, 10, weight, 0.95);
        for method in [Method::Extensive, Method::Decomposition] {
            let r = robust(&model, &opts(method, weight, 0.95));
            assert_rel(r.objective, grid, 1e-7, &format!("W {weight} {method}"));
        }
    }
}

#[test]
fn never_worse_than_the_nominal_plan_and_w0_is_expected_cost_optimal() {
    let mut rng = TestRng::new(99);
    for _ in 0..5 {
        let model = small_model(&mut rng);
        let out = solve_robust(
            &model,
            &model.scenarios,
            &opts(Method::Auto, 1.0, 0.95),
            &|_| {},
        )
        .unwrap();
        let nominal: Vec<f64> = out
            .nominal
            .minerals
            .iter()
            .flat_map(|m| m.quantities.clone())
            .collect();
        let r = out.robust.unwrap();
        assert!(r.objective <= stressed(&model, &nominal, 1.0, 0.95) * (1.0 + 1e-9));
        // W = 0: the expected cost is minimal, and no plan of the W = 1 optimum's does
        // better in expectation.
        let e = robust(&model, &opts(Method::Decomposition, 0.0, 0.95));
        assert_rel(e.objective, dense_lp(&model, 0.0, 0.95), 1e-6, "W = 0");
        assert!(e.objective <= stressed(&model, &r.plan, 0.0, 0.95) * (1.0 + 1e-9));
        assert!(e.objective <= stressed(&model, &nominal, 0.0, 0.95) * (1.0 + 1e-9));
    }
}

/// A random model with integer rules (min_order, fixed_cost, min_suppliers) or an HHI
/// cap, 2 minerals over 4 countries, and 3 scenarios including a full ban.
fn random_model(rng: &mut TestRng, integers: bool, hhi: bool) -> Loaded {
    let countries = ["AUS", "CAN", "CHN", "USA"];
    let mut s = String::from("supplier,mineral,country,unit_cost,capacity,min_order,fixed_cost\n");
    for m in ["ga", "ge"] {
        for k in 0..(3 + rng.below(3)) {
            let (min_order, fixed) = if integers {
                (rng.below(3) * 5, rng.below(3) * 20)
            } else {
                (0, 0)
            };
            s.push_str(&format!(
                "{m}{k},{m},{},{},{},{min_order},{fixed}\n",
                countries[(k as usize) % 4],
                6 + rng.below(15),
                30 + rng.below(50)
            ));
        }
    }
    let demand = format!(
        "mineral,quantity,unmet_penalty\nga,100,{}\nge,80,{}\n",
        30 + rng.below(30),
        30 + rng.below(40)
    );
    let scenarios = format!(
        "scenario,probability,mineral,country,supplier,capacity_factor,price_factor
ban,{},,CHN,,0,
cut,0.1,ga,AUS,,0.4,1.3
spike,0.1,ge,,,,1.5
boom,0.05,ga,AUS,,2,1.1
",
        0.03 + rng.below(8) as f64 / 100.0
    );
    let mut c = String::from("constraint,mineral,target,bound\nmax_country_share,*,*,0.6\n");
    if integers {
        c.push_str("min_suppliers,ga,,2\n");
    }
    if hhi {
        c.push_str("max_hhi,*,,0.4\n");
    }
    loaded_from(&[
        ("suppliers.csv", s.as_str()),
        ("demand.csv", demand.as_str()),
        ("scenarios.csv", scenarios.as_str()),
        ("constraints.csv", c.as_str()),
    ])
}

#[test]
fn methods_agree_on_random_models_with_integer_rules_and_hhi_caps() {
    let mut rng = TestRng::new(7);
    for case in 0..9 {
        let (integers, hhi) =
            [(false, false), (true, false), (false, true), (true, true)][case % 4];
        let model = random_model(&mut rng, integers, hhi);
        for (weight, alpha) in [(1.0, 0.95), (0.5, 0.85)] {
            let e = robust(&model, &opts(Method::Extensive, weight, alpha));
            let d = robust(&model, &opts(Method::Decomposition, weight, alpha));
            let what = format!("case {case} (integers {integers}, hhi {hhi}) W {weight}");
            assert_rel(e.objective, d.objective, 1e-6, &what);
            for r in [&e, &d] {
                assert_rel(
                    r.objective,
                    stressed(&model, &r.plan, weight, alpha),
                    1e-9,
                    &what,
                );
                let q: Vec<Vec<f64>> = model
                    .minerals
                    .iter()
                    .map(|m| r.plan[m.offers.clone()].to_vec())
                    .collect();
                let unmet: Vec<f64> = model
                    .minerals
                    .iter()
                    .zip(&q)
                    .map(|(m, q)| (m.demand - q.iter().sum::<f64>()).max(0.0))
                    .collect();
                check_plan(&model, &q, &unmet).unwrap_or_else(|e| panic!("{what}: {e}"));
            }
            let g = r_gap(&d);
            assert!(g <= 1e-7, "{what}: gap {g}");
        }
    }
}

fn r_gap(r: &RobustSolution) -> f64 {
    r.gap.expect("a gap")
}

/// CVaR_α as the mean of the worst 1 − α of the distribution (the quantile definition):
/// sort losses descending, take probability mass until 1 − α is filled, splitting the
/// atom that straddles the boundary.
fn cvar_by_quantile(losses: &[(f64, f64)], alpha: f64) -> f64 {
    let mut sorted = losses.to_vec();
    sorted.sort_by(|a, b| b.0.total_cmp(&a.0));
    let tail = 1.0 - alpha;
    let (mut mass, mut sum) = (0.0, 0.0);
    for (l, p) in sorted {
        let take = p.min(tail - mass);
        if take <= 0.0 {
            break;
        }
        mass += take;
        sum += take * l;
    }
    sum / tail
}

#[test]
fn cvar_matches_the_quantile_definition_with_ties_and_straddling_atoms() {
    // Ties at the boundary; an atom straddling 1 − α = 0.25 (the 0.2 atom at 50 is fully
    // in, 0.05 of the 0.3 atom at 30 is in).
    let l = [(30.0, 0.3), (50.0, 0.2), (10.0, 0.2), (30.0, 0.3)];
    assert_close(
        cvar(&l, 0.75),
        (0.2 * 50.0 + 0.05 * 30.0) / 0.25,
        1e-9,
        "straddle",
    );
    // The tail is exactly the top atom.
    assert_close(cvar(&l, 0.8), 50.0, 1e-9, "exact atom");
    // The tail lies inside a tied pair of atoms.
    assert_close(cvar(&l, 0.5), (0.2 * 50.0 + 0.3 * 30.0) / 0.5, 1e-9, "ties");
    let mut rng = TestRng::new(3);
    for _ in 0..500 {
        let n = 1 + rng.below(7) as usize;
        let raw: Vec<f64> = (0..n).map(|_| 1.0 + rng.below(20) as f64).collect();
        let total: f64 = raw.iter().sum();
        // Losses from a small set so ties are common.
        let losses: Vec<(f64, f64)> = raw
            .iter()
            .map(|w| (rng.below(5) as f64 * 10.0, w / total))
            .collect();
        let alpha = [0.5, 0.8, 0.9, 0.95, 0.99][rng.below(5) as usize];
        let want = cvar_by_quantile(&losses, alpha);
        let got = cvar(&losses, alpha);
        assert!(
            (got - want).abs() <= 1e-9 * want.max(1.0),
            "{losses:?} α {alpha}: {got} vs {want}"
        );
    }
}

// ---- command line ----------------------------------------------------------------

const SUPPLIERS: &str = "supplier,mineral,country,unit_cost,capacity
A,gallium,AUS,10,60
B,gallium,CHN,8,100
C,gallium,CAN,12,
";
const DEMAND: &str = "mineral,quantity,unmet_penalty\ngallium,100,1000\n";
const SCENARIOS: &str = "scenario,probability,mineral,country,supplier,capacity_factor,price_factor
ban,0.1,gallium,CHN,,0,
half,0.2,gallium,AUS,,0.5,
";

fn cli_model(demand: &str) -> tempfile::TempDir {
    write_model(&[
        ("suppliers.csv", SUPPLIERS),
        ("demand.csv", demand),
        ("scenarios.csv", SCENARIOS),
        (
            "constraints.csv",
            "constraint,mineral,target,bound\nmax_country_share,*,*,0.7\n",
        ),
    ])
}

fn sourcemix() -> Command {
    Command::cargo_bin("sourcemix").unwrap()
}

#[test]
fn cli_refusals_exit_2_name_the_problem_and_write_nothing() {
    let dir = cli_model("mineral,quantity,unmet_penalty\ngallium,100,\n");
    let out = dir.path().join("out");
    let a = sourcemix()
        .args(["solve", "--robust", "--out"])
        .arg(&out)
        .arg(dir.path())
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&a.get_output().stderr).to_string();
    assert!(err.contains("demand.csv:2"), "{err}");
    assert!(err.contains("unmet_penalty"), "{err}");
    assert!(!out.exists());

    let dir = cli_model(DEMAND);
    let out = dir.path().join("out");
    for (flag, value) in [
        ("--alpha", "-0.1"),
        ("--alpha", "1"),
        ("--alpha", "1.5"),
        ("--cvar-weight", "-1"),
        ("--spot-premium", "-0.1"),
        ("--method", "simplex"),
    ] {
        let a = sourcemix()
            .args(["solve", "--robust", flag, value, "--out"])
            .arg(&out)
            .arg(dir.path())
            .assert()
            .code(2);
        let err = String::from_utf8_lossy(&a.get_output().stderr).to_string();
        assert!(err.contains(flag), "{flag} {value}: {err}");
        assert!(!out.exists(), "{flag} {value} wrote results");
    }
    // Robust flags without --robust are a usage error.
    sourcemix()
        .args(["solve", "--alpha", "0.9"])
        .arg(dir.path())
        .assert()
        .code(2);
    // A scenarios file that does not exist is named.
    let a = sourcemix()
        .args(["solve", "--robust", "--scenarios", "no-such.csv", "--out"])
        .arg(&out)
        .arg(dir.path())
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&a.get_output().stderr).to_string();
    assert!(err.contains("no-such.csv"), "{err}");
    assert!(!out.exists());
}

#[test]
fn cli_robust_run_writes_five_files_that_stress_reproduces() {
    let dir = cli_model(DEMAND);
    let out = dir.path().join("out");
    for method in ["extensive", "decomposition"] {
        let a = sourcemix()
            .args(["solve", "--robust", "--method", method, "--out"])
            .arg(&out)
            .arg(dir.path())
            .assert()
            .code(0);
        let text = String::from_utf8_lossy(&a.get_output().stdout).to_string();
        assert!(
            text.contains("nominal") && text.contains("robust"),
            "{text}"
        );
        assert!(text.contains("insurance"), "{text}");
        for f in [
            "allocation.csv",
            "summary.csv",
            "constraints.csv",
            "stress.csv",
            "stress_summary.csv",
        ] {
            assert!(out.join(f).is_file(), "{f} missing");
        }
        // A robust plan is not the optimum of any block: its rows carry no shadow price,
        // and the text prices no rule.
        let constraints = std::fs::read_to_string(out.join("constraints.csv")).unwrap();
        for line in constraints.lines().skip(1) {
            assert!(
                line.ends_with(",,"),
                "{method}: a robust row is priced: {line}"
            );
        }
        assert!(!text.contains("what the binding rules cost"), "{text}");
        let again = dir.path().join("again");
        sourcemix()
            .args(["stress", "--plan"])
            .arg(out.join("allocation.csv"))
            .arg("--out")
            .arg(&again)
            .arg(dir.path())
            .assert()
            .code(0);
        for f in ["stress.csv", "stress_summary.csv"] {
            assert_eq!(
                std::fs::read(out.join(f)).unwrap(),
                std::fs::read(again.join(f)).unwrap(),
                "{f} differs ({method})"
            );
        }
    }
    // JSON: bounds per round and the comparison.
    let a = sourcemix()
        .args([
            "solve",
            "--robust",
            "--format",
            "json",
            "--method",
            "decomposition",
            "--out",
        ])
        .arg(&out)
        .arg(dir.path())
        .assert()
        .code(0);
    let v: serde_json::Value = serde_json::from_slice(&a.get_output().stdout).unwrap();
    assert!(v["robust"]["iterations"]
        .as_array()
        .is_some_and(|i| !i.is_empty()));
    assert!(v["comparison"]["insurance_cost"].is_number());
    assert_eq!(v["robust"]["status"], "optimal");
}

/// A time limit never leaves the caller without a plan once the nominal solve has one:
/// whatever the limit cuts, the plan obeys the policy and is no worse than the nominal one.
#[test]
fn a_time_limit_returns_a_checked_plan_no_worse_than_the_nominal_one() {
    let mut rng = TestRng::new(41);
    let model = small_model(&mut rng);
    for limit in [0.02, 0.2, 5.0] {
        let mut o = opts(Method::Decomposition, 1.0, 0.95);
        o.solve.time_limit = Some(Seconds::new(limit).unwrap());
        let out = solve_robust(&model, &model.scenarios, &o, &|_| {}).unwrap();
        if out.nominal.status.exit_code() != 0 {
            continue; // the nominal solve itself was cut short
        }
        let nominal: Vec<f64> = out
            .nominal
            .minerals
            .iter()
            .flat_map(|m| m.quantities.clone())
            .collect();
        let r = out.robust.unwrap();
        // Optimal means the bounds met to 1e-7; anything else names the clock, the only
        // limit here.
        match &r.status {
            Status::Optimal => assert!(
                r.stopped_by.is_none() && r.gap.is_some_and(|g| g <= 1e-7),
                "optimal with {:?} and gap {:?}",
                r.stopped_by,
                r.gap
            ),
            Status::Feasible => assert_eq!(r.stopped_by, Some(Stop::TimeLimit), "{limit}"),
            other => panic!("{other:?}"),
        }
        assert!(r.objective <= stressed(&model, &nominal, 1.0, 0.95) * (1.0 + 1e-9));
        let q: Vec<Vec<f64>> = model
            .minerals
            .iter()
            .map(|m| r.plan[m.offers.clone()].to_vec())
            .collect();
        let unmet: Vec<f64> = model
            .minerals
            .iter()
            .zip(&q)
            .map(|(m, q)| (m.demand - q.iter().sum::<f64>()).max(0.0))
            .collect();
        check_plan(&model, &q, &unmet).unwrap();
    }
}

/// A model with more offers and scenarios than [`random_model`], so that the
/// decomposition runs several rounds and its cuts need prefix sums inside the chains.
#[cfg(feature = "highs")]
fn random_many(rng: &mut TestRng) -> Loaded {
    let countries = ["AUS", "CAN", "CHN", "USA", "BRA"];
    let mut s = String::from("supplier,mineral,country,unit_cost,capacity\n");
    for m in ["ga", "ge"] {
        for k in 0..(8 + rng.below(8)) {
            s.push_str(&format!(
                "{m}{k},{m},{},{},{}\n",
                countries[rng.below(5) as usize],
                5 + rng.below(30),
                10 + rng.below(40)
            ));
        }
    }
    let demand = format!(
        "mineral,quantity,unmet_penalty\nga,150,{}\nge,120,{}\n",
        60 + rng.below(40),
        60 + rng.below(40)
    );
    let mut sc = String::from(
        "scenario,probability,mineral,country,supplier,capacity_factor,price_factor\n",
    );
    for k in 0..(6 + rng.below(6)) {
        let mineral = ["", "ga", "ge"][rng.below(3) as usize];
        let country = countries[rng.below(5) as usize];
        let capacity = rng.below(10) as f64 / 10.0;
        let price = 1.0 + rng.below(6) as f64 / 10.0;
        sc.push_str(&format!(
            "s{k},0.04,{mineral},{country},,{capacity},{price}\n"
        ));
    }
    let c = "constraint,mineral,target,bound\nmax_country_share,*,*,0.5\n";
    loaded_from(&[
        ("suppliers.csv", s.as_str()),
        ("demand.csv", demand.as_str()),
        ("scenarios.csv", sc.as_str()),
        ("constraints.csv", c),
    ])
}

/// The warm master (HiGHS kept across rounds, the default solver of a highs build) and
/// a cold one (`--solver highs`: the master rebuilt and solved from scratch each round)
/// reach the same optimum, which the extensive form confirms.
#[cfg(feature = "highs")]
#[test]
fn warm_and_cold_masters_reach_the_same_optimum() {
    use sourcemix::analysis::robust::Engine;
    use sourcemix::engine::SolverKind;
    use sourcemix::solve::SolverChoice;
    let mut rng = TestRng::new(11);
    // Cases whose warm master was re-solved (the first round's cuts, made at the
    // nominal plan, can already settle a mild model).
    let mut resolved = 0;
    for case in 0..6 {
        let model = random_many(&mut rng);
        let (weight, alpha) = [(1.0, 0.9), (0.3, 0.75)][case % 2];
        let warm = robust(&model, &opts(Method::Decomposition, weight, alpha));
        let mut o = opts(Method::Decomposition, weight, alpha);
        o.solve.solver = SolverChoice::Named(SolverKind::Highs);
        let cold = robust(&model, &o);
        let extensive = robust(&model, &opts(Method::Extensive, weight, alpha));
        let what = format!("case {case}");
        assert_eq!(warm.engine, Some(Engine::Lp(SolverKind::Highs)), "{what}");
        resolved += usize::from(warm.iterations.len() > 1);
        assert_rel(warm.objective, cold.objective, 1e-6, &what);
        assert_rel(warm.objective, extensive.objective, 1e-6, &what);
        assert_rel(
            warm.objective,
            stressed(&model, &warm.plan, weight, alpha),
            1e-9,
            &what,
        );
        assert!(r_gap(&warm) <= 1e-7, "{what}: gap {}", r_gap(&warm));
    }
    assert!(resolved >= 2, "only {resolved} warm masters were re-solved");
}

/// Issue 24, items 2 and 3, on models/export-controls-2023: the robust plan buys nothing
/// spot when nothing is disrupted (so no baseline purchase escapes a policy row), and
/// its headline total cost, summary.csv's total and the comparison's baseline cost are
/// one number: what stress.csv's baseline says it costs.
#[test]
fn export_controls_robust_plan_relies_on_no_baseline_spot_purchase() {
    let tmp = tempfile::tempdir().unwrap();
    let model = concat!(env!("CARGO_MANIFEST_DIR"), "/models/export-controls-2023");
    let out = tmp.path().join("out");
    let a = sourcemix()
        .args(["solve", model, "--robust", "--out"])
        .arg(&out)
        .assert()
        .code(0);
    let text = String::from_utf8_lossy(&a.get_output().stdout).to_string();
    let stress_csv = std::fs::read_to_string(out.join("stress.csv")).unwrap();
    let mut lines = stress_csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let baseline: Vec<&Vec<&str>> = rows.iter().filter(|r| r[0] == "baseline").collect();
    assert_eq!(baseline.len(), 4, "three minerals and the totals");
    for r in &baseline {
        assert_eq!(r[col("spot_quantity")], "0", "{r:?}");
    }
    let baseline_cost: f64 = baseline[3][col("total_cost")].parse().unwrap();
    let summary = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    let total: Vec<&str> = summary.lines().last().unwrap().split(',').collect();
    assert_eq!(total[0], "*");
    let cost: f64 = total[4].parse().unwrap();
    assert_rel(
        cost,
        baseline_cost,
        1e-9,
        "summary.csv vs stress.csv baseline",
    );
    let headline = text
        .lines()
        .find_map(|l| l.strip_prefix("total cost: "))
        .unwrap();
    let in_table = text
        .lines()
        .find_map(|l| l.strip_prefix("baseline cost "))
        .unwrap();
    let robust_column = in_table.split_whitespace().last().unwrap();
    assert_eq!(headline, robust_column, "{text}");
    for words in ["contract cost", "unmet demand", "expected cost", "CVaR"] {
        assert!(text.contains(words), "{words:?} missing from {text}");
    }
}
