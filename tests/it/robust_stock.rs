//! Stock as a first-stage decision of `solve --robust` (issue 24): the optimum against an
//! independent dense Rockafellar–Uryasev LP with stock variables written here, against
//! brute force over grids of (plan, stock) evaluated by `stress`, both methods on random
//! models with integer rules and HHI caps, hand-solved cases, and bad stock input.

use crate::common::*;
use crate::robust::{opts, stressed};
use good_lp::{variable, Expression, ProblemVariables, Solution as _, SolverModel, Variable};
use sourcemix::analysis::robust::{solve_robust, Method, RobustOptions, RobustSolution};
use sourcemix::analysis::stress::{stress, StressOptions};
use sourcemix::model::Target;
use sourcemix::policy;
use sourcemix::solve::Status;

fn robust(model: &Loaded, o: &RobustOptions) -> RobustSolution {
    let out = solve_robust(model, &model.scenarios, o, &|_| {}).expect("robust solve");
    let r = out.robust.expect("a robust plan");
    assert_eq!(r.status, Status::Optimal, "{:?}", r.status);
    r
}

/// Per mineral: (contracted total, stock built = what it buys above demand).
fn totals(model: &Loaded, plan: &[f64]) -> Vec<(f64, f64)> {
    model
        .minerals
        .iter()
        .map(|m| {
            let x: f64 = plan[m.offers.clone()].iter().sum();
            (x, (x - m.demand).max(0.0))
        })
        .collect()
}

/// The plan passes the independent SPEC checker with its stock built.
fn check(model: &Loaded, plan: &[f64], what: &str) {
    let q: Vec<Vec<f64>> = model
        .minerals
        .iter()
        .map(|m| plan[m.offers.clone()].to_vec())
        .collect();
    let t = totals(model, plan);
    let unmet: Vec<f64> = model
        .minerals
        .iter()
        .zip(&t)
        .map(|(m, &(x, _))| (m.demand - x).max(0.0))
        .collect();
    let built: Vec<f64> = t.iter().map(|&(_, b)| b).collect();
    check_stocked_plan(model, &q, &unmet, &built).unwrap_or_else(|e| panic!("{what}: {e}"));
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

/// The robust optimum with stock as one dense LP written from the README ("Stock"):
/// per mineral x, stock built b ∈ [0, room], unmet u with Σ x + u = D + b; per scenario
/// spot y, drawdown w ≤ S0 + b at the cheapest landed cost r (when r is below the
/// penalty), unmet v, with Σ δ x + y + w + v ≥ Σ x; every loss pays p u + h (S0 + b).
/// Country caps and capacities only.
fn dense_lp(model: &Loaded, weight: f64, alpha: f64) -> f64 {
    let mut vars = ProblemVariables::new();
    let x: Vec<Variable> = model
        .offers
        .iter()
        .map(|o| vars.add(variable().min(0.0).max(o.capacity.unwrap_or(1e9))))
        .collect();
    let mut stock: Vec<(Variable, Variable, f64, f64, f64)> = Vec::new(); // b, u, S0, h, r
    let mut rows: Vec<good_lp::Constraint> = Vec::new();
    for mineral in &model.minerals {
        let st = mineral.stock.expect("every mineral has stock columns");
        let room = st.cap.map_or(mineral.demand, |c| c - st.on_hand);
        let b = vars.add(variable().min(0.0).max(room));
        let u = vars.add(variable().min(0.0));
        let total: Expression = mineral.offers.clone().map(|i| x[i]).sum();
        rows.push((total + u).eq(mineral.demand + b));
        let r = mineral
            .offers
            .clone()
            .map(|i| model.offers[i].landed_cost)
            .fold(f64::INFINITY, f64::min);
        stock.push((b, u, st.on_hand, st.holding_cost, r));
        for row in &model.policy {
            if row.kind == policy::MIN_STOCK_DAYS {
                // README "Stock": S0 + b ≥ days / 365 · D, the stock built on top of
                // demand (what the plan contracts above it).
                let need = row.bound / 365.0 * mineral.demand - st.on_hand;
                if need > 0.0 {
                    let x_total: Expression = mineral.offers.clone().map(|i| x[i]).sum();
                    rows.push(x_total.geq(mineral.demand + need));
                }
                continue;
            }
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
    }
    let p_total: f64 = model.scenarios.iter().map(|s| s.probability).sum();
    let base = sourcemix::model::Scenario {
        name: "baseline".into(),
        probability: 1.0 - p_total,
        shocks: vec![],
    };
    let all: Vec<&sourcemix::model::Scenario> =
        std::iter::once(&base).chain(&model.scenarios).collect();
    let eta = vars.add(variable().min(0.0));
    let mut objective = Expression::from(eta) * weight;
    for s in &all {
        let mut loss = Expression::from(0.0);
        for (m, mineral) in model.minerals.iter().enumerate() {
            let (b, u, s0, h, r) = stock[m];
            let pen = mineral.unmet_penalty.unwrap();
            let contracted: Expression = mineral.offers.clone().map(|i| x[i]).sum();
            loss += pen * u + h * (s0 + b);
            let v = vars.add(variable().min(0.0));
            let mut supply = Expression::from(v);
            loss += pen * v;
            if r < pen {
                let w = vars.add(variable().min(0.0));
                rows.push((w - b).leq(s0));
                supply += w;
                loss += r * w;
            }
            for i in mineral.offers.clone() {
                let o = &model.offers[i];
                let (a, f) = factor(model, s, i);
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
            rows.push(supply.geq(contracted));
        }
        let z = vars.add(variable().min(0.0));
        rows.push((Expression::from(z) - loss.clone() + eta).geq(0.0));
        objective += s.probability * loss + weight * s.probability / (1.0 - alpha) * z;
    }
    let mut problem = vars.minimise(objective.clone()).using(good_lp::microlp);
    for r in rows {
        problem.add_constraint(r);
    }
    let sol = problem.solve().expect("dense LP solves");
    sol.eval(&objective)
}

/// Two minerals with stock, two offers each; a full ban of the cheap country (its
/// spot gone too), a partial cut with a price spike, and a price rise below 1 / 1.25
/// (spot cheaper than the stock's replacement); country caps.
fn small_model(rng: &mut TestRng) -> Loaded {
    small_model_with(rng, "")
}

/// [`small_model`] with `extra` rows appended to constraints.csv.
fn small_model_with(rng: &mut TestRng, extra: &str) -> Loaded {
    let mut s = String::from("supplier,mineral,country,unit_cost,capacity\n");
    for (m, countries) in [("ga", ["CHN", "AUS"]), ("ge", ["CHN", "CAN"])] {
        for (k, c) in countries.iter().enumerate() {
            let cost = if k == 0 {
                8 + rng.below(4)
            } else {
                11 + rng.below(6)
            };
            s.push_str(&format!("{m}{k},{m},{c},{cost},{}\n", 60 + rng.below(60)));
        }
    }
    let demand = format!(
        "mineral,quantity,unmet_penalty,stock_on_hand,holding_cost,stock_cap\nga,100,{},{},{},{}\nge,100,{},{},{},\n",
        40 + rng.below(40),
        rng.below(4) * 10,
        rng.below(3),
        40 + rng.below(3) * 10,
        30 + rng.below(40),
        rng.below(3) * 10,
        rng.below(4),
    );
    let scenarios = format!(
        "scenario,probability,mineral,country,supplier,capacity_factor,price_factor
ban,{},,CHN,,0,
cut,0.15,ga,AUS,,0.5,3
cut,0.15,ge,CHN,,0.4,
cheap,0.05,ge,CAN,,,0.6
",
        0.05 + rng.below(10) as f64 / 100.0
    );
    let constraints = format!(
        "constraint,mineral,target,bound\nmax_country_share,*,*,0.{}\n{extra}",
        7 + rng.below(3)
    );
    loaded_from(&[
        ("suppliers.csv", s.as_str()),
        ("demand.csv", demand.as_str()),
        ("scenarios.csv", scenarios.as_str()),
        ("constraints.csv", constraints.as_str()),
    ])
}

#[test]
fn both_methods_equal_the_dense_lp_with_stock() {
    let mut rng = TestRng::new(24);
    for case in 0..4 {
        let model = small_model(&mut rng);
        for (weight, alpha) in [(1.0, 0.95), (3.0, 0.8), (0.0, 0.9)] {
            let dense = dense_lp(&model, weight, alpha);
            for method in [Method::Extensive, Method::Decomposition] {
                let r = robust(&model, &opts(method, weight, alpha));
                let what = format!("case {case} W {weight} α {alpha} {method}");
                assert_rel(
                    r.objective,
                    stressed(&model, &r.plan, weight, alpha),
                    1e-9,
                    &what,
                );
                assert_rel(r.objective, dense, 1e-6, &format!("{what} vs dense LP"));
                check(&model, &r.plan, &what);
            }
        }
    }
}

/// The best plan on a grid of step D/`steps` per offer from 0 to 2D, contracting up to
/// demand plus the stock's room (so the grid covers the stock built too), by `stress`.
fn grid_min(model: &Loaded, steps: usize, weight: f64, alpha: f64) -> f64 {
    let n = model.offers.len();
    let mut best = f64::INFINITY;
    let mut idx = vec![0usize; n];
    loop {
        let plan: Vec<f64> = (0..n)
            .map(|i| {
                let d = model.minerals[model.offers[i].mineral].demand;
                d * idx[i] as f64 / steps as f64
            })
            .collect();
        let fits = model
            .minerals
            .iter()
            .zip(totals(model, &plan))
            .all(|(m, (x, _))| {
                let st = m.stock.unwrap();
                x <= m.demand + st.cap.map_or(m.demand, |c| c - st.on_hand) + 1e-9
            });
        let q: Vec<Vec<f64>> = model
            .minerals
            .iter()
            .map(|m| plan[m.offers.clone()].to_vec())
            .collect();
        let t = totals(model, &plan);
        let unmet: Vec<f64> = model
            .minerals
            .iter()
            .zip(&t)
            .map(|(m, &(x, _))| (m.demand - x).max(0.0))
            .collect();
        let built: Vec<f64> = t.iter().map(|&(_, b)| b).collect();
        if fits && check_stocked_plan(model, &q, &unmet, &built).is_ok() {
            best = best.min(stressed(model, &plan, weight, alpha));
        }
        let mut k = 0;
        while k < n {
            idx[k] += 1;
            if idx[k] <= 2 * steps {
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

/// One mineral whose optimum lies on the grid: brute force over (plan, stock) by
/// `stress` equals the robust optimum, which builds stock.
#[test]
fn optimum_equals_brute_force_over_plan_and_stock() {
    let model = loaded_from(&[
        (
            "suppliers.csv",
            "supplier,mineral,country,unit_cost,capacity\ncn,ga,CHN,10,200\nau,ga,AUS,14,20\n",
        ),
        (
            "demand.csv",
            "mineral,quantity,unmet_penalty,stock_on_hand,holding_cost,stock_cap\nga,100,1000,10,1,50\n",
        ),
        (
            "scenarios.csv",
            "scenario,probability,mineral,country,supplier,capacity_factor,price_factor\ncut,0.2,ga,CHN,,0.5,10\n",
        ),
    ]);
    for (weight, alpha) in [(1.0, 0.9), (0.0, 0.9), (2.0, 0.5)] {
        let grid = grid_min(&model, 20, weight, alpha);
        for method in [Method::Extensive, Method::Decomposition] {
            let r = robust(&model, &opts(method, weight, alpha));
            let what = format!("W {weight} α {alpha} {method}");
            assert_rel(r.objective, grid, 1e-7, &what);
            if weight > 0.0 {
                assert!(totals(&model, &r.plan)[0].1 > 1.0, "{what}: builds stock");
            }
        }
    }
}

/// Two minerals with stock over four countries, with integer rules (min_order,
/// fixed_cost, min_suppliers) or an HHI cap.
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
                40 + rng.below(60)
            ));
        }
    }
    let demand = format!(
        "mineral,quantity,unmet_penalty,stock_on_hand,holding_cost,stock_cap\nga,100,{},{},{},{}\nge,80,{},{},{},\n",
        40 + rng.below(30),
        rng.below(3) * 10,
        rng.below(3),
        30 + rng.below(30),
        40 + rng.below(40),
        rng.below(3) * 8,
        rng.below(2),
    );
    let scenarios = format!(
        "scenario,probability,mineral,country,supplier,capacity_factor,price_factor
ban,{},,CHN,,0,
cut,0.1,ga,AUS,,0.4,4
spike,0.1,ge,,,0.7,3
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
fn methods_agree_with_stock_integer_rules_and_hhi_caps() {
    let mut rng = TestRng::new(1024);
    for case in 0..4 {
        let (integers, hhi) =
            [(false, false), (true, false), (false, true), (true, true)][case % 4];
        let model = random_model(&mut rng, integers, hhi);
        let (weight, alpha) = [(1.0, 0.95), (2.0, 0.85)][case % 2];
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
            check(&model, &r.plan, &what);
        }
        assert!(d.gap.expect("a gap") <= 1e-7, "{what}");
    }
}

/// CHN at 10 (unlimited), AUS at 14 (capacity 100), demand 100, penalty 100, a ban of
/// CHN with probability 0.1 (its spot gone: AUS spot at 17.5), α 0.95, W 1.
fn ban_model(on_hand: f64, holding: f64) -> Loaded {
    let demand = format!(
        "mineral,quantity,unmet_penalty,stock_on_hand,holding_cost,stock_cap\nga,100,100,{on_hand},{holding},100\n"
    );
    loaded_from(&[
        (
            "suppliers.csv",
            "supplier,mineral,country,unit_cost,capacity\ncn,ga,CHN,10,\nau,ga,AUS,14,100\n",
        ),
        ("demand.csv", demand.as_str()),
        (
            "scenarios.csv",
            "scenario,probability,mineral,country,supplier,capacity_factor,price_factor\nban,0.1,ga,CHN,,0,\n",
        ),
    ])
}

/// The ban cuts 100 and the stock covers 30. With c from CHN (the rest from AUS), for
/// c ≤ 30 both the baseline and the ban cost 1430 − 4c (the stock replaces c at r = 10,
/// its holding 30); above 30 the ban costs 1205 + 3.5c, and E + CVaR rises by 0.25 per
/// unit. So c = 30, E + W·CVaR = 2 · 1310, and the ban draws all 30.
#[test]
fn a_ban_longer_than_the_stock_covers() {
    let model = ban_model(30.0, 1.0);
    for method in [Method::Extensive, Method::Decomposition] {
        let r = robust(&model, &opts(method, 1.0, 0.95));
        assert_rel(r.objective, 2620.0, 1e-9, &format!("{method}"));
        assert_close(r.plan[model.minerals[0].offers.start], 30.0, 1e-6, "CHN");
        let s = stress(&model, &r.plan, &model.scenarios, &StressOptions::default()).unwrap();
        let ban = s
            .rows
            .iter()
            .find(|r| r.scenario == "ban" && r.mineral == "ga")
            .unwrap();
        let k = ban.stock.unwrap();
        assert_close(k.drawdown, 30.0, 1e-6, "drawdown");
        assert_close(k.drawdown_cost, 300.0, 1e-6, "drawdown cost");
        assert_close(ban.spot_quantity, 0.0, 1e-6, "spot");
        assert_close(ban.total_cost, 1310.0, 1e-6, "ban cost");
    }
}

/// A stock on hand of a whole year's demand covers the ban at r = 10 per unit, less than
/// anything AUS costs: the robust plan is the nominal one (all CHN), baseline and ban
/// both 1000 + 100 holding.
#[test]
fn a_stock_that_makes_diversification_unnecessary() {
    let model = ban_model(100.0, 1.0);
    let without = ban_model(0.0, 1.0);
    for method in [Method::Extensive, Method::Decomposition] {
        let r = robust(&model, &opts(method, 1.0, 0.95));
        assert_rel(r.objective, 2200.0, 1e-9, &format!("{method}"));
        assert_close(
            r.plan[model.minerals[0].offers.start],
            100.0,
            1e-6,
            "all CHN",
        );
        // Without the stock the same model diversifies: all AUS (hand: 1400 in every
        // scenario against 1000 / 1750 for all CHN).
        let w = robust(&without, &opts(method, 1.0, 0.95));
        assert_close(w.plan[model.minerals[0].offers.start], 0.0, 1e-6, "no CHN");
        assert_rel(w.objective, 2800.0, 1e-9, "without stock");
    }
}

/// CHN only, demand 100, stock room 40; a cut of CHN to half with spot at 10 × 10 ×
/// 1.25 = 125, probability 0.2, α 0.9 (CVaR = the cut's cost). Building b costs
/// 1000 + 10b + hb in the baseline and 6750 − 47.5b + hb in the cut, so E + CVaR =
/// 8900 + (2h − 49) b: the whole room at h = 1 (7020), nothing at h = 30 (8900).
#[test]
fn a_holding_cost_so_high_that_no_stock_is_held() {
    for (holding, built, objective) in [(1.0, 40.0, 7020.0), (30.0, 0.0, 8900.0)] {
        let demand = format!(
            "mineral,quantity,unmet_penalty,stock_on_hand,holding_cost,stock_cap\nga,100,1000,0,{holding},40\n"
        );
        let model = loaded_from(&[
            ("suppliers.csv", "supplier,mineral,country,unit_cost,capacity\ncn,ga,CHN,10,\n"),
            ("demand.csv", demand.as_str()),
            (
                "scenarios.csv",
                "scenario,probability,mineral,country,supplier,capacity_factor,price_factor\ncut,0.2,ga,CHN,,0.5,10\n",
            ),
        ]);
        for method in [Method::Extensive, Method::Decomposition] {
            let r = robust(&model, &opts(method, 1.0, 0.9));
            let what = format!("h {holding} {method}");
            assert_rel(r.objective, objective, 1e-9, &what);
            assert_close(totals(&model, &r.plan)[0].1, built, 1e-6, &what);
        }
    }
}

/// In every stress row with stock, delivered + drawdown + spot + unmet = demand + stock
/// built, and the drawdown never exceeds the stock held.
#[test]
fn stress_rows_balance_with_stock() {
    let mut rng = TestRng::new(5);
    for _ in 0..6 {
        let model = small_model(&mut rng);
        let r = robust(&model, &opts(Method::Auto, 1.0, 0.95));
        let s = stress(&model, &r.plan, &model.scenarios, &StressOptions::default()).unwrap();
        for row in s.rows.iter().filter(|r| r.mineral != "*") {
            let m = model
                .minerals
                .iter()
                .find(|m| m.name == row.mineral)
                .unwrap();
            let k = row.stock.unwrap();
            let lhs = row.delivered + k.drawdown + row.spot_quantity + row.unmet;
            assert_close(lhs, m.demand + k.stock_built, 1e-6, &row.scenario);
            assert!(k.drawdown <= k.stock + 1e-9);
        }
    }
}

// ---- input and command line ------------------------------------------------------------

#[test]
fn bad_stock_cells_are_input_errors_naming_the_cell() {
    for (row, column, value) in [
        ("ga,100,50,-5,1,", "stock_on_hand", "-5"),
        ("ga,100,50,5,-1,", "holding_cost", "-1"),
        ("ga,100,50,30,1,20", "stock_cap", "20"),
        ("ga,100,50,5,1,ten", "stock_cap", "ten"),
    ] {
        let demand =
            format!("mineral,quantity,unmet_penalty,stock_on_hand,holding_cost,stock_cap\n{row}\n");
        let dir = write_model(&[
            (
                "suppliers.csv",
                "supplier,mineral,country,unit_cost\ncn,ga,CHN,10\n",
            ),
            ("demand.csv", demand.as_str()),
        ]);
        let out = assert_cmd::Command::cargo_bin("sourcemix")
            .unwrap()
            .args(["solve", dir.path().to_str().unwrap()])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{row}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("demand.csv")
                && err.contains(":2")
                && err.contains(column)
                && err.contains(value),
            "{row}: {err}"
        );
    }
}

/// The robust plan's stress files, with their stock columns, are what `stress` makes of
/// the allocation.csv written (which buys above demand for the stock).
#[test]
fn stress_of_the_written_plan_reproduces_the_robust_stress_files() {
    let dir = write_model(&[
        ("suppliers.csv", "supplier,mineral,country,unit_cost,capacity\ncn,ga,CHN,10,\n"),
        (
            "demand.csv",
            "mineral,quantity,unmet_penalty,stock_on_hand,holding_cost,stock_cap\nga,100,1000,0,1,40\n",
        ),
        (
            "scenarios.csv",
            "scenario,probability,mineral,country,supplier,capacity_factor,price_factor\ncut,0.2,ga,CHN,,0.5,10\n",
        ),
    ]);
    let model = dir.path().to_str().unwrap();
    let out = dir.path().join("r");
    let again = dir.path().join("s");
    let run = |args: &[&str]| {
        let o = assert_cmd::Command::cargo_bin("sourcemix")
            .unwrap()
            .args(args)
            .output()
            .unwrap();
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8(o.stdout).unwrap()
    };
    let text = run(&[
        "solve",
        model,
        "--robust",
        "--alpha",
        "0.9",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(text.contains("stock"), "{text}");
    let alloc = std::fs::read_to_string(out.join("allocation.csv")).unwrap();
    assert!(alloc.contains("ga,cn,CHN,140,"), "{alloc}");
    let plan = out.join("allocation.csv");
    run(&[
        "stress",
        model,
        "--plan",
        plan.to_str().unwrap(),
        "--alpha",
        "0.9",
        "--out",
        again.to_str().unwrap(),
    ]);
    for f in ["stress.csv", "stress_summary.csv"] {
        assert_eq!(
            std::fs::read(out.join(f)).unwrap(),
            std::fs::read(again.join(f)).unwrap(),
            "{f}"
        );
    }
    let stress_csv = std::fs::read_to_string(out.join("stress.csv")).unwrap();
    assert!(
        stress_csv.starts_with("scenario,probability,mineral,delivered,shortfall,spot_quantity,spot_cost,unmet,unmet_cost,contract_cost,total_cost,stock_built,stock,drawdown,drawdown_cost,holding_cost\n"),
        "{stress_csv}"
    );
}

// ---- the hedge frontier ----------------------------------------------------------------

/// hedge.csv of `hedge MODEL` on a model with stock: each robust row's plan is the best
/// of the sweep for its own weight (E + W·CVaR no larger than any other row's), CVaR
/// falls and E rises as W grows, the nominal row has no premium, and the W = 1 row
/// carries the expected cost and CVaR `solve --robust` writes in stress_summary.csv.
#[test]
fn hedge_rows_are_each_optimal_for_their_weight() {
    let dir = write_model(&[
        (
            "suppliers.csv",
            "supplier,mineral,country,unit_cost,capacity\ncn,ga,CHN,10,\nau,ga,AUS,14,100\nca,ga,CAN,15,40\n",
        ),
        (
            "demand.csv",
            "mineral,quantity,unmet_penalty,stock_on_hand,holding_cost,stock_cap\nga,100,100,20,1,100\n",
        ),
        (
            "scenarios.csv",
            "scenario,probability,mineral,country,supplier,capacity_factor,price_factor\nban,0.1,ga,CHN,,0,\ncut,0.1,ga,AUS,,0.5,1.5\n",
        ),
    ]);
    let model = dir.path().to_str().unwrap();
    let run = |args: &[&str]| {
        let o = assert_cmd::Command::cargo_bin("sourcemix")
            .unwrap()
            .args(args)
            .output()
            .unwrap();
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
    };
    let out = dir.path().join("h");
    run(&[
        "hedge",
        model,
        "--weights",
        "0,0.5,1,3",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(out.join("hedge.svg").exists());
    let csv = std::fs::read_to_string(out.join("hedge.csv")).unwrap();
    let rows: Vec<Vec<String>> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(String::from).collect())
        .collect();
    let num = |r: &Vec<String>, k: usize| r[k].parse::<f64>().unwrap();
    assert_eq!(rows[0][0], "nominal");
    assert_eq!(num(&rows[0], 5), 0.0, "nominal premium");
    let robust: Vec<(f64, f64, f64)> = rows[1..]
        .iter()
        .map(|r| (num(r, 1), num(r, 2), num(r, 3)))
        .collect();
    assert_eq!(robust.len(), 4);
    for &(w, e, c) in &robust {
        for &(_, e2, c2) in &robust {
            assert!(e + w * c <= e2 + w * c2 + 1e-6 * (e + w * c), "W {w}");
        }
    }
    for pair in robust.windows(2) {
        assert!(pair[1].2 <= pair[0].2 + 1e-6 * pair[0].2, "CVaR falls");
        assert!(pair[1].1 >= pair[0].1 - 1e-6 * pair[0].1, "E rises");
    }
    let solved = dir.path().join("r");
    run(&[
        "solve",
        model,
        "--robust",
        "--out",
        solved.to_str().unwrap(),
    ]);
    let summary = std::fs::read_to_string(solved.join("stress_summary.csv")).unwrap();
    let metric = |name: &str| -> f64 {
        summary
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name},")))
            .unwrap()
            .parse()
            .unwrap()
    };
    assert_rel(robust[2].1, metric("expected_cost"), 1e-9, "E at W 1");
    assert_rel(robust[2].2, metric("cvar_cost"), 1e-9, "CVaR at W 1");
}

/// `min_stock_days` rows on the first-stage stock: both methods equal the dense LP with
/// the row S0 + b ≥ days / 365 · D, on random models where the row binds or not.
#[test]
fn both_methods_equal_the_dense_lp_with_min_stock_days() {
    let mut rng = TestRng::new(2424);
    let mut binding = 0;
    for case in 0..4 {
        let days = [40, 90, 150, 25][case];
        let extra = format!(
            "min_stock_days,*,,{days}\nmin_stock_days,ga,,{}\n",
            days / 2
        );
        let model = small_model_with(&mut rng, &extra);
        for (weight, alpha) in [(1.0, 0.95), (0.0, 0.9)] {
            let dense = dense_lp(&model, weight, alpha);
            for method in [Method::Extensive, Method::Decomposition] {
                let r = robust(&model, &opts(method, weight, alpha));
                let what = format!("case {case} days {days} W {weight} {method}");
                assert_rel(
                    r.objective,
                    stressed(&model, &r.plan, weight, alpha),
                    1e-9,
                    &what,
                );
                assert_rel(r.objective, dense, 1e-6, &format!("{what} vs dense LP"));
                check(&model, &r.plan, &what);
                binding += binding_rows(&model, &r.plan);
            }
        }
    }
    assert!(binding > 0, "no case where a min_stock_days row binds");
}

/// How many minerals hold exactly the days of their `min_stock_days` row with stock
/// built (the row binds; `*` read as 40/90/150/25 days, ga's own row as half).
fn binding_rows(model: &Loaded, plan: &[f64]) -> usize {
    let t = totals(model, plan);
    let mut n = 0;
    for (m, mineral) in model.minerals.iter().enumerate() {
        let held = mineral.stock.unwrap().on_hand + t[m].1;
        let most = model
            .policy
            .iter()
            .filter(|r| r.kind == policy::MIN_STOCK_DAYS && r.applies_to(m))
            .map(|r| r.bound / 365.0 * mineral.demand)
            .fold(0.0, f64::max);
        if t[m].1 > 1e-6 && (held - most).abs() <= 1e-6 * mineral.demand {
            n += 1;
        }
    }
    n
}

/// The ban model without stock on hand, holding 1, and 182.5 days (a stock of 50). With
/// c from CHN and all 100 of AUS (c = b), the baseline and the ban both cost
/// 1400 + 11 b (the ban draws the whole stock at r = 10): E + CVaR = 2 (1400 + 11 b),
/// least at the bound, b = 50: 3900. Moving t from AUS to CHN saves 4t in the baseline
/// and costs 3.5t of spot in the ban: +0.25t. Without the rule the optimum holds no
/// stock: 2800. The plain solve builds the 50 from CHN: 1000 + 500 + 50.
#[test]
fn a_minimum_stock_the_robust_plan_would_not_hold() {
    let rule = "constraint,mineral,target,bound\nmin_stock_days,ga,,182.5\n";
    let base = ban_model(0.0, 1.0);
    let model = loaded_from(&[
        (
            "suppliers.csv",
            "supplier,mineral,country,unit_cost,capacity\ncn,ga,CHN,10,\nau,ga,AUS,14,100\n",
        ),
        (
            "demand.csv",
            "mineral,quantity,unmet_penalty,stock_on_hand,holding_cost,stock_cap\nga,100,100,0,1,100\n",
        ),
        (
            "scenarios.csv",
            "scenario,probability,mineral,country,supplier,capacity_factor,price_factor\nban,0.1,ga,CHN,,0,\n",
        ),
        ("constraints.csv", rule),
    ]);
    for method in [Method::Extensive, Method::Decomposition] {
        let without = robust(&base, &opts(method, 1.0, 0.95));
        assert_rel(without.objective, 2800.0, 1e-7, "without the rule");
        let r = robust(&model, &opts(method, 1.0, 0.95));
        assert_rel(r.objective, 3900.0, 1e-7, &format!("{method}"));
        assert_close(r.plan[0], 50.0, 1e-6, "cn");
        assert_close(r.plan[1], 100.0, 1e-6, "au");
        check(&model, &r.plan, "with the rule");
    }
    let plain = try_solve(&model, sourcemix::solve::SolverChoice::Auto).unwrap();
    assert_rel(plain.cost(), 1550.0, 1e-9, "plain");
}

/// Brute force over (plan, stock) by `stress`, keeping the plans the independent checker
/// accepts (S0 + b ≥ 30 with 10 on hand: at least 20 built), equals the robust optimum.
#[test]
fn min_stock_days_optimum_equals_brute_force() {
    let model = loaded_from(&[
        (
            "suppliers.csv",
            "supplier,mineral,country,unit_cost,capacity\ncn,ga,CHN,10,200\nau,ga,AUS,14,20\n",
        ),
        (
            "demand.csv",
            "mineral,quantity,unmet_penalty,stock_on_hand,holding_cost,stock_cap\nga,100,1000,10,1,50\n",
        ),
        (
            "scenarios.csv",
            "scenario,probability,mineral,country,supplier,capacity_factor,price_factor\ncut,0.05,ga,CHN,,0.5,10\n",
        ),
        ("constraints.csv", "constraint,mineral,target,bound\nmin_stock_days,ga,,109.5\n"),
    ]);
    for (weight, alpha) in [(1.0, 0.9), (0.0, 0.9)] {
        let grid = grid_min(&model, 20, weight, alpha);
        for method in [Method::Extensive, Method::Decomposition] {
            let r = robust(&model, &opts(method, weight, alpha));
            let what = format!("W {weight} α {alpha} {method}");
            assert_rel(r.objective, grid, 1e-7, &what);
            assert!(
                totals(&model, &r.plan)[0].1 >= 20.0 - 1e-6,
                "{what}: builds 20"
            );
        }
    }
}
