//! Price tiers and conditional shares (issue 25 items 3–4) against independent
//! references: every choice of brackets enumerated, each choice a linear program solved
//! here with good_lp; rising incremental tiers against the same offer split into one
//! offer per bracket; `min_*_share_if_used` against every used/unused choice; robust
//! with tiers against the split offers; bad tiers.csv rows.

use good_lp::{variable, Expression, ProblemVariables, Solution as _, SolverModel, Variable};
use sourcemix::analysis::robust::Method;
use sourcemix::solve::SolverChoice;
use sourcemix::{solve_robust, Model, RobustOptions};

use crate::common::cli::Workdir;
use crate::common::{assert_close, model_from, range, try_solve, TestRng};

/// One random offer: country, unit cost, capacity.
#[derive(Clone, Copy)]
struct Raw {
    country: &'static str,
    cost: f64,
    capacity: f64,
}

/// A bracket list as written: (from, unit_cost), the first from 0.
type Brackets = Vec<(f64, f64)>;

/// The total cost of the model's plan (all minerals), or `None` when it has none.
fn optimum(model: &Model) -> Option<f64> {
    let plan = try_solve(model, SolverChoice::Auto).ok()?;
    (plan.status.exit_code() == 0).then(|| plan.minerals.iter().map(|m| m.cost).sum())
}

/// Cost of `x` under incremental (`all_units` false) or all-units brackets, from the
/// definitions of SPEC §6 (half-open brackets).
fn tier_cost(brackets: &Brackets, all_units: bool, x: f64) -> f64 {
    let reached = brackets.iter().rposition(|&(f, _)| f <= x).unwrap_or(0);
    if all_units {
        return x * brackets[reached].1;
    }
    (0..brackets.len())
        .map(|b| {
            let end = brackets.get(b + 1).map_or(f64::INFINITY, |n| n.0).min(x);
            (end - brackets[b].0).max(0.0) * brackets[b].1
        })
        .sum()
}

/// The least cost of buying `demand` from `offers` when offer k may take quantities in
/// [lo_k, hi_k] at a cost fixed_k + slope_k · (x − lo_k), and the shares of `caps` hold
/// (country, cap): one LP, solved with microlp. `None` when infeasible.
fn lp(
    offers: &[Raw],
    pieces: &[(f64, f64, f64, f64)],
    demand: f64,
    caps: &[(&str, f64)],
) -> Option<f64> {
    let mut vars = ProblemVariables::new();
    let x: Vec<Variable> = pieces
        .iter()
        .map(|&(lo, hi, _, _)| vars.add(variable().min(lo).max(hi)))
        .collect();
    let objective: Expression = pieces
        .iter()
        .zip(&x)
        .map(|(&(lo, _, fixed, slope), &v)| slope * v + (fixed - slope * lo))
        .sum();
    let mut p = vars.minimise(objective.clone()).using(good_lp::microlp);
    p.add_constraint(x.iter().copied().sum::<Expression>().eq(demand));
    for &(c, cap) in caps {
        let e: Expression = offers
            .iter()
            .zip(&x)
            .filter(|(o, _)| o.country == c)
            .map(|(_, &v)| v)
            .sum();
        p.add_constraint(e.leq(cap * demand));
    }
    p.solve().ok().map(|s| s.eval(&objective))
}

/// The pieces an offer's quantity may take, one per bracket choice: (lo, hi, cost at lo,
/// unit cost above lo). Untiered: one piece. All-units: bracket b alone. Incremental:
/// the brackets below b full, then part of b.
fn pieces(o: &Raw, tiers: Option<&(Brackets, bool)>) -> Vec<(f64, f64, f64, f64)> {
    let Some((brackets, all_units)) = tiers else {
        return vec![(0.0, o.capacity, 0.0, o.cost)];
    };
    (0..brackets.len())
        .filter(|&b| brackets[b].0 <= o.capacity)
        .map(|b| {
            let lo = brackets[b].0;
            let hi = brackets
                .get(b + 1)
                .map_or(o.capacity, |n| n.0.min(o.capacity));
            (lo, hi, tier_cost(brackets, *all_units, lo), brackets[b].1)
        })
        .collect()
}

/// Writes the model files: one mineral `ga` of demand `demand`, the offers, tiers.csv
/// for the tiered ones (k, brackets, all_units), and `constraints`.
fn files(
    offers: &[Raw],
    tiers: &[(usize, Brackets, bool)],
    demand: f64,
    constraints: &str,
) -> Vec<(&'static str, String)> {
    let mut s = String::from("supplier,mineral,country,unit_cost,capacity\n");
    for (k, o) in offers.iter().enumerate() {
        s += &format!("s{k},ga,{},{},{}\n", o.country, o.cost, o.capacity);
    }
    let mut t = String::from("supplier,mineral,kind,from,unit_cost\n");
    for (k, brackets, all_units) in tiers {
        let kind = if *all_units {
            "all_units"
        } else {
            "incremental"
        };
        for &(from, cost) in &brackets[1..] {
            t += &format!("s{k},ga,{kind},{from},{cost}\n");
        }
    }
    let mut out = vec![
        ("suppliers.csv", s),
        ("demand.csv", format!("mineral,quantity\nga,{demand}\n")),
        ("tiers.csv", t),
    ];
    if !constraints.is_empty() {
        out.push(("constraints.csv", constraints.to_string()));
    }
    out
}

fn model(files: &[(&'static str, String)]) -> Model {
    let refs: Vec<(&str, &str)> = files.iter().map(|(n, s)| (*n, s.as_str())).collect();
    model_from(&refs)
}

const COUNTRIES: [&str; 3] = ["CHN", "AUS", "USA"];

/// Random offers, and tiers on offers 0 (all-units, falling) and 1 (incremental,
/// falling then rising).
fn random_case(rng: &mut TestRng) -> (Vec<Raw>, Vec<(usize, Brackets, bool)>) {
    let offers: Vec<Raw> = (0..4)
        .map(|k| Raw {
            country: COUNTRIES[k % 3],
            cost: (range(rng, 8.0, 14.0) * 4.0).round() / 4.0,
            capacity: (range(rng, 30.0, 90.0)).round(),
        })
        .collect();
    let t0 = (range(rng, 10.0, 30.0)).round();
    let t1 = t0 + (range(rng, 10.0, 30.0)).round();
    let all_units = vec![
        (0.0, offers[0].cost),
        (t0, offers[0].cost - 1.5),
        (t1, offers[0].cost - 2.25),
    ];
    let u0 = (range(rng, 10.0, 40.0)).round();
    let u1 = u0 + (range(rng, 5.0, 20.0)).round();
    let incremental = vec![
        (0.0, offers[1].cost),
        (u0, offers[1].cost - 3.0),
        (u1, offers[1].cost + 1.0),
    ];
    (offers, vec![(0, all_units, true), (1, incremental, false)])
}

/// Every choice of bracket for the two tiered offers: the least LP optimum.
fn enumerated(
    offers: &[Raw],
    tiers: &[(usize, Brackets, bool)],
    demand: f64,
    caps: &[(&str, f64)],
) -> Option<f64> {
    let lists: Vec<Vec<(f64, f64, f64, f64)>> = offers
        .iter()
        .enumerate()
        .map(|(k, o)| {
            let t = tiers
                .iter()
                .find(|t| t.0 == k)
                .map(|(_, b, a)| (b.clone(), *a));
            pieces(o, t.as_ref())
        })
        .collect();
    let mut best: Option<f64> = None;
    for a in &lists[0] {
        for b in &lists[1] {
            let mut chosen = vec![*a, *b];
            chosen.extend(lists[2..].iter().map(|l| l[0]));
            if let Some(c) = lp(offers, &chosen, demand, caps) {
                best = Some(best.map_or(c, |b: f64| b.min(c)));
            }
        }
    }
    best
}

#[test]
fn all_units_and_falling_incremental_tiers_equal_the_enumeration_of_brackets() {
    let mut rng = TestRng::new(25);
    let mut feasible = 0;
    let mut changed = 0;
    for case in 0..12 {
        let (offers, tiers) = random_case(&mut rng);
        let demand = (range(&mut rng, 60.0, 150.0)).round();
        let caps: Vec<(&str, f64)> = match case % 3 {
            0 => vec![],
            _ => vec![("CHN", 0.6)],
        };
        let constraints = match caps.first() {
            Some((c, b)) => {
                format!("constraint,mineral,target,bound\nmax_country_share,ga,{c},{b}\n")
            }
            None => String::new(),
        };
        let m = model(&files(&offers, &tiers, demand, &constraints));
        let expected = enumerated(&offers, &tiers, demand, &caps);
        let got = optimum(&m);
        let flat = optimum(&model(&files(&offers, &[], demand, &constraints)));
        if let (Some(g), Some(f)) = (got, flat) {
            changed += usize::from((g - f).abs() > 1e-6);
        }
        match (got, expected) {
            (Some(g), Some(e)) => {
                feasible += 1;
                assert_close(g, e, 1e-6 * e, &format!("case {case}"));
            }
            (None, None) => {}
            other => panic!("case {case}: solve and enumeration disagree: {other:?}"),
        }
    }
    assert!(feasible >= 8, "only {feasible} feasible cases");
    assert!(changed >= 4, "the tiers changed only {changed} optima");
}

#[test]
fn the_plan_cost_is_the_tiered_cost_of_its_quantities() {
    let mut rng = TestRng::new(7);
    let (offers, tiers) = random_case(&mut rng);
    let m = model(&files(&offers, &tiers, 120.0, ""));
    let plan = try_solve(&m, SolverChoice::Auto).unwrap();
    let q = &plan.minerals[0].quantities;
    let by_hand: f64 = (0..offers.len())
        .map(|k| match tiers.iter().find(|t| t.0 == k) {
            Some((_, b, a)) => tier_cost(b, *a, q[k]),
            None => q[k] * offers[k].cost,
        })
        .sum();
    assert_close(plan.minerals[0].cost, by_hand, 1e-9 * by_hand, "plan cost");
}

/// A rising incremental price list on one offer equals that offer split into one offer
/// per bracket (capacity the bracket's width), with and without a country cap.
#[test]
fn rising_incremental_tiers_equal_the_split_offer_lp() {
    let mut rng = TestRng::new(3);
    let mut reached = 0;
    for case in 0..6 {
        let offers: Vec<Raw> = (0..3)
            .map(|k| Raw {
                country: COUNTRIES[k],
                cost: (range(&mut rng, 9.0, 13.0) * 4.0).round() / 4.0,
                capacity: (range(&mut rng, 40.0, 90.0)).round(),
            })
            .collect();
        let t0 = (range(&mut rng, 10.0, 30.0)).round();
        let brackets = vec![(0.0, offers[0].cost - 2.0), (t0, offers[0].cost + 1.5)];
        let mut listed = offers.clone();
        listed[0].cost = brackets[0].1;
        let constraints = if case % 2 == 1 {
            "constraint,mineral,target,bound\nmax_country_share,ga,AUS,0.3\n".to_string()
        } else {
            String::new()
        };
        let tiered = model(&files(
            &listed,
            &[(0, brackets.clone(), false)],
            100.0,
            &constraints,
        ));
        let mut split = listed.clone();
        split[0].capacity = t0;
        split.push(Raw {
            country: listed[0].country,
            cost: brackets[1].1,
            capacity: listed[0].capacity - t0,
        });
        let split = model(&files(&split, &[], 100.0, &constraints));
        let (a, b) = (optimum(&tiered), optimum(&split));
        match (a, b) {
            (Some(a), Some(b)) => assert_close(a, b, 1e-7 * b, &format!("case {case}")),
            (None, None) => {}
            other => panic!("case {case}: {other:?}"),
        }
        // The same offers at the first bracket's price throughout.
        let flat = optimum(&model(&files(&listed, &[], 100.0, &constraints)));
        if let (Some(a), Some(f)) = (a, flat) {
            reached += usize::from(a > f + 1e-6);
        }
    }
    assert!(
        reached >= 2,
        "only {reached} cases reach the dearer bracket"
    );
}

/// `min_supplier_share_if_used` with `*`: every supplier buys 0 or at least b; the
/// enumeration tries every used/unused subset as an LP.
#[test]
fn supplier_shares_if_used_equal_the_enumeration_of_used_sets() {
    let mut rng = TestRng::new(11);
    let mut binding = 0;
    for case in 0..8 {
        let offers: Vec<Raw> = (0..4)
            .map(|k| Raw {
                country: COUNTRIES[k % 3],
                cost: (range(&mut rng, 8.0, 14.0) * 4.0).round() / 4.0,
                capacity: (range(&mut rng, 15.0, 70.0)).round(),
            })
            .collect();
        let b = [0.2, 0.3, 0.35, 0.45][case % 4];
        let demand = 100.0;
        let constraints =
            format!("constraint,mineral,target,bound\nmin_supplier_share_if_used,ga,*,{b}\n");
        let got = optimum(&model(&files(&offers, &[], demand, &constraints)));
        let free = optimum(&model(&files(&offers, &[], demand, "")));
        if let (Some(g), Some(f)) = (got, free) {
            binding += usize::from(g > f + 1e-6);
        }
        let mut best: Option<f64> = None;
        for used in 0u32..16 {
            let chosen: Vec<(f64, f64, f64, f64)> = offers
                .iter()
                .enumerate()
                .map(|(k, o)| match used >> k & 1 {
                    1 => (b * demand, o.capacity, o.cost * b * demand, o.cost),
                    _ => (0.0, 0.0, 0.0, o.cost),
                })
                .collect();
            let fits = offers
                .iter()
                .enumerate()
                .all(|(k, o)| used >> k & 1 == 0 || o.capacity >= b * demand);
            if let (true, Some(c)) = (fits, lp(&offers, &chosen, demand, &[])) {
                best = Some(best.map_or(c, |x: f64| x.min(c)));
            }
        }
        match (got, best) {
            (Some(g), Some(e)) => assert_close(g, e, 1e-6 * e, &format!("case {case}")),
            (None, None) => {}
            other => panic!("case {case}: {other:?}"),
        }
    }
    assert!(binding >= 2, "the rule changed only {binding} optima");
}

/// `min_country_share_if_used` under an HHI cap and a minimum number of suppliers: the
/// optimum equals the least of the models that fix each country used (a group per
/// country with a minimum share) or unused (excluded), each solved on its own.
#[test]
fn country_shares_if_used_with_hhi_and_counts_equal_the_enumeration() {
    let suppliers = "supplier,mineral,country,unit_cost,capacity\n\
        a,ga,CHN,8,70\nb,ga,CHN,9,40\nc,ga,AUS,11,60\nd,ga,USA,12,60\ne,ga,CAN,10,12\n";
    let countries = "country,risk,groups\nCHN,0.5,gCHN\nAUS,0.1,gAUS\nUSA,0.1,gUSA\nCAN,0.1,gCAN\n";
    let common_rows = "max_hhi,ga,,0.45\nmin_suppliers,ga,,3\n";
    let demand = "mineral,quantity\nga,100\n";
    let rule = format!(
        "constraint,mineral,target,bound\nmin_country_share_if_used,ga,*,0.15\n{common_rows}"
    );
    let got = optimum(&model_from(&[
        ("suppliers.csv", suppliers),
        ("countries.csv", countries),
        ("demand.csv", demand),
        ("constraints.csv", &rule),
    ]))
    .expect("a plan");
    let names = ["CHN", "AUS", "USA", "CAN"];
    let mut best = f64::INFINITY;
    for used in 1u32..16 {
        let mut rows = format!("constraint,mineral,target,bound\n{common_rows}");
        for (k, c) in names.iter().enumerate() {
            rows += &match used >> k & 1 {
                1 => format!("min_group_share,ga,g{c},0.15\n"),
                _ => format!("exclude_country,ga,{c},\n"),
            };
        }
        let m = model_from(&[
            ("suppliers.csv", suppliers),
            ("countries.csv", countries),
            ("demand.csv", demand),
            ("constraints.csv", &rows),
        ]);
        if let Some(c) = optimum(&m) {
            best = best.min(c);
        }
    }
    assert!(best.is_finite());
    assert_close(got, best, 1e-6 * best, "least over used sets");
    let without = optimum(&model_from(&[
        ("suppliers.csv", suppliers),
        ("countries.csv", countries),
        ("demand.csv", demand),
        (
            "constraints.csv",
            &format!("constraint,mineral,target,bound\n{common_rows}"),
        ),
    ]))
    .expect("a plan");
    assert!(got > without + 1e-6, "the rule binds: {got} vs {without}");
}

/// `solve --robust` with a rising incremental price list on an offer a scenario can
/// ban: the same robust optimum as the offer split into one offer per bracket, by both
/// methods. Only the tiered offer's country is shocked, and fully: no scenario buys spot
/// from its spare capacity (spot prices a tiered offer at its first bracket, so a
/// scenario that did would differ from the split offers).
#[test]
fn robust_with_tiers_equals_the_split_offers() {
    let suppliers = "supplier,mineral,country,unit_cost,capacity\n\
        a,ga,CHN,9,70\nb,ga,AUS,14,100\nc,ga,USA,15,100\n";
    let split = "supplier,mineral,country,unit_cost,capacity\n\
        a,ga,CHN,9,30\na2,ga,CHN,11,40\nb,ga,AUS,14,100\nc,ga,USA,15,100\n";
    let tiers = "supplier,mineral,kind,from,unit_cost\na,ga,incremental,30,11\n";
    let demand = "mineral,quantity,unmet_penalty\nga,100,40\n";
    let scenarios = "scenario,probability,mineral,country,supplier,capacity_factor,price_factor\n\
        ban,0.02,ga,CHN,,0,1\nlate,0.02,ga,CHN,,0,1.1\n";
    let objective = |files: &[(&str, &str)], method: Method| {
        let loaded = crate::common::loaded_from(files);
        let opts = RobustOptions {
            method,
            ..RobustOptions::default()
        };
        let out = solve_robust(&loaded.model, &loaded.scenarios, &opts, &|_| {}).unwrap();
        out.robust.expect("a robust plan").objective
    };
    for method in [Method::Extensive, Method::Decomposition] {
        let tiered = objective(
            &[
                ("suppliers.csv", suppliers),
                ("tiers.csv", tiers),
                ("demand.csv", demand),
                ("scenarios.csv", scenarios),
            ],
            method,
        );
        let plain = objective(
            &[
                ("suppliers.csv", split),
                ("demand.csv", demand),
                ("scenarios.csv", scenarios),
            ],
            method,
        );
        assert_close(tiered, plain, 1e-6 * plain, &format!("{method:?}"));
        // The plan reaches the dearer bracket (it would cost less at 9 throughout).
        let flat = objective(
            &[
                ("suppliers.csv", suppliers),
                ("demand.csv", demand),
                ("scenarios.csv", scenarios),
            ],
            method,
        );
        assert!(flat < tiered - 1.0, "the tiers matter: {flat} vs {tiered}");
    }
}

/// Bad tiers.csv rows: exit 2 naming the file, line, column and value.
#[test]
fn bad_tiers_name_file_line_column_and_value() {
    let suppliers = "supplier,mineral,country,unit_cost\na,ga,CHN,10\nb,ga,AUS,12\n";
    let cases = [
        (
            "supplier,mineral,kind,from,unit_cost\na,ga,incremental,50,9\na,ga,incremental,40,8\n",
            "tiers.csv:3",
            "from",
            "40",
        ),
        (
            "supplier,mineral,kind,from,unit_cost\na,ga,all_units,50,-1\n",
            "tiers.csv:2",
            "unit_cost",
            "-1",
        ),
        (
            "supplier,mineral,kind,from,unit_cost\nzz,ga,incremental,50,9\n",
            "tiers.csv:2",
            "supplier",
            "zz",
        ),
        (
            "supplier,mineral,kind,from,unit_cost\na,ga,all_units,50,11\n",
            "tiers.csv:2",
            "unit_cost",
            "11",
        ),
        (
            "supplier,mineral,kind,from,unit_cost\na,ga,volume,50,9\n",
            "tiers.csv:2",
            "kind",
            "volume",
        ),
    ];
    for (tiers, at, column, value) in cases {
        let w = Workdir::with_model(&[
            ("suppliers.csv", suppliers),
            ("demand.csv", "mineral,quantity\nga,100\n"),
            ("tiers.csv", tiers),
        ]);
        let r = w.run(&["check", "model"]);
        r.expect_code(2)
            .stderr_has(at)
            .stderr_has(column)
            .stderr_has(value);
    }
}

/// `generate --tiers F`: tiers.csv on a fraction F of the offers (every 1/F-th, counted
/// here), the other files byte for byte those without the flag, and a model that loads
/// and solves; a fraction above 1 is refused.
#[test]
fn generate_tiers_adds_tiers_on_the_fraction_asked_and_nothing_else() {
    let w = Workdir::new();
    w.run(&[
        "generate",
        "plain",
        "--minerals",
        "2",
        "--offers",
        "200",
        "--seed",
        "3",
    ])
    .expect_code(0);
    w.run(&[
        "generate",
        "tiered",
        "--minerals",
        "2",
        "--offers",
        "200",
        "--seed",
        "3",
        "--tiers",
        "0.1",
    ])
    .expect_code(0);
    for f in [
        "suppliers.csv",
        "demand.csv",
        "countries.csv",
        "constraints.csv",
    ] {
        assert_eq!(
            w.read(&format!("plain/{f}")),
            w.read(&format!("tiered/{f}")),
            "{f}"
        );
    }
    let tiers = w.read("tiered/tiers.csv");
    let mut offers: Vec<&str> = tiers
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    offers.dedup();
    assert_eq!(offers.len(), 20, "a tenth of 200 offers");
    assert!(tiers.contains(",incremental,") && tiers.contains(",all_units,"));
    w.run(&["solve", "tiered", "--out", "out"]).expect_code(0);
    assert_eq!(
        w.read("out/tier_prices.csv").lines().next().unwrap(),
        "mineral,supplier,kind,quantity,tier,tier_from,tier_unit_cost,avg_unit_cost,cost"
    );
    w.run(&["generate", "bad", "--offers", "20", "--tiers", "1.5"])
        .expect_code(2);
}

/// Hand-solved: D = 120; a (CHN) 10 up to 100; b (AUS) 12, all-units 9 from 50, up to
/// 100. b at 100 (900) and a 20 (200) cost 1100; a 70 + b 50 cost 1150, a 100 + b 20 cost
/// 1240. allocation.csv prices b at 9, tier_prices.csv says bracket 2 from 50, and
/// ranging marks the block.
#[test]
fn tier_prices_and_the_average_price_are_written_as_solved_by_hand() {
    let w = Workdir::with_model(&[
        (
            "suppliers.csv",
            "supplier,mineral,country,unit_cost,capacity\na,ga,CHN,10,100\nb,ga,AUS,12,100\n",
        ),
        ("demand.csv", "mineral,quantity\nga,120\n"),
        (
            "tiers.csv",
            "supplier,mineral,kind,from,unit_cost\nb,ga,all_units,50,9\n",
        ),
    ]);
    w.run(&["solve", "model", "--out", "out", "--ranging"])
        .expect_code(0);
    assert_eq!(
        w.read("out/allocation.csv"),
        "mineral,supplier,country,quantity,share,landed_unit_cost,cost\n\
         ga,b,AUS,100,0.833333333333,9,900\nga,a,CHN,20,0.166666666667,10,200\n"
    );
    assert_eq!(
        w.read("out/tier_prices.csv"),
        "mineral,supplier,kind,quantity,tier,tier_from,tier_unit_cost,avg_unit_cost,cost\n\
         ga,b,all_units,100,2,50,9,9,900\n"
    );
    assert!(w
        .read("out/ranging.csv")
        .contains("not available: price tiers"));
}

/// `solve --robust` with an all-units list (binaries: an integer master), by both
/// methods: the optimum is the least over the brackets b of the robust optimum of the
/// model that sells the offer at bracket b's price in [from_b, end_b] or not at all
/// (`min_order` from_b, capacity end_b). Only the offer's country is shocked, fully.
#[test]
fn robust_with_all_units_tiers_equals_the_least_over_brackets() {
    let offer = |price: f64, min_order: f64, capacity: f64| {
        format!(
            "supplier,mineral,country,unit_cost,capacity,min_order\n\
             a,ga,CHN,{price},{capacity},{min_order}\nb,ga,AUS,12,100,\nc,ga,USA,13,100,\n"
        )
    };
    let tiers =
        "supplier,mineral,kind,from,unit_cost\na,ga,all_units,40,10\na,ga,all_units,70,8.5\n";
    let brackets = [(11.0, 0.0, 40.0), (10.0, 40.0, 70.0), (8.5, 70.0, 90.0)];
    let demand = "mineral,quantity,unmet_penalty\nga,100,40\n";
    let scenarios = "scenario,probability,mineral,country,supplier,capacity_factor,price_factor\n\
        ban,0.04,ga,CHN,,0,1\n";
    let objective = |files: &[(&str, &str)], method: Method| {
        let loaded = crate::common::loaded_from(files);
        let opts = RobustOptions {
            method,
            ..RobustOptions::default()
        };
        let out = solve_robust(&loaded.model, &loaded.scenarios, &opts, &|_| {}).unwrap();
        out.robust.expect("a robust plan").objective
    };
    for method in [Method::Extensive, Method::Decomposition] {
        let tiered = objective(
            &[
                ("suppliers.csv", &offer(11.0, 0.0, 90.0)),
                ("tiers.csv", tiers),
                ("demand.csv", demand),
                ("scenarios.csv", scenarios),
            ],
            method,
        );
        let least = brackets
            .iter()
            .map(|&(price, from, end)| {
                objective(
                    &[
                        ("suppliers.csv", &offer(price, from, end)),
                        ("demand.csv", demand),
                        ("scenarios.csv", scenarios),
                    ],
                    method,
                )
            })
            .fold(f64::INFINITY, f64::min);
        assert_close(tiered, least, 1e-6 * least, &format!("{method:?}"));
        let untiered = objective(
            &[
                ("suppliers.csv", &offer(11.0, 0.0, 90.0)),
                ("demand.csv", demand),
                ("scenarios.csv", scenarios),
            ],
            method,
        );
        assert!(
            tiered < untiered - 1.0,
            "the discount matters: {tiered} vs {untiered}"
        );
    }
}
