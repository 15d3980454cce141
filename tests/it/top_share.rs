//! `max_top_share`: the k largest country shares together at most the bound. Checked
//! against a hand-solved case and, on random small models, against the same cap stated as
//! one row per k-subset of countries (C(n, k) rows) solved here with good_lp + microlp,
//! for every backend, aggregated and not; plus explain's least relaxation.

use good_lp::{constraint, variable, Expression, ProblemVariables, Solution as _, SolverModel};
use sourcemix::analysis::explain::{explain, ExplainOptions};
use sourcemix::engine::SolverKind;
use sourcemix::model::{Model, Target};
use sourcemix::solve::{SolveOptions, SolverChoice};
use sourcemix::solve_plan;
use std::num::NonZeroUsize;

use crate::common::*;

/// D = 100 over four unlimited countries A–D at unit costs 1–4, the two largest shares at
/// most 60%. With the two largest at most 60, the other two supply at least 40 and
/// neither exceeds the second largest: writing the shares sorted a ≥ b ≥ c ≥ d (cheapest
/// largest), cost = a + 2b + 3c + 4d = 180 + b + d once a + b = 60 and c + d = 40, and
/// c = 40 − d ≤ b gives b + d ≥ 40: the least cost is 220 (e.g. 30/30/30/10).
const HAND: [(&str, &str); 4] = [
    (
        "countries.csv",
        "country,risk\nAAA,0\nBBB,0\nCCC,0\nDDD,0\n",
    ),
    (
        "suppliers.csv",
        "supplier,mineral,country,unit_cost\na,m,AAA,1\nb,m,BBB,2\nc,m,CCC,3\nd,m,DDD,4\n",
    ),
    ("demand.csv", "mineral,quantity\nm,100\n"),
    (
        "constraints.csv",
        "constraint,mineral,target,bound\nmax_top_share,m,2,0.6\n",
    ),
];

#[test]
fn the_two_largest_at_most_60_percent_cost_220_with_every_solver() {
    let model = model_from(&HAND);
    for kind in SolverKind::all() {
        let s = solve_kind(&model, kind);
        check_solution(&model, &s).unwrap_or_else(|e| panic!("{kind}: {e}"));
        assert_close(s.cost(), 220.0, 1e-6, &format!("{kind} cost"));
    }
}

#[test]
fn k_at_least_the_number_of_countries_caps_all_supply() {
    // The 4 largest of 4 countries are all of it: at most 80% can be bought, and without
    // an unmet_penalty explain lifts the cap to 100%.
    let mut files = HAND;
    files[3].1 = "constraint,mineral,target,bound\nmax_top_share,m,4,0.8\n";
    let model = model_from(&files);
    let report = explain(&model, &ExplainOptions::default()).unwrap();
    let r: Vec<_> = report
        .relaxations()
        .map(|r| {
            (
                r.constraint.to_string(),
                r.target.to_string(),
                r.bound,
                r.relaxed_bound,
            )
        })
        .collect();
    assert_eq!(r.len(), 1, "{r:?}");
    assert_eq!(
        (r[0].0.as_str(), r[0].1.as_str(), r[0].2),
        ("max_top_share", "4", 0.8)
    );
    assert_close(r[0].3, 1.0, 1e-9, "relaxed bound");
}

#[test]
fn a_count_target_is_a_whole_number_of_at_least_one() {
    for bad in ["0", "1.5", "*", "two", "-1"] {
        let mut files = HAND;
        let text = format!("constraint,mineral,target,bound\nmax_top_share,m,{bad},0.6\n");
        files[3].1 = &text;
        let dir = write_model(&files);
        let err = sourcemix::input::load_model(dir.path())
            .unwrap_err()
            .to_string();
        assert!(err.contains("whole number k ≥ 1"), "{bad}: {err}");
    }
}

/// A random model: 3–5 countries, 4–8 offers with capacities, an unmet penalty above
/// every cost (so every case has a plan), and one top-k cap with k in 1..=n.
fn random_model(rng: &mut TestRng) -> (Model, String) {
    let n = 3 + rng.below(3) as usize;
    let codes: Vec<String> = (0..n)
        .map(|c| format!("C{}X", (b'A' + c as u8) as char))
        .collect();
    let mut countries = String::from("country,risk\n");
    for c in &codes {
        countries.push_str(&format!("{c},0\n"));
    }
    let mut suppliers = String::from("supplier,mineral,country,unit_cost,capacity\n");
    for j in 0..4 + rng.below(5) {
        let c = &codes[rng.below(n as u64) as usize];
        let cost = 1.0 + rng.below(900) as f64 / 100.0;
        let cap = 10 + rng.below(90);
        suppliers.push_str(&format!("s{j},m,{c},{cost},{cap}\n"));
    }
    let k = 1 + rng.below(n as u64);
    let bound = (k as f64 / n as f64 + rng.below(100) as f64 / 100.0 * 0.6).min(0.99);
    let constraints = format!("constraint,mineral,target,bound\nmax_top_share,m,{k},{bound:.2}\n");
    let files = [
        ("countries.csv", countries.as_str()),
        ("suppliers.csv", suppliers.as_str()),
        ("demand.csv", "mineral,quantity,unmet_penalty\nm,100,50\n"),
        ("constraints.csv", constraints.as_str()),
    ];
    (model_from(&files), constraints)
}

/// Every k-subset of 0..n.
fn subsets(n: usize, k: usize) -> Vec<Vec<usize>> {
    (0u32..1 << n)
        .filter(|m| m.count_ones() as usize == k)
        .map(|m| (0..n).filter(|&c| m & (1 << c) != 0).collect())
        .collect()
}

/// The least cost with the cap as one row per k-subset of countries, by microlp.
fn enumerated_cost(model: &Model) -> f64 {
    let row = &model.policy[0];
    let Target::Top(k) = row.target else {
        panic!("the model's row targets a count")
    };
    let d = model.minerals[0].demand;
    let mut vars = ProblemVariables::new();
    let x: Vec<_> = model
        .offers
        .iter()
        .map(|o| vars.add(variable().min(0.0).max(o.capacity.unwrap_or(f64::INFINITY))))
        .collect();
    let u = vars.add(variable().min(0.0));
    let penalty = model.minerals[0].unmet_penalty.unwrap();
    let objective: Expression = x
        .iter()
        .zip(&model.offers)
        .map(|(&v, o)| o.landed_cost * v)
        .sum::<Expression>()
        + penalty * u;
    let mut problem = vars.minimise(objective.clone()).using(good_lp::microlp);
    let total: Expression = x.iter().copied().sum::<Expression>() + u;
    problem = problem.with(constraint!(total == d));
    for set in subsets(model.countries.len(), k.min(model.countries.len())) {
        let sum: Expression = x
            .iter()
            .zip(&model.offers)
            .filter(|(_, o)| set.contains(&o.country))
            .map(|(&v, _)| v)
            .sum();
        problem = problem.with(constraint!(sum <= row.bound * d));
    }
    let solution = problem.solve().expect("the enumerated LP has a plan");
    solution.eval(&objective)
}

#[test]
fn random_caps_match_the_enumeration_over_k_subsets_for_every_solver() {
    let mut rng = TestRng::new(23);
    for case in 0..30 {
        let (model, constraints) = random_model(&mut rng);
        let expected = enumerated_cost(&model);
        for kind in SolverKind::all() {
            for aggregate_all in [false, true] {
                let opts = SolveOptions {
                    solver: SolverChoice::Named(kind),
                    threads: NonZeroUsize::new(1),
                    aggregate_all,
                    ..SolveOptions::default()
                };
                let s = solve_plan(&model, &opts).unwrap();
                let what = format!("case {case} {kind} aggregated {aggregate_all}: {constraints}");
                check_solution(&model, &s).unwrap_or_else(|e| panic!("{what}: {e}"));
                assert_rel(s.cost(), expected, 1e-6, &what);
            }
        }
    }
}
