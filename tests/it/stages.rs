//! Supply chains in stages (issue 23): rules at a stage apply to q_sc = Σ_i f_isc · x_i.
//! Checked against the test's own copy of each offer's mixes: per-stage row values of
//! forced random plans computed here by hand; optima of random staged models against a
//! second formulation written here (each stage rule expanded by hand, the top-k cap as
//! one row per k-subset of countries) solved with good_lp + microlp, for every backend,
//! aggregated by chain class and not; a per-stage HHI cap against an outer approximation
//! with many tangents (a lower bound) and its value by hand; bad input exit 2.

use good_lp::{constraint, variable, Expression, ProblemVariables, Solution as _, SolverModel};
use sourcemix::engine::SolverKind;
use sourcemix::plan::{InstanceTarget, Plan};
use sourcemix::solve::{SolveOptions, SolverChoice};
use sourcemix::solve_plan;
use std::num::NonZeroUsize;

use crate::common::cli::Workdir;
use crate::common::*;

const CODES: [&str; 4] = ["AAA", "BBB", "CCC", "DDD"];
/// Stage columns, in chain order; stage 0 of [`Offer::at`] is the shipping country.
const STAGES: [&str; 2] = ["mine", "refine"];

/// One offer as the test wrote it.
#[derive(Clone)]
struct Offer {
    ship: usize,
    /// Mix per named stage; empty means the shipping country.
    origins: [Vec<(usize, f64)>; 2],
    cost: f64,
    cap: f64,
}

impl Offer {
    /// f at stage `s` (0: shipping, 1 + k: STAGES[k]) of country `c`.
    fn at(&self, s: usize, c: usize) -> f64 {
        let mix = if s == 0 {
            &[][..]
        } else {
            &self.origins[s - 1][..]
        };
        if mix.is_empty() {
            f64::from(u8::from(self.ship == c))
        } else {
            mix.iter().filter(|&&(k, _)| k == c).map(|&(_, f)| f).sum()
        }
    }
}

/// One staged model as the test wrote it.
struct Case {
    risk: [f64; 4],
    /// Countries of group G.
    group: Vec<usize>,
    offers: Vec<Offer>,
    demand: f64,
    penalty: Option<f64>,
    /// (constraint, target, bound, stage) rows.
    rows: Vec<(String, String, f64, String)>,
}

fn mix_text(mix: &[(usize, f64)]) -> String {
    match mix {
        [] => String::new(),
        [(c, _)] => CODES[*c].to_string(),
        _ => mix
            .iter()
            .map(|&(c, f)| format!("{}:{f}", CODES[c]))
            .collect::<Vec<_>>()
            .join(";"),
    }
}

impl Case {
    fn files(&self) -> Vec<(&'static str, String)> {
        let mut countries = String::from("country,risk,groups\n");
        for (c, code) in CODES.iter().enumerate() {
            let g = if self.group.contains(&c) { "G" } else { "" };
            countries.push_str(&format!("{code},{},{g}\n", self.risk[c]));
        }
        let mut suppliers =
            String::from("supplier,mineral,country,unit_cost,capacity,origin_mine,origin_refine\n");
        for (j, o) in self.offers.iter().enumerate() {
            suppliers.push_str(&format!(
                "s{j},m,{},{},{},{},{}\n",
                CODES[o.ship],
                o.cost,
                o.cap,
                mix_text(&o.origins[0]),
                mix_text(&o.origins[1])
            ));
        }
        let demand = match self.penalty {
            Some(p) => format!("mineral,quantity,unmet_penalty\nm,{},{p}\n", self.demand),
            None => format!("mineral,quantity\nm,{}\n", self.demand),
        };
        let mut constraints = String::from("constraint,mineral,target,bound,stage\n");
        for (k, t, b, s) in &self.rows {
            constraints.push_str(&format!("{k},m,{t},{b},{s}\n"));
        }
        vec![
            ("countries.csv", countries),
            ("suppliers.csv", suppliers),
            ("demand.csv", demand),
            ("constraints.csv", constraints),
        ]
    }

    fn model(&self) -> sourcemix::Model {
        let files = self.files();
        let refs: Vec<(&str, &str)> = files.iter().map(|(n, t)| (*n, t.as_str())).collect();
        model_from(&refs)
    }

    /// q_sc of plan `x` at stage index `s`.
    fn through(&self, x: &[f64], s: usize) -> [f64; 4] {
        let mut q = [0.0; 4];
        for (o, &v) in self.offers.iter().zip(x) {
            for (c, qc) in q.iter_mut().enumerate() {
                *qc += o.at(s, c) * v;
            }
        }
        q
    }
}

/// The stage indices a row's `stage` cell names.
fn stage_list(stage: &str) -> Vec<usize> {
    match stage {
        "" => vec![0],
        "mine" => vec![1],
        "refine" => vec![2],
        "any" => vec![0, 1, 2],
        other => panic!("no stage {other}"),
    }
}

/// A random mix: one country (or empty) or two with fractions in tenths.
fn random_mix(rng: &mut TestRng) -> Vec<(usize, f64)> {
    match rng.below(4) {
        0 => Vec::new(),
        1 => vec![(rng.below(4) as usize, 1.0)],
        _ => {
            let a = rng.below(4) as usize;
            let b = (a + 1 + rng.below(3) as usize) % 4;
            let f = (1 + rng.below(9)) as f64 / 10.0;
            let mut mix = vec![(a, f), (b, ((1.0 - f) * 10.0).round() / 10.0)];
            mix.sort_by_key(|&(c, _)| c);
            mix
        }
    }
}

fn random_offers(rng: &mut TestRng, n: usize) -> Vec<Offer> {
    (0..n)
        .map(|_| Offer {
            ship: rng.below(4) as usize,
            origins: [random_mix(rng), random_mix(rng)],
            cost: 1.0 + rng.below(900) as f64 / 100.0,
            cap: (10 + rng.below(60)) as f64,
        })
        .collect()
}

const STAGE_CELLS: [&str; 4] = ["", "mine", "refine", "any"];

fn random_row(rng: &mut TestRng) -> (String, String, f64, String) {
    let stage = STAGE_CELLS[rng.below(4) as usize].to_string();
    let code = CODES[rng.below(4) as usize].to_string();
    let share = (30 + rng.below(60)) as f64 / 100.0;
    let (kind, target, bound) = match rng.below(9) {
        7 => ("min_value_share", "G".to_string(), share / 3.0),
        8 => ("max_value_share", "G".to_string(), share),
        0 => ("max_country_share", "*".to_string(), share),
        1 => ("max_country_share", code, share),
        2 => ("min_group_share", "G".to_string(), share / 3.0),
        3 => ("max_group_share", "G".to_string(), share),
        4 => ("max_avg_risk", String::new(), 0.2 + share / 2.0),
        5 => (
            "max_top_share",
            (1 + rng.below(3)).to_string(),
            share.max(0.5),
        ),
        _ => ("exclude_country", code, 0.0),
    };
    let bound = (bound * 100.0).round() / 100.0;
    (kind.to_string(), target, bound, stage)
}

fn random_case(rng: &mut TestRng) -> Case {
    let n = 5 + rng.below(4) as usize;
    Case {
        risk: [0.1, 0.4, 0.9, 0.6].map(|r: f64| r + rng.below(10) as f64 / 100.0),
        group: vec![0, 3],
        offers: random_offers(rng, n),
        demand: 100.0,
        penalty: Some(50.0),
        rows: (0..1 + rng.below(3)).map(|_| random_row(rng)).collect(),
    }
}

/// Every k-subset of 0..n.
fn subsets(n: usize, k: usize) -> Vec<Vec<usize>> {
    (0u32..1 << n)
        .filter(|m| m.count_ones() as usize == k)
        .map(|m| (0..n).filter(|&c| m & (1 << c) != 0).collect())
        .collect()
}

/// The least cost of `case` with every rule written out here, by microlp; `None` when
/// no plan obeys them.
fn reference_cost(case: &Case) -> Option<f64> {
    let d = case.demand;
    let mut vars = ProblemVariables::new();
    let x: Vec<_> = case
        .offers
        .iter()
        .map(|o| vars.add(variable().min(0.0).max(o.cap)))
        .collect();
    let u = vars.add(
        variable()
            .min(0.0)
            .max(if case.penalty.is_some() { d } else { 0.0 }),
    );
    let objective: Expression = x
        .iter()
        .zip(&case.offers)
        .map(|(&v, o)| o.cost * v)
        .sum::<Expression>()
        + case.penalty.unwrap_or(0.0) * u;
    let mut problem = vars.minimise(objective.clone()).using(good_lp::microlp);
    let total: Expression = x.iter().copied().sum::<Expression>() + u;
    problem = problem.with(constraint!(total == d));
    let q = |s: usize, pick: &dyn Fn(usize) -> f64| -> Expression {
        x.iter()
            .zip(&case.offers)
            .map(|(&v, o)| (0..4).map(|c| o.at(s, c) * pick(c)).sum::<f64>() * v)
            .sum()
    };
    for (kind, target, b, stage) in &case.rows {
        for s in stage_list(stage) {
            let code = CODES.iter().position(|c| c == target);
            let one = |c: usize| f64::from(u8::from(Some(c) == code));
            let in_group = |c: usize| f64::from(u8::from(case.group.contains(&c)));
            match kind.as_str() {
                "max_country_share" if target == "*" => {
                    for c in 0..4 {
                        let e = q(s, &|k| f64::from(u8::from(k == c)));
                        problem = problem.with(constraint!(e <= b * d));
                    }
                }
                "max_country_share" => problem = problem.with(constraint!(q(s, &one) <= b * d)),
                "min_group_share" => problem = problem.with(constraint!(q(s, &in_group) >= b * d)),
                "max_group_share" => problem = problem.with(constraint!(q(s, &in_group) <= b * d)),
                "max_avg_risk" => {
                    problem = problem.with(constraint!(q(s, &|c| case.risk[c]) <= b * d))
                }
                // Σ_i l_i x_i φ_i ≥ / ≤ b Σ_i l_i x_i, φ_i the offer's fraction in G.
                "min_value_share" | "max_value_share" => {
                    let e: Expression = x
                        .iter()
                        .zip(&case.offers)
                        .map(|(&v, o)| {
                            let phi: f64 = case.group.iter().map(|&c| o.at(s, c)).sum();
                            o.cost * (phi - b) * v
                        })
                        .sum();
                    problem = if kind == "min_value_share" {
                        problem.with(constraint!(e >= 0.0))
                    } else {
                        problem.with(constraint!(e <= 0.0))
                    };
                }
                "max_top_share" => {
                    let k: usize = target.parse().unwrap();
                    for set in subsets(4, k) {
                        let e = q(s, &|c| f64::from(u8::from(set.contains(&c))));
                        problem = problem.with(constraint!(e <= b * d));
                    }
                }
                "exclude_country" => {
                    for (&v, o) in x.iter().zip(&case.offers) {
                        if o.at(s, code.unwrap()) > 0.0 {
                            problem = problem.with(constraint!(v <= 0.0));
                        }
                    }
                }
                other => panic!("no reference for {other}"),
            }
        }
    }
    let solution = problem.solve().ok()?;
    Some(solution.eval(&objective))
}

/// The quantities of the plan's only mineral.
fn quantities(plan: &Plan) -> Vec<f64> {
    plan.minerals[0].quantities.clone()
}

/// Checks the plan against every row of `case` by hand.
fn check_rows(case: &Case, x: &[f64]) -> Result<(), String> {
    let d = case.demand;
    for (o, &v) in case.offers.iter().zip(x) {
        if v < -1e-9 || v > o.cap + 1e-7 {
            return Err(format!("quantity {v} outside [0, {}]", o.cap));
        }
    }
    for (kind, target, b, stage) in &case.rows {
        for s in stage_list(stage) {
            let q = case.through(x, s);
            let code = CODES.iter().position(|c| c == target);
            let group: f64 = case.group.iter().map(|&c| q[c]).sum();
            let ok = match kind.as_str() {
                "max_country_share" if target == "*" => q.iter().all(|&v| v <= b * d + 1e-6),
                "max_country_share" => q[code.unwrap()] <= b * d + 1e-6,
                "min_group_share" => group >= b * d - 1e-6,
                "max_group_share" => group <= b * d + 1e-6,
                "max_avg_risk" => {
                    q.iter().zip(case.risk).map(|(v, r)| v * r).sum::<f64>() <= b * d + 1e-6
                }
                "max_top_share" => {
                    let mut sorted = q;
                    sorted.sort_by(|a, b| b.total_cmp(a));
                    let k: usize = target.parse().unwrap();
                    sorted[..k].iter().sum::<f64>() <= b * d + 1e-6
                }
                "min_value_share" | "max_value_share" => {
                    let (mut inside, mut total) = (0.0, 0.0);
                    for (o, &v) in case.offers.iter().zip(x) {
                        let phi: f64 = case.group.iter().map(|&c| o.at(s, c)).sum();
                        inside += o.cost * v * phi;
                        total += o.cost * v;
                    }
                    let tol = 1e-6 * total;
                    if kind == "min_value_share" {
                        inside >= b * total - tol
                    } else {
                        inside <= b * total + tol
                    }
                }
                "exclude_country" => case
                    .offers
                    .iter()
                    .zip(x)
                    .all(|(o, &v)| o.at(s, code.unwrap()) == 0.0 || v == 0.0),
                _ => true,
            };
            if !ok {
                return Err(format!(
                    "{kind},{target},{b},{stage} fails at stage {s}: {q:?}"
                ));
            }
        }
    }
    Ok(())
}

#[test]
fn random_staged_models_match_a_second_formulation_for_every_solver() {
    let mut rng = TestRng::new(2326);
    let mut solved = 0;
    for case_no in 0..40 {
        let case = random_case(&mut rng);
        let model = case.model();
        let expected = reference_cost(&case);
        for kind in SolverKind::all() {
            for aggregate_all in [false, true] {
                let opts = SolveOptions {
                    solver: SolverChoice::Named(kind),
                    threads: NonZeroUsize::new(1),
                    aggregate_all,
                    ..SolveOptions::default()
                };
                let what = format!(
                    "case {case_no} {kind} aggregated {aggregate_all}: {}",
                    case.files()[1].1.clone() + &case.files()[3].1
                );
                match (solve_plan(&model, &opts), expected) {
                    (Ok(plan), Some(cost)) if plan.minerals[0].has_plan() => {
                        let x = quantities(&plan);
                        check_rows(&case, &x).unwrap_or_else(|e| panic!("{what}: {e}"));
                        assert_rel(plan.cost(), cost, 1e-6, &what);
                    }
                    (Ok(plan), None) => {
                        assert!(!plan.minerals[0].has_plan(), "{what}: a plan where none")
                    }
                    (Err(e), None) => {
                        let _ = e;
                    }
                    (other, Some(cost)) => {
                        panic!(
                            "{what}: expected cost {cost}, got {:?}",
                            other.map(|p| p.status)
                        )
                    }
                }
            }
        }
        solved += usize::from(expected.is_some());
    }
    assert!(solved >= 30, "only {solved} of 40 cases had a plan");
}

#[test]
fn per_stage_row_values_of_forced_random_plans_are_computed_by_hand() {
    let mut rng = TestRng::new(77);
    for case_no in 0..20 {
        let n = 5 + rng.below(4) as usize;
        let mut offers = random_offers(&mut rng, n);
        // Capacities are the plan and demand their sum: the only plan is x = capacity.
        for o in &mut offers {
            o.cap = (1 + rng.below(40)) as f64;
        }
        let x: Vec<f64> = offers.iter().map(|o| o.cap).collect();
        let d: f64 = x.iter().sum();
        let k = 1 + rng.below(3) as usize;
        let case = Case {
            risk: [0.1, 0.5, 0.9, 0.3],
            group: vec![1, 2],
            offers,
            demand: d,
            penalty: None,
            rows: vec![
                ("max_country_share".into(), "*".into(), 1.0, "any".into()),
                ("max_group_share".into(), "G".into(), 1.0, "any".into()),
                ("max_avg_risk".into(), String::new(), 1.0, "any".into()),
                ("max_hhi".into(), String::new(), 1.0, "any".into()),
                ("max_top_share".into(), k.to_string(), 1.0, "any".into()),
            ],
        };
        let model = case.model();
        let plan = solve_plan(&model, &SolveOptions::default()).unwrap();
        for (o, v) in quantities(&plan).iter().zip(&x) {
            assert_close(*o, *v, 1e-6, "forced plan");
        }
        for row in &plan.minerals[0].rows {
            let inst = &row.instance;
            let s = inst.stage.map_or(0, |s| s + 1);
            let q = case.through(&x, s);
            let expected = match (inst.kind.name(), &inst.target) {
                ("max_country_share", InstanceTarget::Country(c)) => {
                    let code = model.countries[*c].code.as_str();
                    q[CODES.iter().position(|k| *k == code).unwrap()] / d
                }
                ("max_group_share", _) => case.group.iter().map(|&c| q[c]).sum::<f64>() / d,
                ("max_avg_risk", _) => q.iter().zip(case.risk).map(|(v, r)| v * r).sum::<f64>() / d,
                ("max_hhi", _) => q.iter().map(|v| (v / d).powi(2)).sum(),
                ("max_top_share", _) => {
                    let mut sorted = q;
                    sorted.sort_by(|a, b| b.total_cmp(a));
                    sorted[..k].iter().sum::<f64>() / d
                }
                other => panic!("unexpected row {other:?}"),
            };
            assert_close(
                row.value,
                expected,
                1e-6,
                &format!("case {case_no} {} at stage {s}", inst.kind.name()),
            );
        }
        // stages.csv: per level, the largest share, the HHI and the top-3 share.
        let rows = sourcemix::report::stage_rows(&model, &plan);
        assert_eq!(rows.len(), 3, "case {case_no}");
        for (s, r) in rows.iter().enumerate() {
            let q = case.through(&x, s);
            let mut sorted = q;
            sorted.sort_by(|a, b| b.total_cmp(a));
            assert_eq!(r.stage.as_str(), ["", "mine", "refine"][s]);
            assert_close(r.top_country_share, sorted[0] / d, 1e-9, "top share");
            assert_eq!(
                q[CODES
                    .iter()
                    .position(|c| *c == r.top_country.as_str())
                    .unwrap()],
                sorted[0]
            );
            assert_close(
                r.hhi,
                q.iter().map(|v| (v / d).powi(2)).sum(),
                1e-9,
                "stage HHI",
            );
            assert_close(
                r.top3_share,
                sorted[..3].iter().sum::<f64>() / d,
                1e-9,
                "top 3",
            );
        }
        // One row per country offering at each of the three levels, plus four rows a level.
        let levels = (0..3)
            .map(|s| {
                (0..4)
                    .filter(|&c| case.offers.iter().any(|o| o.at(s, c) > 0.0))
                    .count()
            })
            .sum::<usize>();
        assert_eq!(
            plan.minerals[0].rows.len(),
            levels + 4 * 3,
            "case {case_no}"
        );
    }
}

/// A lower bound on the least cost with an HHI cap at `stage` (index), by microlp: t_c ≥
/// s_c² stated by tangents at 400 points per country (an outer approximation).
fn hhi_lower_bound(case: &Case, stage: usize, cap: f64) -> f64 {
    let d = case.demand;
    let mut vars = ProblemVariables::new();
    let x: Vec<_> = case
        .offers
        .iter()
        .map(|o| vars.add(variable().min(0.0).max(o.cap)))
        .collect();
    let u = vars.add(variable().min(0.0).max(d));
    let t: Vec<_> = (0..4).map(|_| vars.add(variable().min(0.0))).collect();
    let objective: Expression = x
        .iter()
        .zip(&case.offers)
        .map(|(&v, o)| o.cost * v)
        .sum::<Expression>()
        + case.penalty.unwrap() * u;
    let mut problem = vars.minimise(objective.clone()).using(good_lp::microlp);
    let total: Expression = x.iter().copied().sum::<Expression>() + u;
    problem = problem.with(constraint!(total == d));
    for (c, &tc) in t.iter().enumerate() {
        let share: Expression = x
            .iter()
            .zip(&case.offers)
            .map(|(&v, o)| o.at(stage, c) / d * v)
            .sum();
        for p in 0..=400 {
            let a = p as f64 / 400.0;
            // t ≥ a² + 2a (s − a) = 2a s − a².
            problem = problem.with(constraint!(tc >= 2.0 * a * share.clone() - a * a));
        }
    }
    let sum: Expression = t.iter().copied().sum();
    problem = problem.with(constraint!(sum <= cap));
    problem.solve().unwrap().eval(&objective)
}

#[test]
fn an_hhi_cap_at_a_stage_meets_its_bound_by_hand_and_the_outer_approximation() {
    let mut rng = TestRng::new(4242);
    for case_no in 0..12 {
        let mut case = random_case(&mut rng);
        let stage = 1 + rng.below(2) as usize;
        let cap = (30 + rng.below(40)) as f64 / 100.0;
        case.rows = vec![(
            "max_hhi".into(),
            String::new(),
            cap,
            STAGES[stage - 1].into(),
        )];
        let model = case.model();
        let lower = hhi_lower_bound(&case, stage, cap);
        for aggregate_all in [false, true] {
            let opts = SolveOptions {
                aggregate_all,
                ..SolveOptions::default()
            };
            let plan = solve_plan(&model, &opts).unwrap();
            let x = quantities(&plan);
            let q = case.through(&x, stage);
            let hhi: f64 = q.iter().map(|v| (v / case.demand).powi(2)).sum();
            let what = format!("case {case_no} aggregated {aggregate_all}");
            assert!(hhi <= cap + 1e-7, "{what}: HHI {hhi} > {cap}");
            // The tangents are at most 1/800 apart in share: the approximation's optimum
            // is within a small relative distance of the true one, and below it.
            assert!(
                plan.cost() >= lower * (1.0 - 1e-9),
                "{what}: {} < {lower}",
                plan.cost()
            );
            assert_rel(plan.cost(), lower, 2e-3, &what);
        }
    }
}

#[test]
fn hand_solved_refining_cap_moves_purchases_away_from_a_refiner() {
    // D = 100. a ships from MMR but is refined in CHN (cost 8), b ships from AUS and is
    // refined in MYS (12), c is refined CHN:0.5;USA:0.5 (10). At most 65% refined in
    // CHN: a + 0.5c ≤ 65. With CHN at 65, a = 65 − y and c = 2y cover 65 + y and b the
    // rest 35 − y: cost 8(65 − y) + 20y + 12(35 − y) = 940 for every y in [0, 35]; with
    // CHN below 65 some of the 940 plan's b could move to a at 8 < 12, so 940 is least.
    let files = [
        ("countries.csv", "country,risk\nAUS,0\nCHN,0\nMMR,0\nMYS,0\nUSA,0\n"),
        (
            "suppliers.csv",
            "supplier,mineral,country,unit_cost,origin_refine\na,ree,MMR,8,CHN\nb,ree,AUS,12,MYS\nc,ree,USA,10,CHN:0.5;USA:0.5\n",
        ),
        ("demand.csv", "mineral,quantity\nree,100\n"),
        (
            "constraints.csv",
            "constraint,mineral,target,bound,stage\nmax_country_share,*,CHN,0.65,refine\n",
        ),
    ];
    let model = model_from(&files);
    for kind in SolverKind::all() {
        let plan = solve_kind(&model, kind);
        assert_close(plan.cost(), 940.0, 1e-6, &format!("{kind}"));
    }
    // Without the stage the cap is on shipments from CHN: none; a alone, 800.
    let mut plain = files;
    plain[3].1 = "constraint,mineral,target,bound\nmax_country_share,*,CHN,0.65\n";
    assert_close(
        solve_kind(&model_from(&plain), SolverKind::Microlp).cost(),
        800.0,
        1e-6,
        "no stage",
    );
}

fn bad_model(suppliers: &str, constraints: &str) -> Workdir {
    Workdir::with_model(&[
        (
            "countries.csv",
            "country,risk,groups\nAUS,0.1,\nCHN,0.8,FEOC\nUSA,0.1,\n",
        ),
        ("suppliers.csv", suppliers),
        ("demand.csv", "mineral,quantity\nree,100\n"),
        ("constraints.csv", constraints),
    ])
}

const OK_SUPPLIERS: &str =
    "supplier,mineral,country,unit_cost,origin_mine,origin_refine,controlled_by\na,ree,AUS,5,AUS,CHN,\nb,ree,USA,6,,USA,CHN\n";
const OK_CONSTRAINTS: &str =
    "constraint,mineral,target,bound,stage\nmax_country_share,*,*,0.65,any\n";

#[test]
fn bad_stage_input_is_exit_2_naming_file_line_column_and_value() {
    let cases = [
        (
            OK_SUPPLIERS.replace("AUS,CHN,", "AUS,CHN:0.6;USA:0.3,"),
            OK_CONSTRAINTS.to_string(),
            "suppliers.csv:2: column origin_refine: \"CHN:0.6;USA:0.3\" has fractions summing to 0.9",
        ),
        (
            OK_SUPPLIERS.replace("AUS,CHN,", "AUS,CHN:0.5;CHN:0.5,"),
            OK_CONSTRAINTS.to_string(),
            "suppliers.csv:2: column origin_refine: \"CHN:0.5;CHN:0.5\" names CHN twice",
        ),
        (
            OK_SUPPLIERS.replace("AUS,CHN,", "AUS,CHN:1.5,"),
            OK_CONSTRAINTS.to_string(),
            "suppliers.csv:2: column origin_refine: \"CHN:1.5\"",
        ),
        (
            OK_SUPPLIERS.replace(",USA,CHN", ",USA,RUS"),
            OK_CONSTRAINTS.to_string(),
            "suppliers.csv:3: column controlled_by: \"RUS\" is not listed in countries.csv",
        ),
        (
            OK_SUPPLIERS.to_string(),
            OK_CONSTRAINTS.replace("any", "smelt"),
            "constraints.csv:2: column stage: \"smelt\" is not a stage of this model; expected empty (the shipping country), any, or one of: mine, refine",
        ),
        (
            OK_SUPPLIERS.to_string(),
            "constraint,mineral,target,bound,stage\nmax_suppliers,*,,2,mine\n".to_string(),
            "constraints.csv:2: column stage: \"mine\" does not apply to max_suppliers",
        ),
    ];
    for (suppliers, constraints, message) in cases {
        let w = bad_model(&suppliers, &constraints);
        w.run(&["solve", "model", "--out", "out"])
            .expect_code(2)
            .stderr_has(message);
    }
    // The good model solves.
    bad_model(OK_SUPPLIERS, OK_CONSTRAINTS)
        .run(&["solve", "model", "--out", "out"])
        .expect_code(0);
}

#[test]
fn constraints_csv_carries_each_row_stage_last_and_plain_models_keep_their_header() {
    let w = bad_model(OK_SUPPLIERS, OK_CONSTRAINTS);
    w.run(&["solve", "model", "--out", "out"]).expect_code(0);
    let text = w.read("out/constraints.csv");
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "constraint,mineral,target,bound,value,slack,binding,shadow_price,shadow_price_per_point,stage"
    );
    let stages: Vec<&str> = lines.map(|l| l.rsplit(',').next().unwrap()).collect();
    // `any`: the shipping countries (AUS, USA), the mine stage (AUS, USA), the refine
    // stage (CHN, USA).
    assert_eq!(
        stages,
        ["", "", "mine", "mine", "refine", "refine"],
        "{text}"
    );
    let plain = bad_model(
        "supplier,mineral,country,unit_cost\na,ree,AUS,5\nb,ree,USA,6\n",
        "constraint,mineral,target,bound\nmax_country_share,*,*,0.65\n",
    );
    plain
        .run(&["solve", "model", "--out", "out"])
        .expect_code(0);
    assert!(plain.read("out/constraints.csv").starts_with(
        "constraint,mineral,target,bound,value,slack,binding,shadow_price,shadow_price_per_point\n"
    ));
}

#[test]
fn exclude_controlled_drops_the_offers_a_group_controls_whatever_they_ship_from() {
    // a ships from AUS at 5 but is controlled by CHN (in group FEOC); b ships from USA at
    // 6. D = 100 unlimited: 500 with a, 600 without it.
    let plain = bad_model(OK_SUPPLIERS, "constraint,mineral,target,bound\n");
    let w = bad_model(
        &OK_SUPPLIERS
            .replace("AUS,CHN,\n", "AUS,CHN,CHN\n")
            .replace(",USA,CHN\n", ",USA,\n"),
        "constraint,mineral,target,bound\nexclude_controlled,*,FEOC,\n",
    );
    for (wd, cost) in [(&plain, "500"), (&w, "600")] {
        wd.run(&["solve", "model", "--out", "out"]).expect_code(0);
        let summary = wd.read("out/summary.csv");
        let row = summary.lines().nth(1).unwrap();
        assert_eq!(row.split(',').nth(4), Some(cost), "{summary}");
    }
    // A country target works as well; an unknown one is exit 2 with its cell.
    let by_country = bad_model(
        &OK_SUPPLIERS
            .replace("AUS,CHN,\n", "AUS,CHN,CHN\n")
            .replace(",USA,CHN\n", ",USA,\n"),
        "constraint,mineral,target,bound\nexclude_controlled,*,CHN,\n",
    );
    by_country
        .run(&["solve", "model", "--out", "out"])
        .expect_code(0);
    assert!(by_country
        .read("out/allocation.csv")
        .contains("ree,b,USA,100,"));
    bad_model(
        OK_SUPPLIERS,
        "constraint,mineral,target,bound\nexclude_controlled,*,NOPE,\n",
    )
    .run(&["solve", "model", "--out", "out"])
    .expect_code(2)
    .stderr_has(
        "constraints.csv:2: column target: \"NOPE\" is not a country or group of this model",
    );
}

#[test]
fn a_value_share_is_landed_value_by_hand_and_its_shadow_price_a_finite_difference() {
    // D = 100: a from AUS (group ALLY) at 10, cap 100; b from CHN at 4. At least 60% of
    // the value from ALLY: 10a ≥ 0.6 (10a + 4b) with a + b = 100 → 4a ≥ 2.4b → a ≥ 37.5
    // (a = 37.5, b = 62.5: 375 + 250 = 625). The landed value share is 375 / 625 = 60%,
    // while the quantity share is only 37.5%.
    let files = |bound: f64, stage: &str| {
        vec![
            ("countries.csv", "country,risk,groups\nAUS,0,ALLY\nCHN,0,\n".to_string()),
            (
                "suppliers.csv",
                "supplier,mineral,country,unit_cost,capacity,origin_refine\na,m,AUS,10,100,\nb,m,CHN,4,,\n"
                    .to_string(),
            ),
            ("demand.csv", "mineral,quantity\nm,100\n".to_string()),
            (
                "constraints.csv",
                format!("constraint,mineral,target,bound,stage\nmin_value_share,m,ALLY,{bound},{stage}\n"),
            ),
        ]
    };
    let model_of = |bound: f64, stage: &str| {
        let f = files(bound, stage);
        let refs: Vec<(&str, &str)> = f.iter().map(|(n, t)| (*n, t.as_str())).collect();
        model_from(&refs)
    };
    for stage in ["", "refine"] {
        for kind in SolverKind::all() {
            let plan = solve_kind(&model_of(0.6, stage), kind);
            assert_close(plan.cost(), 625.0, 1e-6, &format!("{kind} {stage}"));
            let row = &plan.minerals[0].rows[0];
            assert_close(row.value, 0.6, 1e-7, "value share");
            // cost(b) = 400 + 6a(b) with a(b) = 400b / (10 − 6b): compared by central difference.
            let h = 1e-4;
            let up = solve_kind(&model_of(0.6 + h, stage), kind).cost();
            let down = solve_kind(&model_of(0.6 - h, stage), kind).cost();
            let slope = (up - down) / (2.0 * h);
            assert_rel(
                row.shadow_price.unwrap(),
                slope,
                1e-3,
                &format!("{kind} {stage} shadow price"),
            );
        }
    }
}

#[test]
fn check_warns_when_no_plan_can_meet_a_cap_at_a_stage_naming_stage_and_countries() {
    // Both offers are refined in CHN (b: 60% CHN, 40% USA). At most 65% refined in CHN:
    // CHN can pass 65 and USA 0.4 · 50 = 20, so at most 85 of 100 can be bought. At the
    // shipping country (AUS, USA) a 65% cap is met.
    let suppliers = "supplier,mineral,country,unit_cost,capacity,origin_refine\na,ree,AUS,5,100,CHN\nb,ree,USA,6,50,CHN:0.6;USA:0.4\n";
    let w = bad_model(
        suppliers,
        "constraint,mineral,target,bound,stage\nmax_country_share,*,*,0.65,refine\n",
    );
    w.run(&["check", "model"]).stdout_has(
        "constraints.csv:2: ree: at the refine stage, with at most 0.65 of demand through CHN, the offers can supply only 85 of 100",
    );
    // The solve agrees: no plan.
    assert_ne!(w.run(&["solve", "model", "--out", "out"]).code(), Some(0));
    // A looser cap (0.8: CHN 80 + USA 20 = 100) draws no finding, and the solve has a plan.
    let ok = bad_model(
        suppliers,
        "constraint,mineral,target,bound,stage\nmax_country_share,*,*,0.8,refine\n",
    );
    assert!(!ok
        .run(&["check", "model"])
        .stdout()
        .contains("refine stage"));
    ok.run(&["solve", "model", "--out", "out"]).expect_code(0);
}

/// The hand-solved refining case of
/// [`hand_solved_refining_cap_moves_purchases_away_from_a_refiner`] with the cap soft: one
/// point over 65% refined in CHN lets a unit move from b (12) to a (8), saving 4. At a
/// penalty of 3 per point the cap gives way entirely (a = 100: 35 points, 105); at 5 it
/// holds (940). constraints.csv carries the soft columns, then the stage.
#[test]
fn a_soft_cap_at_a_stage_gives_way_by_hand_and_reports_violation_then_stage() {
    for (penalty, cost, violation) in [(3.0, 800.0, 35.0), (5.0, 940.0, 0.0)] {
        let w = Workdir::with_model(&[
            ("countries.csv", "country,risk\nAUS,0\nCHN,0\nMMR,0\nMYS,0\nUSA,0\n"),
            (
                "suppliers.csv",
                "supplier,mineral,country,unit_cost,origin_refine\na,ree,MMR,8,CHN\nb,ree,AUS,12,MYS\nc,ree,USA,10,CHN:0.5;USA:0.5\n",
            ),
            ("demand.csv", "mineral,quantity\nree,100\n"),
            (
                "constraints.csv",
                &format!("constraint,mineral,target,bound,stage,penalty\nmax_country_share,*,CHN,0.65,refine,{penalty}\n"),
            ),
        ]);
        w.run(&["solve", "model", "--out", "out"]).expect_code(0);
        let summary = w.read("out/summary.csv");
        let total: f64 = summary
            .lines()
            .nth(1)
            .and_then(|l| l.split(',').nth(4))
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{summary}"));
        assert_close(total, cost, 1e-6, &format!("penalty {penalty}: {summary}"));
        let text = w.read("out/constraints.csv");
        let mut lines = text.lines();
        assert_eq!(
            lines.next().unwrap(),
            "constraint,mineral,target,bound,value,slack,binding,shadow_price,shadow_price_per_point,violation,violation_cost,stage"
        );
        let row: Vec<&str> = lines.next().unwrap().split(',').collect();
        assert_eq!(row[11], "refine", "{text}");
        let v: f64 = row[9].parse().unwrap_or(0.0);
        assert_close(v, violation, 1e-6, &format!("penalty {penalty}: {text}"));
    }
}

#[test]
fn a_value_share_cannot_be_soft_yet() {
    let w = bad_model(
        OK_SUPPLIERS,
        "constraint,mineral,target,bound,stage,penalty\nmin_value_share,*,FEOC,0.1,refine,5\n",
    );
    w.run(&["solve", "model", "--out", "out"])
        .expect_code(2)
        .stderr_has("a value share's bound is in its coefficients");
}
