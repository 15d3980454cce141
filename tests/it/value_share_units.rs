//! `explain` and `solve --ranging` on value-share rows speak in the rule's own units (a
//! share of value), against direct solves: the least relaxed bound is the bisection point
//! between bounds the solve meets and bounds it cannot, and a ranged interval ends where
//! the re-solved plan stops buying from the same offers.

use crate::common::cli::Workdir;
use crate::common::*;
use sourcemix::analysis::ranging::{ranging, RangeKind};
use sourcemix::engine::SolverKind;
use sourcemix::model::Model;
use sourcemix::{explain, ExplainOptions};

/// AUS and KOR are FTA; offer a ships from AUS refined half in CHN, b is Korean, c is
/// Chinese. D = 100.
fn model(caps: (&str, &str, &str), rule: &str, bound: f64) -> Model {
    let (a, b, c) = caps;
    let suppliers = format!(
        "supplier,mineral,country,unit_cost,capacity,origin_refine\n\
         a,m,AUS,10,{a},CHN:0.5;AUS:0.5\nb,m,KOR,6,{b},KOR\nc,m,CHN,3,{c},CHN\n"
    );
    let constraints =
        format!("constraint,mineral,target,bound,stage\n{rule},m,FTA,{bound},refine\n");
    model_from(&[
        (
            "countries.csv",
            "country,risk,groups\nAUS,0,FTA\nKOR,0,FTA\nCHN,0,\n",
        ),
        ("suppliers.csv", &suppliers),
        ("demand.csv", "mineral,quantity\nm,100\n"),
        ("constraints.csv", &constraints),
    ])
}

/// True when the model with the rule's bound at `b` has a plan (a direct solve).
fn feasible(model: &Model, b: f64) -> bool {
    let mut m = model.clone();
    m.policy[0].bound = b;
    solve_kind(&m, SolverKind::Clarabel).status.exit_code() == 0
}

/// The bound between `meets` (a plan) and `fails` (none) to 1e-9, by bisection of solves.
fn bisect(model: &Model, mut meets: f64, mut fails: f64) -> f64 {
    assert!(feasible(model, meets) && !feasible(model, fails));
    while (fails - meets).abs() > 1e-9 {
        let mid = 0.5 * (meets + fails);
        if feasible(model, mid) {
            meets = mid;
        } else {
            fails = mid;
        }
    }
    meets
}

/// The one relaxed row of `explain`: (bound, relaxed bound).
fn relaxed(model: &Model) -> (f64, f64) {
    let e = explain(model, &ExplainOptions::default()).expect("explained");
    let rows: Vec<_> = e.relaxations().collect();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].constraint, model.policy[0].kind.name());
    assert_close(
        e.total_size,
        (rows[0].bound - rows[0].relaxed_bound).abs(),
        1e-12,
        "size",
    );
    (rows[0].bound, rows[0].relaxed_bound)
}

#[test]
fn explain_lowers_a_minimum_value_share_to_the_best_share_a_plan_reaches() {
    // Caps a 60, b 30: b (FTA whole) and a (half) as much as they can, c the last 10.
    // Value in FTA: 6·30 + 10·60·0.5 = 480 of 6·30 + 10·60 + 3·10 = 810: 59.26%.
    let m = model(("60", "30", ""), "min_value_share", 0.8);
    let (bound, to) = relaxed(&m);
    assert_eq!(bound, 0.8);
    assert_close(to, 480.0 / 810.0, 1e-9, "by hand");
    assert_close(to, bisect(&m, 0.3, 0.8), 1e-8, "bisection of solves");
}

#[test]
fn explain_raises_a_maximum_value_share_to_the_least_share_a_plan_reaches() {
    // c (no FTA) at most 50; the rest from a (half FTA, 10) rather than b (whole, 6):
    // 250 of 650 (5/13), against b 30 and a 20: 280 of 530.
    let m = model(("", "", "50"), "max_value_share", 0.1);
    let (bound, to) = relaxed(&m);
    assert_eq!(bound, 0.1);
    assert_close(to, 5.0 / 13.0, 1e-9, "by hand");
    assert_close(to, bisect(&m, 0.9, 0.1), 1e-8, "bisection of solves");
}

#[test]
fn explain_words_name_the_share_of_value() {
    let w = Workdir::with_model(&[
        (
            "countries.csv",
            "country,risk,groups\nAUS,0,FTA\nKOR,0,FTA\nCHN,0,\n",
        ),
        (
            "suppliers.csv",
            "supplier,mineral,country,unit_cost,capacity,origin_refine\n\
             a,m,AUS,10,60,CHN:0.5;AUS:0.5\nb,m,KOR,6,30,KOR\nc,m,CHN,3,,CHN\n",
        ),
        ("demand.csv", "mineral,quantity\nm,100\n"),
        (
            "constraints.csv",
            "constraint,mineral,target,bound,stage\nmin_value_share,m,FTA,0.8,refine\n",
        ),
    ]);
    let run = w.run(&["explain", "model", "--out", "out"]);
    run.stdout_has(
        "lower the minimum share of value from FTA at the refine stage for m from 80% to 59.26%",
    );
}

/// The plan's offers as (at 0, in between, at capacity) marks: what a basis fixes.
fn support(model: &Model, b: f64) -> Option<Vec<u8>> {
    let mut m = model.clone();
    m.policy[0].bound = b;
    let plan = solve_kind(&m, SolverKind::Clarabel);
    if plan.status.exit_code() != 0 {
        return None;
    }
    let offers = m.offers_of(0);
    Some(
        plan.minerals[0]
            .quantities
            .iter()
            .zip(offers)
            .map(|(&x, o)| match o.capacity {
                _ if x <= 1e-7 => 0,
                Some(c) if x >= c - 1e-7 => 2,
                _ => 1,
            })
            .collect(),
    )
}

#[test]
fn ranging_gives_a_value_share_interval_in_shares_by_hand_and_by_re_solves() {
    // At β = 0.5 the plan buys b to its cap (30), a = (390β − 180) / (5 − 7β) = 10 and c
    // the rest: the row is 180(1 − β) + 10(0.5 − β)a − 3β(70 − a) = 0. The basis holds
    // while 0 ≤ a ≤ 60: β from 180/390 = 6/13 to 480/810 = 16/27 (b stays at its cap:
    // its reduced cost 3 − 7(6 − 3β)/(5 − 7β) < 0 there). The cost 390 + 7a has slope
    // 7 · 690 / (5 − 7β)² = 2146.67 at 0.5.
    let m = model(("60", "30", ""), "min_value_share", 0.5);
    let plan = solve_kind(&m, SolverKind::Clarabel);
    assert_close(plan.cost(), 460.0, 1e-6, "cost");
    let rows = ranging(&m, &plan).expect("ranged").rows;
    let row = rows
        .iter()
        .find(|r| r.kind == RangeKind::Bound)
        .expect("the value-share row binds");
    assert_eq!(row.name.as_str(), "min_value_share");
    assert_eq!(row.note, "");
    assert_close(row.value, 0.5, 0.0, "bound");
    let (lo, hi) = (row.lower.unwrap(), row.upper.unwrap());
    assert_close(lo, 6.0 / 13.0, 1e-9, "lower by hand");
    assert_close(hi, 16.0 / 27.0, 1e-9, "upper by hand");
    assert_close(row.shadow_price.unwrap(), 7.0 * 690.0 / 2.25, 1e-6, "price");
    // Re-solves: the same offers in the same places inside, another plan (or none) out.
    let here = support(&m, 0.5).unwrap();
    for t in [0.01, 0.3, 0.7, 0.99] {
        assert_eq!(support(&m, lo + t * (hi - lo)).as_ref(), Some(&here), "{t}");
    }
    assert_ne!(support(&m, lo - 1e-4).as_ref(), Some(&here));
    assert_ne!(support(&m, hi + 1e-4).as_ref(), Some(&here));
}

/// A random model with two value-share rows at the refine stage (one binds, as a rule).
fn random_model(seed: u64) -> Model {
    let mut rng = TestRng::new(seed);
    let mut s = String::from("supplier,mineral,country,unit_cost,capacity,origin_refine\n");
    for i in 0..6 {
        let ship = ["AUS", "KOR", "CHN"][rng.below(3) as usize];
        let f = rng.below(11);
        let cost = 1.0 + rng.below(90) as f64 / 10.0;
        let cap = 10 + rng.below(50);
        let mix = match f {
            0 => "KOR".to_string(),
            10 => "CHN".to_string(),
            _ => format!("CHN:0.{f};KOR:0.{}", 10 - f),
        };
        s += &format!("o{i},m,{ship},{cost},{cap},{mix}\n");
    }
    let lo = 0.2 + rng.below(40) as f64 / 100.0;
    let rows = format!(
        "constraint,mineral,target,bound,stage\nmin_value_share,m,FTA,{lo},refine\nmax_value_share,m,FTA,{},refine\n",
        (lo + 0.3).min(1.0)
    );
    model_from(&[
        (
            "countries.csv",
            "country,risk,groups\nAUS,0,FTA\nKOR,0,FTA\nCHN,0,\n",
        ),
        ("suppliers.csv", &s),
        ("demand.csv", "mineral,quantity\nm,100\n"),
        ("constraints.csv", &rows),
    ])
}

#[test]
fn ranged_value_share_intervals_hold_their_plan_inside_and_lose_it_outside() {
    let mut ranged = 0;
    for seed in 0..40 {
        let m = random_model(seed);
        let plan = solve_kind(&m, SolverKind::Clarabel);
        if plan.status.exit_code() != 0 {
            continue;
        }
        for row in ranging(&m, &plan).unwrap().rows {
            if row.kind != RangeKind::Bound || !row.note.is_empty() {
                continue;
            }
            let p = m
                .policy
                .iter()
                .position(|p| p.kind.name() == row.name.as_str())
                .unwrap();
            let at = |b: f64| {
                let mut m = m.clone();
                m.policy.swap(0, p);
                support(&m, b)
            };
            let here = at(row.value).expect("the plan");
            let (lo, hi) = (row.lower.unwrap_or(0.0), row.upper.unwrap_or(1.0));
            for t in [0.05, 0.5, 0.95] {
                let b = lo + t * (hi - lo);
                assert_eq!(
                    at(b).as_ref(),
                    Some(&here),
                    "seed {seed} {} at {b}",
                    row.name
                );
            }
            // Past a finite end inside [0, 1], another plan (or none).
            if lo > 1e-3 {
                assert_ne!(
                    at(lo - 1e-4).as_ref(),
                    Some(&here),
                    "seed {seed} below {lo}"
                );
            }
            if hi < 1.0 - 1e-3 {
                assert_ne!(
                    at(hi + 1e-4).as_ref(),
                    Some(&here),
                    "seed {seed} above {hi}"
                );
            }
            ranged += 1;
        }
    }
    assert!(ranged >= 10, "{ranged}");
}

/// A random staged model whose value-share minimum (at refine) usually has no plan, with
/// a country cap at the shipping country that sometimes must move too.
fn random_infeasible(seed: u64) -> Model {
    let mut rng = TestRng::new(seed + 100);
    let mut s = String::from("supplier,mineral,country,unit_cost,capacity,origin_refine\n");
    for i in 0..5 + rng.below(3) {
        let ship = ["AUS", "KOR", "CHN"][rng.below(3) as usize];
        let f = rng.below(10) + 1;
        let mix = match f {
            10 => "CHN".to_string(),
            _ => format!("CHN:0.{f};KOR:0.{}", 10 - f),
        };
        let cost = 1.0 + rng.below(90) as f64 / 10.0;
        let cap = 25 + rng.below(50);
        s += &format!("o{i},m,{ship},{cost},{cap},{mix}\n");
    }
    let cap = 0.3 + rng.below(40) as f64 / 100.0;
    let rows = format!(
        "constraint,mineral,target,bound,stage\nmin_value_share,m,FTA,0.97,refine\nmax_country_share,*,*,{cap},\n"
    );
    model_from(&[
        (
            "countries.csv",
            "country,risk,groups\nAUS,0,FTA\nKOR,0,FTA\nCHN,0,\n",
        ),
        ("suppliers.csv", &s),
        ("demand.csv", "mineral,quantity\nm,100\n"),
        ("constraints.csv", &rows),
    ])
}

#[test]
fn explain_relaxed_value_shares_are_tight_against_direct_solves_on_random_models() {
    // With every relaxed bound applied the model has a plan; with the value share's bound
    // 1e-6 tighter (the other changes kept) it has none. Where the value share moves
    // alone, its bound is also the bisection point of direct solves.
    let (mut alone, mut with_cap) = (0, 0);
    for seed in 0..30 {
        let m = random_infeasible(seed);
        let e = explain(&m, &ExplainOptions::default()).expect("explained");
        let rows: Vec<_> = e.relaxations().cloned().collect();
        let Some(value) = rows.iter().find(|r| r.constraint == "min_value_share") else {
            continue;
        };
        if rows.iter().any(|r| r.constraint == "demand") {
            continue;
        }
        let mut relaxed = m.clone();
        for r in &rows {
            let p = relaxed
                .policy
                .iter()
                .position(|p| p.kind.name() == r.constraint)
                .expect("a policy row");
            relaxed.policy[p].bound = r.relaxed_bound;
        }
        assert!(
            feasible(&relaxed, value.relaxed_bound),
            "seed {seed}: {rows:?}"
        );
        assert!(
            !feasible(&relaxed, value.relaxed_bound + 1e-6),
            "seed {seed}: {rows:?}"
        );
        if rows.len() == 1 {
            let b = bisect(&m, 0.0, 0.97);
            assert_close(value.relaxed_bound, b, 1e-8, &format!("seed {seed}"));
            alone += 1;
        } else {
            with_cap += 1;
        }
    }
    assert!(
        alone >= 5 && with_cap >= 2,
        "alone {alone}, with the cap {with_cap}"
    );
}
