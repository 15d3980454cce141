//! Bundles and lot discounts under `solve --robust`, `stress` and `hedge`, against
//! independent references: every choice of bundles taken, discount step reached and
//! lots won (and, with a supplier count, offers used) enumerated, each choice a dense
//! Rockafellar–Uryasev LP written here from the README (a bundle line and a discounted
//! lot paid on what a scenario delivers), HHI caps by tangent cuts computed here; both
//! methods must reach the least of them. Soft country caps under `--robust` against the
//! elastic dense LP, a huge and a zero penalty. `stress` of a plan with a won bundle and a
//! reached discount against a hand computation.

use crate::common::cli::Workdir;
use crate::common::*;
use good_lp::{variable, Expression, ProblemVariables, Solution as _, SolverModel, Variable};
use sourcemix::analysis::robust::{solve_robust, Method, RobustSolution};
use sourcemix::analysis::stress::{stress, StressOptions};
use sourcemix::model::Scenario;
use sourcemix::solve::Status;

/// (supplier, country, tariff): each supplier ships from its own country.
const SUPPLIERS: [(&str, &str, f64); 3] =
    [("A", "AUS", 0.1), ("B", "CHN", 0.05), ("C", "CAN", 0.0)];
/// (mineral, demand).
const MINERALS: [(&str, f64); 2] = [("ga", 100.0), ("ge", 80.0)];
const SCENARIOS: &str = "scenario,probability,mineral,country,supplier,capacity_factor,price_factor
ban,0.08,,CHN,,0,
cut,0.1,ga,AUS,,0.5,
spike,0.15,ge,*,,,1.6
";

/// A bundle bid: supplier, lines (mineral, quantity), a joint price or a discount.
#[derive(Clone)]
struct Bid {
    supplier: usize,
    lines: Vec<(usize, f64)>,
    price: Option<f64>,
    discount: Option<f64>,
}

/// A lot discount over all the supplier's offers: steps (min_lots, fraction).
#[derive(Clone)]
struct Disc {
    supplier: usize,
    steps: Vec<(usize, f64)>,
}

/// The policy row of a case.
#[derive(Clone, Copy, Debug)]
enum Rule {
    CountryShare(f64),
    /// A soft country cap: bound, penalty per percentage point.
    SoftCountryShare(f64, f64),
    Hhi(f64),
    MaxSuppliers(usize),
}

#[derive(Clone)]
struct Case {
    unit: [[f64; 2]; 3],
    freight: [[f64; 2]; 3],
    capacity: [[f64; 2]; 3],
    penalty: [f64; 2],
    bids: Vec<Bid>,
    discs: Vec<Disc>,
    rule: Rule,
}

impl Case {
    fn price_part(&self, s: usize, m: usize) -> f64 {
        self.unit[s][m] * (1.0 + SUPPLIERS[s].2)
    }

    fn landed(&self, s: usize, m: usize) -> f64 {
        self.price_part(s, m) + self.freight[s][m]
    }

    /// Per line of bid `b`: its landed cost in the bundle less its list cost (README:
    /// the price split by value at unit cost, each part with its tariff, plus freight).
    fn line_extras(&self, b: &Bid) -> Vec<f64> {
        let s = b.supplier;
        let value: f64 = b.lines.iter().map(|&(m, q)| q * self.unit[s][m]).sum();
        let price = b
            .price
            .unwrap_or_else(|| (1.0 - b.discount.unwrap()) * value);
        b.lines
            .iter()
            .map(|&(m, q)| {
                let part = price * q * self.unit[s][m] / value;
                part * (1.0 + SUPPLIERS[s].2) + q * self.freight[s][m] - q * self.landed(s, m)
            })
            .collect()
    }

    fn files(&self) -> Vec<(&'static str, String)> {
        let mut s = String::from("supplier,mineral,country,unit_cost,capacity,freight\n");
        for (k, (name, country, _)) in SUPPLIERS.iter().enumerate() {
            for (m, (mineral, _)) in MINERALS.iter().enumerate() {
                s += &format!(
                    "{name},{mineral},{country},{},{},{}\n",
                    self.unit[k][m], self.capacity[k][m], self.freight[k][m]
                );
            }
        }
        let mut c = String::from("country,risk,tariff\n");
        for (_, code, t) in SUPPLIERS {
            c += &format!("{code},0.1,{t}\n");
        }
        let mut d = String::from("mineral,quantity,unmet_penalty\n");
        for (m, (name, q)) in MINERALS.iter().enumerate() {
            d += &format!("{name},{q},{}\n", self.penalty[m]);
        }
        let (rule, penalty) = match self.rule {
            Rule::CountryShare(b) => (format!("max_country_share,*,*,{b}"), None),
            Rule::SoftCountryShare(b, p) => (format!("max_country_share,*,*,{b}"), Some(p)),
            Rule::Hhi(b) => (format!("max_hhi,*,,{b}"), None),
            Rule::MaxSuppliers(n) => (format!("max_suppliers,*,,{n}"), None),
        };
        let constraints = match penalty {
            Some(p) => format!("constraint,mineral,target,bound,penalty\n{rule},{p}\n"),
            None => format!("constraint,mineral,target,bound\n{rule}\n"),
        };
        let mut out = vec![
            ("suppliers.csv", s),
            ("countries.csv", c),
            ("demand.csv", d),
            ("scenarios.csv", SCENARIOS.to_string()),
            ("constraints.csv", constraints),
        ];
        if !self.bids.is_empty() {
            let mut b = String::from("bundle,supplier,mineral,quantity,price,discount\n");
            for (k, bid) in self.bids.iter().enumerate() {
                for (j, &(m, q)) in bid.lines.iter().enumerate() {
                    let (price, disc) = match j {
                        0 => (
                            bid.price.map(|p| p.to_string()).unwrap_or_default(),
                            bid.discount.map(|d| d.to_string()).unwrap_or_default(),
                        ),
                        _ => (String::new(), String::new()),
                    };
                    b += &format!(
                        "p{k},{},{},{q},{price},{disc}\n",
                        SUPPLIERS[bid.supplier].0, MINERALS[m].0
                    );
                }
            }
            out.push(("bundles.csv", b));
        }
        if !self.discs.is_empty() {
            let mut d = String::from("supplier,min_lots,discount\n");
            for disc in &self.discs {
                for &(k, f) in &disc.steps {
                    d += &format!("{},{k},{f}\n", SUPPLIERS[disc.supplier].0);
                }
            }
            out.push(("discounts.csv", d));
        }
        out
    }

    fn loaded(&self) -> Loaded {
        let files = self.files();
        let refs: Vec<(&str, &str)> = files.iter().map(|(n, s)| (*n, s.as_str())).collect();
        loaded_from(&refs)
    }
}

/// The model index of supplier `s`'s offer of mineral `m`.
fn offer(model: &Loaded, s: usize, m: usize) -> usize {
    model.minerals[m]
        .offers
        .clone()
        .find(|&i| model.offers[i].supplier.as_str() == SUPPLIERS[s].0)
        .expect("every supplier offers every mineral")
}

/// Capacity and price factor of offer `i` in scenario `s`, from the shocks directly.
fn factor(model: &Loaded, s: &Scenario, i: usize) -> (f64, f64) {
    let o = &model.offers[i];
    let (mut a, mut f) = (1.0, 1.0);
    for sh in &s.shocks {
        if sh.mineral.is_some_and(|m| m != o.mineral) || sh.country.is_some_and(|c| c != o.country)
        {
            continue;
        }
        a *= sh.capacity_factor;
        f *= sh.price_factor;
    }
    (a, f)
}

/// A discount's choice: none, or (step, lots required won as minerals).
type Step = Option<(usize, Vec<usize>)>;

/// One choice of the enumeration: bundles taken; per discount, none or (step, lots
/// required won as (supplier, mineral)); per offer whether it may be used.
struct Choice {
    taken: Vec<usize>,
    steps: Vec<Step>,
    allowed: Vec<bool>,
}

/// E + W · CVaR of the best plan under `choice`, as one dense LP (HHI caps met by
/// tangent cuts added here until violated by at most 1e-11), or `None` when the choice
/// admits no plan.
fn choice_lp(case: &Case, model: &Loaded, ch: &Choice, weight: f64, alpha: f64) -> Option<f64> {
    let n = model.offers.len();
    // Per offer: its lower bound (bundle quantities, won lots), bundle quantity, bundle
    // extra cost and discount fraction.
    let (mut low, mut bundled, mut extra, mut fraction) =
        (vec![0.0; n], vec![0.0; n], vec![0.0; n], vec![0.0; n]);
    for &b in &ch.taken {
        let bid = &case.bids[b];
        for (&(m, q), e) in bid.lines.iter().zip(case.line_extras(bid)) {
            let i = offer(model, bid.supplier, m);
            bundled[i] += q;
            extra[i] += e;
        }
    }
    for (d, step) in case.discs.iter().zip(&ch.steps) {
        let Some((t, won)) = step else { continue };
        for (m, &(_, demand)) in MINERALS.iter().enumerate() {
            let i = offer(model, d.supplier, m);
            fraction[i] = d.steps[*t].1;
            if won.contains(&m) {
                // The lot's threshold: no min_order, so 10⁻⁶ of demand.
                low[i] = 1e-6 * demand;
            }
        }
    }
    for i in 0..n {
        low[i] = f64::max(low[i], bundled[i]);
        let cap = model.offers[i].capacity.unwrap();
        if low[i] > cap + 1e-12 || (!ch.allowed[i] && low[i] > 0.0) {
            return None;
        }
    }
    let mut cuts: Vec<(usize, Vec<f64>)> = Vec::new();
    for _ in 0..2000 {
        let (value, x) = dense_lp(
            case,
            model,
            (&low, &bundled, &extra, &fraction),
            ch,
            &cuts,
            weight,
            alpha,
        )?;
        let Rule::Hhi(h) = case.rule else {
            return Some(value);
        };
        let mut violated = false;
        for (m, mineral) in model.minerals.iter().enumerate() {
            let shares: Vec<f64> = mineral
                .offers
                .clone()
                .map(|i| x[i] / mineral.demand)
                .collect();
            if shares.iter().map(|s| s * s).sum::<f64>() > h + 1e-11 {
                cuts.push((m, shares));
                violated = true;
            }
        }
        if !violated {
            return Some(value);
        }
    }
    panic!("tangent cuts did not meet the HHI cap");
}

/// The dense LP of one choice with the HHI cuts so far: its optimum and plan.
#[allow(clippy::too_many_arguments)]
fn dense_lp(
    case: &Case,
    model: &Loaded,
    (low, bundled, extra, fraction): (&[f64], &[f64], &[f64], &[f64]),
    ch: &Choice,
    cuts: &[(usize, Vec<f64>)],
    weight: f64,
    alpha: f64,
) -> Option<(f64, Vec<f64>)> {
    let mut vars = ProblemVariables::new();
    let x: Vec<Variable> = (0..model.offers.len())
        .map(|i| {
            let cap = if ch.allowed[i] {
                model.offers[i].capacity.unwrap()
            } else {
                0.0
            };
            vars.add(variable().min(low[i]).max(cap))
        })
        .collect();
    let p_total: f64 = model.scenarios.iter().map(|s| s.probability).sum();
    let base = Scenario {
        name: "baseline".into(),
        probability: 1.0 - p_total,
        shocks: vec![],
    };
    let all: Vec<&Scenario> = std::iter::once(&base).chain(&model.scenarios).collect();
    let eta = vars.add(variable().min(0.0));
    let mut rows: Vec<good_lp::Constraint> = Vec::new();
    let mut objective = Expression::from(eta) * weight;
    for s in &all {
        let mut loss = Expression::from(0.0);
        for (m, mineral) in model.minerals.iter().enumerate() {
            let pen = case.penalty[m];
            let contracted: Expression = mineral.offers.clone().map(|i| x[i]).sum();
            loss += pen * (mineral.demand - contracted.clone());
            let v = vars.add(variable().min(0.0));
            let mut supply = Expression::from(v);
            loss += pen * v;
            for i in mineral.offers.clone() {
                let o = &model.offers[i];
                let (a, f) = factor(model, s, i);
                let delivered = a.min(1.0);
                supply += delivered * x[i];
                // The contract on what arrives: list price, the bundle lines' extra and
                // the discount on what is bought above the bundles.
                let pp = o.unit_cost * (1.0 + model.countries[o.country].tariff);
                loss += delivered * o.landed_cost * x[i];
                loss += delivered * (extra[i] + fraction[i] * pp * bundled[i]);
                loss -= delivered * fraction[i] * pp * x[i];
                let price = o.landed_cost * f * 1.25;
                if a > 0.0 && price < pen {
                    let y = vars.add(variable().min(0.0));
                    supply += y;
                    loss += price * y;
                    rows.push((y + delivered * x[i]).leq(a * o.capacity.unwrap()));
                }
            }
            rows.push(supply.geq(contracted));
        }
        let z = vars.add(variable().min(0.0));
        rows.push((Expression::from(z) - loss.clone() + eta).geq(0.0));
        objective += s.probability * loss + weight * s.probability / (1.0 - alpha) * z;
    }
    for mineral in &model.minerals {
        let total: Expression = mineral.offers.clone().map(|i| x[i]).sum();
        rows.push(total.leq(mineral.demand));
        match case.rule {
            Rule::CountryShare(b) => {
                for i in mineral.offers.clone() {
                    rows.push(Expression::from(x[i]).leq(b * mineral.demand));
                }
            }
            // A violation v in percentage points moves the cap, at the penalty per point,
            // paid once (outside the scenarios).
            Rule::SoftCountryShare(b, pen) => {
                for i in mineral.offers.clone() {
                    let v = vars.add(variable().min(0.0));
                    rows.push((x[i] - 0.01 * mineral.demand * v).leq(b * mineral.demand));
                    objective += pen * v;
                }
            }
            _ => {}
        }
    }
    for (m, shares) in cuts {
        let mineral = &model.minerals[*m];
        let Rule::Hhi(h) = case.rule else {
            unreachable!()
        };
        let lhs: Expression = mineral
            .offers
            .clone()
            .zip(shares)
            .map(|(i, &s)| 2.0 * s / mineral.demand * x[i])
            .sum();
        let sq: f64 = shares.iter().map(|s| s * s).sum();
        rows.push(lhs.leq(h + sq));
    }
    let mut problem = vars.minimise(objective.clone()).using(good_lp::microlp);
    for r in rows {
        problem.add_constraint(r);
    }
    let sol = problem.solve().ok()?;
    Some((
        sol.eval(&objective),
        x.iter().map(|&v| sol.value(v)).collect(),
    ))
}

/// Every choice of `case`: bundle subsets × per discount (none, or a step with a set of
/// won lots at least its min_lots) × (with a supplier count) the offers allowed.
fn choices(case: &Case, model: &Loaded) -> Vec<Choice> {
    let n = model.offers.len();
    let mut per_disc: Vec<Vec<Step>> = Vec::new();
    for d in &case.discs {
        let mut opts = vec![None];
        for (t, &(k, _)) in d.steps.iter().enumerate() {
            for set in [vec![0], vec![1], vec![0, 1]] {
                if set.len() >= k {
                    opts.push(Some((t, set)));
                }
            }
        }
        per_disc.push(opts);
    }
    let allowed: Vec<Vec<bool>> = match case.rule {
        Rule::MaxSuppliers(k) => (0..1usize << n)
            .filter(|mask| {
                model
                    .minerals
                    .iter()
                    .all(|mn| mn.offers.clone().filter(|&i| mask >> i & 1 == 1).count() <= k)
            })
            .map(|mask| (0..n).map(|i| mask >> i & 1 == 1).collect())
            .collect(),
        _ => vec![vec![true; n]],
    };
    let mut out = Vec::new();
    for mask in 0..1usize << case.bids.len() {
        let taken: Vec<usize> = (0..case.bids.len())
            .filter(|b| mask >> b & 1 == 1)
            .collect();
        let mut pick = vec![0usize; per_disc.len()];
        loop {
            for a in &allowed {
                out.push(Choice {
                    taken: taken.clone(),
                    steps: pick
                        .iter()
                        .zip(&per_disc)
                        .map(|(&p, o)| o[p].clone())
                        .collect(),
                    allowed: a.clone(),
                });
            }
            let mut k = 0;
            while k < pick.len() {
                pick[k] += 1;
                if pick[k] < per_disc[k].len() {
                    break;
                }
                pick[k] = 0;
                k += 1;
            }
            if k == pick.len() {
                break;
            }
        }
    }
    out
}

/// The least E + W · CVaR over every choice.
fn enumerated(case: &Case, model: &Loaded, weight: f64, alpha: f64) -> f64 {
    choices(case, model)
        .iter()
        .filter_map(|ch| choice_lp(case, model, ch, weight, alpha))
        .fold(f64::INFINITY, f64::min)
}

fn robust(model: &Loaded, method: Method, weight: f64, alpha: f64) -> RobustSolution {
    let o = crate::robust::opts(method, weight, alpha);
    let out = solve_robust(model, &model.scenarios, &o, &|_| {}).expect("robust solve");
    let r = out.robust.expect("a robust plan");
    assert_eq!(r.status, Status::Optimal, "{:?}", r.status);
    r
}

/// A random case: a joint-price bundle of A over both minerals, a discount bundle of
/// C, and a lot discount of A (two steps) or of A and B. Bundles save at least 15 % on
/// every line, more than any lot discount, so a bundle pays on every line in every
/// scenario.
fn random_case(rng: &mut TestRng, rule: Rule) -> Case {
    let mut unit = [[0.0; 2]; 3];
    let mut freight = [[0.0; 2]; 3];
    let mut capacity = [[0.0; 2]; 3];
    for s in 0..3 {
        for m in 0..2 {
            unit[s][m] = (8 + rng.below(8)) as f64;
            freight[s][m] = rng.below(3) as f64;
            capacity[s][m] = (40 + rng.below(50)) as f64;
        }
    }
    let (qa, qb) = ((10 + rng.below(30)) as f64, (10 + rng.below(30)) as f64);
    let value = qa * unit[0][0] + qb * unit[0][1];
    let price = (value * (0.6 + rng.below(25) as f64 / 100.0)).round();
    let mut bids = vec![Bid {
        supplier: 0,
        lines: vec![(0, qa), (1, qb)],
        price: Some(price),
        discount: None,
    }];
    bids.push(Bid {
        supplier: 2,
        lines: vec![(rng.below(2) as usize, (15 + rng.below(25)) as f64)],
        price: None,
        discount: Some(0.15 + rng.below(10) as f64 / 100.0),
    });
    let mut discs = vec![Disc {
        supplier: 0,
        steps: vec![(1, 0.02 + rng.below(3) as f64 / 100.0), (2, 0.08)],
    }];
    if rng.below(2) == 0 {
        discs.push(Disc {
            supplier: 1,
            steps: vec![(2, 0.05 + rng.below(5) as f64 / 100.0)],
        });
    }
    Case {
        unit,
        freight,
        capacity,
        penalty: [(30 + rng.below(20)) as f64, (30 + rng.below(20)) as f64],
        bids,
        discs,
        rule,
    }
}

/// The soft cap's penalties of `plan`: per offer (its own country), the penalty per
/// percentage point of demand past the cap.
fn penalties(case: &Case, model: &Loaded, plan: &[f64]) -> f64 {
    let Rule::SoftCountryShare(b, pen) = case.rule else {
        return 0.0;
    };
    (0..plan.len())
        .map(|i| {
            let d = model.minerals[model.offers[i].mineral].demand;
            pen * (plan[i] / d - b).max(0.0) / 0.01
        })
        .sum()
}

/// Both methods against the enumeration, at (W, α) pairs, under `rule`.
fn check_cases(seed: u64, cases: usize, rule: impl Fn(&mut TestRng) -> Rule, pairs: &[(f64, f64)]) {
    let mut rng = TestRng::new(seed);
    let (mut bundles, mut steps, mut broken) = (0, 0, 0);
    for case_no in 0..cases {
        let r = rule(&mut rng);
        let case = random_case(&mut rng, r);
        let model = case.loaded();
        for &(weight, alpha) in pairs {
            let want = enumerated(&case, &model, weight, alpha);
            for method in [Method::Extensive, Method::Decomposition] {
                let got = robust(&model, method, weight, alpha);
                let what = format!("case {case_no} {r:?} W {weight} α {alpha} {method}");
                assert_rel(got.objective, want, 1e-6, &what);
                let paid = penalties(&case, &model, &got.plan);
                broken += usize::from(paid > 0.0);
                let by_stress = crate::robust::stressed(&model, &got.plan, weight, alpha) + paid;
                assert_rel(got.objective, by_stress, 1e-9, &format!("{what}: stress"));
                let earned = sourcemix::analysis::awards::derive(&model, &got.plan);
                let mc = earned.iter().flatten();
                bundles += mc.clone().map(|m| m.taken.len()).sum::<usize>();
                steps += mc.map(|m| m.steps.len()).sum::<usize>();
            }
        }
    }
    // The cases exercise both: plans that take bundles and reach discount steps.
    assert!(bundles > 0 && steps > 0, "bundles {bundles}, steps {steps}");
    // With soft caps, some plan breaks its cap (the penalty is not prohibitive).
    let soft = matches!(rule(&mut TestRng::new(0)), Rule::SoftCountryShare(..));
    assert!(!soft || broken > 0, "no plan breaks its soft cap");
}

#[test]
fn robust_bundles_and_discounts_equal_the_enumeration() {
    check_cases(
        25,
        3,
        |rng| Rule::CountryShare(0.6 + rng.below(3) as f64 / 10.0),
        &[(1.0, 0.9), (0.0, 0.9), (3.0, 0.8)],
    );
}

#[test]
fn robust_bundles_under_an_hhi_cap_equal_the_enumeration() {
    check_cases(
        7,
        2,
        |rng| Rule::Hhi(0.4 + rng.below(10) as f64 / 100.0),
        &[(1.0, 0.9)],
    );
}

/// Soft rows under `--robust`: a soft country cap at a penalty between the extremes
/// equals the elastic dense LP (each choice of bundles and discounts); a huge penalty
/// gives the hard model's optimum, a zero penalty the optimum without the cap.
#[test]
fn robust_soft_country_caps_equal_the_elastic_enumeration() {
    check_cases(
        41,
        2,
        |rng| Rule::SoftCountryShare(0.4 + rng.below(2) as f64 / 10.0, 2.0 + rng.below(20) as f64),
        &[(1.0, 0.9)],
    );
    let mut rng = TestRng::new(5);
    let mut case = random_case(&mut rng, Rule::CountryShare(0.45));
    for method in [Method::Extensive, Method::Decomposition] {
        let hard = robust(&case.loaded(), method, 1.0, 0.9).objective;
        case.rule = Rule::SoftCountryShare(0.45, 1e7);
        let huge = robust(&case.loaded(), method, 1.0, 0.9).objective;
        assert_rel(huge, hard, 1e-7, &format!("{method}: huge penalty vs hard"));
        case.rule = Rule::CountryShare(1.0);
        let free = robust(&case.loaded(), method, 1.0, 0.9).objective;
        case.rule = Rule::SoftCountryShare(0.45, 0.0);
        let zero = robust(&case.loaded(), method, 1.0, 0.9).objective;
        assert_rel(
            zero,
            free,
            1e-7,
            &format!("{method}: zero penalty vs no cap"),
        );
        assert!(
            free < hard * (1.0 - 1e-6),
            "{method}: the cap binds ({free} vs {hard})"
        );
        case.rule = Rule::CountryShare(0.45);
    }
}

#[test]
fn robust_bundles_under_a_supplier_count_equal_the_enumeration() {
    check_cases(11, 2, |_| Rule::MaxSuppliers(2), &[(2.0, 0.8)]);
}

/// A plan that wins A's bundle and reaches A's discount step, stressed: each scenario's
/// contract cost by hand (the bundle lines and the discounted lots paid on what arrives).
#[test]
fn stress_charges_the_won_bundle_and_discount_by_hand() {
    let case = Case {
        unit: [[10.0, 20.0], [8.0, 16.0], [12.0, 25.0]],
        freight: [[1.0, 2.0], [0.0, 0.0], [0.0, 0.0]],
        capacity: [[100.0, 80.0], [100.0, 80.0], [100.0, 80.0]],
        penalty: [50.0, 60.0],
        bids: vec![Bid {
            supplier: 0,
            lines: vec![(0, 40.0), (1, 20.0)],
            price: Some(600.0),
            discount: None,
        }],
        discs: vec![Disc {
            supplier: 0,
            steps: vec![(2, 0.05)],
        }],
        rule: Rule::CountryShare(1.0),
    };
    let model = case.loaded();
    // A buys 60 ga and 20 ge; B buys 40 ga and 60 ge.
    let mut plan = vec![0.0; model.offers.len()];
    plan[offer(&model, 0, 0)] = 60.0;
    plan[offer(&model, 0, 1)] = 20.0;
    plan[offer(&model, 1, 0)] = 40.0;
    plan[offer(&model, 1, 1)] = 60.0;
    // The bundle: value 40·10 + 20·20 = 800, price 600 split 300/300; with A's tariff
    // 0.1 and freight: ga line 330 + 40 = 370, ge line 330 + 40 = 370.
    // A's discount (both lots won, 5 %) on ga above the bundle: 20 t at 10·1.1 → −11;
    // ge has nothing above its bundle quantity.
    // A's ga: 370 + 20·12 − 11 = 599; A's ge: 370; B's (tariff 0.05) ga 40·8.4 = 336,
    // ge 60·16.8 = 1008.
    let (a_ga, a_ge, b_ga, b_ge) = (599.0, 370.0, 336.0, 1008.0);
    let report = stress(&model, &plan, &model.scenarios, &StressOptions::default()).unwrap();
    let contract = |scenario: &str| {
        report
            .rows
            .iter()
            .find(|r| r.scenario.as_str() == scenario && r.mineral.as_str() == "*")
            .unwrap()
            .contract_cost
    };
    assert_close(
        contract("baseline"),
        a_ga + a_ge + b_ga + b_ge,
        1e-9,
        "baseline",
    );
    // ban: CHN (B) delivers nothing.
    assert_close(contract("ban"), a_ga + a_ge, 1e-9, "ban");
    // cut: AUS ga delivers half, so half its contract.
    assert_close(
        contract("cut"),
        0.5 * a_ga + a_ge + b_ga + b_ge,
        1e-9,
        "cut",
    );
    // spike: prices of spot only; the contract is as in the baseline.
    assert_close(contract("spike"), a_ga + a_ge + b_ga + b_ge, 1e-9, "spike");
}

/// The command line: `stress` of the allocation.csv `solve` wrote for a model with
/// bundles reproduces `solve`'s cost as its baseline; `solve --robust` writes
/// bundle_awards.csv for its plan; `hedge` runs.
#[test]
fn stress_robust_and_hedge_accept_bundles_on_the_command_line() {
    let mut rng = TestRng::new(3);
    let case = random_case(&mut rng, Rule::CountryShare(0.8));
    let files = case.files();
    let refs: Vec<(&str, &str)> = files.iter().map(|(n, s)| (*n, s.as_str())).collect();
    let w = Workdir::with_model(&refs);
    w.run(&["solve", "model", "--out", "nominal"])
        .expect_code(0);
    w.run(&[
        "stress",
        "model",
        "--plan",
        "nominal/allocation.csv",
        "--out",
        "st",
    ])
    .expect_code(0);
    let summary = w.read("nominal/summary.csv");
    let total = summary
        .lines()
        .last()
        .unwrap()
        .split(',')
        .nth(4)
        .unwrap()
        .to_string();
    let stress_csv = w.read("st/stress.csv");
    let header: Vec<&str> = stress_csv.lines().next().unwrap().split(',').collect();
    let col = header.iter().position(|h| *h == "total_cost").unwrap();
    let baseline = stress_csv
        .lines()
        .find(|l| l.starts_with("baseline,") && l.split(',').nth(2) == Some("*"))
        .unwrap()
        .split(',')
        .nth(col)
        .unwrap()
        .to_string();
    assert_rel(
        baseline.parse().unwrap(),
        total.parse().unwrap(),
        1e-9,
        "stress baseline vs solve",
    );
    w.run(&["solve", "model", "--robust", "--out", "robust"])
        .expect_code(0);
    assert!(w
        .read("robust/bundle_awards.csv")
        .starts_with("bundle,supplier,won"));
    // stress of the robust plan as written reproduces its stress files byte for byte.
    w.run(&[
        "stress",
        "model",
        "--plan",
        "robust/allocation.csv",
        "--out",
        "rst",
    ])
    .expect_code(0);
    for f in ["stress.csv", "stress_summary.csv"] {
        assert_eq!(
            w.read(&format!("rst/{f}")),
            w.read(&format!("robust/{f}")),
            "{f}"
        );
    }
    w.run(&["hedge", "model", "--out", "hedge"]).expect_code(0);
}
