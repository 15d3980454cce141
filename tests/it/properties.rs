//! Property tests on random small models.
//!
//! Linear policy rows only:
//! (a) every optimal plan passes the independent checker of `common`;
//! (b) tightening any single policy row never lowers the optimal cost;
//! (c) the per-mineral decomposition has the optimum of one monolithic LP of all
//!     minerals, built here directly from SPEC §2 with good_lp + microlp;
//! (d) all backends agree on the optimal cost;
//! (g) clarabel's shadow prices are subgradients: for each constraints.csv row, the sum
//!     of its instances' shadow prices lies between the one-sided finite-difference
//!     slopes of the optimal cost in that row's bound.
//! With the rows SPEC §2 makes non-linear:
//! (e) HHI caps: the plan meets them and its cost is within 1e-6 of the convex optimum,
//!     computed here by an independent cutting-plane loop (a valid lower bound);
//! (f) min_order, fixed_cost and supplier/country counts: the cost equals the optimum
//!     found by enumerating every set of used offers (one LP each).

use crate::common::*;
use good_lp::{
    variable, Expression, ProblemVariables, ResolutionError, Solution as _, SolverModel, Variable,
};
use proptest::prelude::*;
use proptest::sample::Index;
use sourcemix::engine::SolverKind;
use sourcemix::model::{MineralScope, Model, Target};
use sourcemix::policy;
use sourcemix::solve::{SolverChoice, Status};
use sourcemix::Plan;

const REL: f64 = 1e-6;

// ---------------------------------------------------------------------------------------
// random models
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct GenCountry {
    risk: u32,   // risk = risk / 20
    groups: u8,  // bit mask over G0, G1, G2
    tariff: u32, // tariff = tariff · 0.05
}

#[derive(Debug, Clone)]
struct GenOffer {
    country: Index,
    unit_cost: u32,
    capacity: Option<u32>,
    freight: u32,            // freight = freight · 0.5
    min_order: Option<u32>,  // rendered only with integer features
    fixed_cost: Option<u32>, // rendered only with integer features
}

#[derive(Debug, Clone)]
struct GenMineral {
    demand: u32,
    penalty: Option<u32>,
    offers: Vec<GenOffer>,
}

#[derive(Debug, Clone)]
struct GenRow {
    kind: u8,
    mineral: Option<Index>,
    target: Option<Index>,
    bound: u32,
}

#[derive(Debug, Clone)]
struct GenModel {
    features: Features,
    countries: Vec<GenCountry>,
    minerals: Vec<GenMineral>,
    rows: Vec<GenRow>,
}

const CODES: [&str; 5] = ["AUS", "CHN", "COD", "IDN", "USA"];
const NAMES: [&str; 3] = ["cobalt", "gallium", "nickel"];

/// Which rows and columns beyond the linear ones a generated model may have.
#[derive(Debug, Clone, Copy)]
struct Features {
    hhi: bool,
    integers: bool,
}

const LINEAR: Features = Features {
    hhi: false,
    integers: false,
};

/// Row kinds: 0–6 linear (see `render`), 7–8 HHI caps, 9–11 counts.
fn kinds(f: Features) -> Vec<u8> {
    let mut k: Vec<u8> = (0..7).collect();
    if f.hhi {
        k.extend([7, 7, 8, 8]);
    }
    if f.integers {
        k.extend([9, 10, 11]);
    }
    k
}

fn arb_model() -> impl Strategy<Value = GenModel> {
    arb_model_with(LINEAR, 2..=8)
}

fn arb_model_with(
    features: Features,
    offers_per_mineral: std::ops::RangeInclusive<usize>,
) -> impl Strategy<Value = GenModel> {
    let country = (0u32..=20, 0u8..8, 0u32..=6).prop_map(|(risk, groups, tariff)| GenCountry {
        risk,
        groups,
        tariff,
    });
    let offer = (
        any::<Index>(),
        1u32..=60,
        prop::option::weighted(0.6, 5u32..=80),
        0u32..=6,
        prop::option::weighted(0.3, 1u32..=60),
        prop::option::weighted(0.3, 1u32..=400),
    )
        .prop_map(
            |(country, unit_cost, capacity, freight, min_order, fixed_cost)| GenOffer {
                country,
                unit_cost,
                capacity,
                freight,
                min_order,
                fixed_cost,
            },
        );
    let mineral = (
        20u32..=200,
        prop::option::of(40u32..=200),
        prop::collection::vec(offer, offers_per_mineral),
    )
        .prop_map(|(demand, penalty, offers)| GenMineral {
            demand,
            penalty,
            offers,
        });
    let row = (
        prop::sample::select(kinds(features)),
        prop::option::weighted(0.6, any::<Index>()),
        prop::option::weighted(0.8, any::<Index>()),
        0u32..=10,
    )
        .prop_map(|(kind, mineral, target, bound)| GenRow {
            kind,
            mineral,
            target,
            bound,
        });
    (
        prop::collection::vec(country, 2..=5),
        prop::collection::vec(mineral, 1..=3),
        prop::collection::vec(row, 0..=5),
    )
        .prop_map(move |(countries, minerals, rows)| GenModel {
            features,
            countries,
            minerals,
            rows,
        })
}

/// Renders a generated model as the CSV files of SPEC §1. Rows whose target does not
/// exist in the model (a group no country has) are left out.
fn render(g: &GenModel) -> Vec<(&'static str, String)> {
    let nc = g.countries.len();
    let mut countries = String::from("country,risk,groups,tariff\n");
    for (c, gc) in g.countries.iter().enumerate() {
        let groups: Vec<String> = (0..3)
            .filter(|b| gc.groups & (1 << b) != 0)
            .map(|b| format!("G{b}"))
            .collect();
        countries.push_str(&format!(
            "{},{},{},{}\n",
            CODES[c],
            gc.risk as f64 / 20.0,
            groups.join(";"),
            gc.tariff as f64 * 0.05
        ));
    }
    let mut suppliers =
        String::from("supplier,mineral,country,unit_cost,capacity,freight,min_order,fixed_cost\n");
    let int_cell = |v: Option<u32>| {
        v.filter(|_| g.features.integers)
            .map(|v| v.to_string())
            .unwrap_or_default()
    };
    let mut demand = String::from("mineral,quantity,unmet_penalty\n");
    for (m, gm) in g.minerals.iter().enumerate() {
        demand.push_str(&format!(
            "{},{},{}\n",
            NAMES[m],
            gm.demand,
            gm.penalty.map(|p| p.to_string()).unwrap_or_default()
        ));
        for (k, o) in gm.offers.iter().enumerate() {
            suppliers.push_str(&format!(
                "S{k},{},{},{},{},{},{},{}\n",
                NAMES[m],
                CODES[o.country.index(nc)],
                o.unit_cost,
                o.capacity.map(|c| c.to_string()).unwrap_or_default(),
                o.freight as f64 * 0.5,
                int_cell(o.min_order),
                int_cell(o.fixed_cost),
            ));
        }
    }
    let present_groups: Vec<usize> = (0..3)
        .filter(|b| g.countries.iter().any(|c| c.groups & (1 << b) != 0))
        .collect();
    let mut constraints = String::from("constraint,mineral,target,bound\n");
    for r in &g.rows {
        let mineral = r.mineral.map(|i| i.index(g.minerals.len()));
        let mineral_text = mineral.map_or("*".to_string(), |m| NAMES[m].to_string());
        // Suppliers are S0..S{n-1} per mineral; pick among the offers of the row's
        // mineral (or of the first mineral for `*`).
        let n_offers = g.minerals[mineral.unwrap_or(0)].offers.len();
        let b = r.bound as f64;
        let (name, target, bound) = match r.kind {
            0 => (
                "max_country_share",
                r.target
                    .map_or("*".into(), |t| CODES[t.index(nc)].to_string()),
                format!("{}", 0.4 + 0.06 * b),
            ),
            1 => (
                "max_supplier_share",
                r.target
                    .map_or("*".into(), |t| format!("S{}", t.index(n_offers))),
                format!("{}", 0.3 + 0.07 * b),
            ),
            2 | 3 => {
                let Some(t) = r.target else { continue };
                if present_groups.is_empty() {
                    continue;
                }
                let group = format!("G{}", present_groups[t.index(present_groups.len())]);
                if r.kind == 2 {
                    ("min_group_share", group, format!("{}", 0.03 * b))
                } else {
                    ("max_group_share", group, format!("{}", 0.5 + 0.05 * b))
                }
            }
            4 => ("max_avg_risk", String::new(), format!("{}", 0.3 + 0.07 * b)),
            5 => {
                let Some(t) = r.target else { continue };
                (
                    "exclude_country",
                    CODES[t.index(nc)].to_string(),
                    String::new(),
                )
            }
            6 => {
                let Some(t) = r.target else { continue };
                (
                    "exclude_supplier",
                    format!("S{}", t.index(n_offers)),
                    String::new(),
                )
            }
            7 => ("max_hhi", String::new(), format!("{}", 0.3 + 0.07 * b)),
            8 => ("max_risk_hhi", String::new(), format!("{}", 0.1 + 0.05 * b)),
            9 => (
                "min_suppliers",
                String::new(),
                format!("{}", 1 + r.bound % 3),
            ),
            10 => (
                "max_suppliers",
                String::new(),
                format!("{}", 1 + r.bound % 4),
            ),
            _ => (
                "min_countries",
                String::new(),
                format!("{}", 1 + r.bound % 3),
            ),
        };
        constraints.push_str(&format!("{name},{mineral_text},{target},{bound}\n"));
    }
    vec![
        ("countries.csv", countries),
        ("suppliers.csv", suppliers),
        ("demand.csv", demand),
        ("constraints.csv", constraints),
    ]
}

fn build(g: &GenModel) -> (tempfile::TempDir, Model) {
    let files = render(g);
    let refs: Vec<(&str, &str)> = files.iter().map(|(n, t)| (*n, t.as_str())).collect();
    let dir = write_model(&refs);
    let model = match sourcemix::input::load_model(dir.path()) {
        Ok(m) => m,
        Err(e) => panic!("generated model does not load: {e}\n{files:#?}"),
    };
    (dir, model)
}

fn solve_ok(model: &Model, kind: SolverKind) -> Plan {
    let sol = solve_kind(model, kind);
    assert!(
        matches!(sol.status, Status::Optimal | Status::Infeasible),
        "{kind}: status {:?}",
        sol.status
    );
    sol
}

// ---------------------------------------------------------------------------------------
// the monolithic LP of SPEC §2, written independently of src/formulate.rs
// ---------------------------------------------------------------------------------------

/// Optimal cost of all minerals at once, or `None` when infeasible.
fn monolithic_cost(model: &Model) -> Option<f64> {
    let mut vars = ProblemVariables::new();
    let n = model.offers.len();
    // Exclusions fix x_i = 0.
    let mut excluded = vec![false; n];
    for row in &model.policy {
        if !matches!(row.kind.name(), "exclude_country" | "exclude_supplier") {
            continue;
        }
        for (i, o) in model.offers.iter().enumerate() {
            let in_scope = match row.mineral {
                MineralScope::Each => true,
                MineralScope::One(m) => o.mineral == m,
            };
            let hit = match &row.target {
                Target::Country(c) => o.country == *c,
                Target::Supplier(s) => o.supplier == s.name,
                _ => false,
            };
            excluded[i] |= in_scope && hit;
        }
    }
    let x: Vec<Variable> = model
        .offers
        .iter()
        .enumerate()
        .map(|(i, o)| {
            let upper = if excluded[i] { Some(0.0) } else { o.capacity };
            match upper {
                Some(u) => vars.add(variable().min(0.0).max(u)),
                None => vars.add(variable().min(0.0)),
            }
        })
        .collect();
    let u: Vec<Option<Variable>> = model
        .minerals
        .iter()
        .map(|m| {
            m.unmet_penalty
                .map(|_| vars.add(variable().min(0.0).max(m.demand)))
        })
        .collect();
    let mut objective = Expression::from(0.0);
    for (i, &xi) in x.iter().enumerate() {
        objective += landed(model, i) * xi;
    }
    for (m, mineral) in model.minerals.iter().enumerate() {
        if let (Some(p), Some(um)) = (mineral.unmet_penalty, u[m]) {
            objective += p * um;
        }
    }
    let mut problem = vars.minimise(objective.clone()).using(good_lp::microlp);
    for (m, mineral) in model.minerals.iter().enumerate() {
        let d = mineral.demand;
        let offers: Vec<usize> = (0..n).filter(|&i| model.offers[i].mineral == m).collect();
        let mut balance = Expression::from(0.0);
        for &i in &offers {
            balance += x[i];
        }
        if let Some(um) = u[m] {
            balance += um;
        }
        problem.add_constraint(balance.eq(d));
        for row in &model.policy {
            let applies = match row.mineral {
                MineralScope::Each => true,
                MineralScope::One(k) => k == m,
            };
            if !applies {
                continue;
            }
            let b = row.bound;
            // (coefficient per offer) sets, one per expanded target
            let sets: Vec<Vec<(usize, f64)>> = match (row.kind.name(), &row.target) {
                ("max_country_share", Target::Each) => (0..model.countries.len())
                    .map(|c| {
                        offers
                            .iter()
                            .filter(|&&i| model.offers[i].country == c)
                            .map(|&i| (i, 1.0))
                            .collect()
                    })
                    .collect(),
                ("max_country_share", Target::Country(c)) => vec![offers
                    .iter()
                    .filter(|&&i| model.offers[i].country == *c)
                    .map(|&i| (i, 1.0))
                    .collect()],
                ("max_supplier_share", Target::Each) => {
                    offers.iter().map(|&i| vec![(i, 1.0)]).collect()
                }
                ("max_supplier_share", Target::Supplier(s)) => vec![offers
                    .iter()
                    .filter(|&&i| model.offers[i].supplier == s.name)
                    .map(|&i| (i, 1.0))
                    .collect()],
                ("min_group_share" | "max_group_share", Target::Group(g)) => {
                    vec![offers
                        .iter()
                        .filter(|&&i| model.countries[model.offers[i].country].groups.contains(g))
                        .map(|&i| (i, 1.0))
                        .collect()]
                }
                ("max_avg_risk", _) => vec![offers
                    .iter()
                    .map(|&i| (i, model.countries[model.offers[i].country].risk))
                    .collect()],
                ("exclude_country" | "exclude_supplier", _) => continue,
                (kind, target) => panic!("generator made an unexpected row {kind:?} {target:?}"),
            };
            for set in sets {
                let lower = row.kind == policy::MIN_GROUP_SHARE;
                if set.is_empty() {
                    if lower && b > 0.0 {
                        return None; // an empty sum cannot reach a positive minimum
                    }
                    continue;
                }
                let mut e = Expression::from(0.0);
                for (i, a) in set {
                    e += a * x[i];
                }
                if lower {
                    problem.add_constraint(e.geq(b * d));
                } else {
                    problem.add_constraint(e.leq(b * d));
                }
            }
        }
    }
    match problem.solve() {
        Ok(sol) => {
            let mut cost = 0.0;
            for (i, &xi) in x.iter().enumerate() {
                cost += landed(model, i) * sol.value(xi);
            }
            for (m, mineral) in model.minerals.iter().enumerate() {
                if let (Some(p), Some(um)) = (mineral.unmet_penalty, u[m]) {
                    cost += p * sol.value(um);
                }
            }
            Some(cost)
        }
        Err(ResolutionError::Infeasible) => None,
        Err(e) => panic!("monolithic LP failed: {e}"),
    }
}

// ---------------------------------------------------------------------------------------
// a reference optimum per mineral for HHI caps and binaries, independent of src/
// ---------------------------------------------------------------------------------------

/// (offer, coefficient) sets of one linear policy row for mineral `m`, one per expanded
/// target; `None` for rows that are not linear sums (HHI, counts, exclusions).
fn linear_sets(model: &Model, m: usize, p: usize) -> Option<Vec<Vec<(usize, f64)>>> {
    let row = &model.policy[p];
    let offers: Vec<usize> = model.minerals[m].offers.clone().collect();
    let pick = |f: &dyn Fn(usize) -> bool| -> Vec<(usize, f64)> {
        offers
            .iter()
            .copied()
            .filter(|&i| f(i))
            .map(|i| (i, 1.0))
            .collect()
    };
    Some(match (row.kind.name(), &row.target) {
        ("max_country_share", Target::Each) => (0..model.countries.len())
            .map(|c| pick(&|i| model.offers[i].country == c))
            .collect(),
        ("max_country_share", Target::Country(c)) => {
            vec![pick(&|i| model.offers[i].country == *c)]
        }
        ("max_supplier_share", Target::Each) => offers.iter().map(|&i| vec![(i, 1.0)]).collect(),
        ("max_supplier_share", Target::Supplier(s)) => {
            vec![pick(&|i| model.offers[i].supplier == s.name)]
        }
        ("min_group_share" | "max_group_share", Target::Group(g)) => {
            vec![pick(&|i| {
                model.countries[model.offers[i].country].groups.contains(g)
            })]
        }
        ("max_avg_risk", _) => vec![offers
            .iter()
            .map(|&i| (i, model.countries[model.offers[i].country].risk))
            .collect()],
        _ => return None,
    })
}

fn applies(model: &Model, p: usize, m: usize) -> bool {
    match model.policy[p].mineral {
        MineralScope::Each => true,
        MineralScope::One(k) => k == m,
    }
}

fn excluded(model: &Model, m: usize, i: usize) -> bool {
    (0..model.policy.len()).any(|p| {
        let row = &model.policy[p];
        applies(model, p, m)
            && match (row.kind.name(), &row.target) {
                ("exclude_country", Target::Country(c)) => model.offers[i].country == *c,
                ("exclude_supplier", Target::Supplier(s)) => model.offers[i].supplier == s.name,
                _ => false,
            }
    })
}

/// The least landed + penalty cost of mineral `m` with each offer's quantity in
/// `[lower_i, upper_i]` (given), all linear rows, and the HHI caps stated exactly by a
/// cutting-plane loop on t_c ≥ s_c² (every cut is valid, so the result never exceeds the
/// true optimum; the loop runs until the caps hold to 1e-9). `None` when infeasible.
fn mineral_lp(model: &Model, m: usize, lower: &[f64], upper: &[Option<f64>]) -> Option<f64> {
    let mineral = &model.minerals[m];
    let d = mineral.demand;
    let offers: Vec<usize> = mineral.offers.clone().collect();
    let hhi_rows: Vec<(f64, Vec<f64>)> = (0..model.policy.len())
        .filter(|&p| applies(model, p, m))
        .filter_map(|p| {
            let row = &model.policy[p];
            let w: Vec<f64> = match row.kind.name() {
                "max_hhi" => vec![1.0; model.countries.len()],
                "max_risk_hhi" => model.countries.iter().map(|c| c.risk).collect(),
                _ => return None,
            };
            Some((row.bound, w))
        })
        .collect();
    let countries: Vec<usize> = {
        let mut c: Vec<usize> = offers.iter().map(|&i| model.offers[i].country).collect();
        c.sort_unstable();
        c.dedup();
        c
    };
    let mut cuts: Vec<(usize, f64)> = Vec::new(); // (position in `countries`, tangent point)
    if !hhi_rows.is_empty() {
        for k in 0..countries.len() {
            for a in [0.25, 0.5, 0.75, 1.0] {
                cuts.push((k, a));
            }
        }
    }
    let mut worst_seen = f64::NAN;
    for _round in 0..300 {
        let mut vars = ProblemVariables::new();
        let x: Vec<Variable> = offers
            .iter()
            .enumerate()
            .map(|(k, _)| match upper[k] {
                Some(u) => vars.add(variable().min(lower[k]).max(u)),
                None => vars.add(variable().min(lower[k])),
            })
            .collect();
        let u = mineral
            .unmet_penalty
            .map(|_| vars.add(variable().min(0.0).max(d)));
        let t: Vec<Variable> = if hhi_rows.is_empty() {
            Vec::new()
        } else {
            countries
                .iter()
                .map(|_| vars.add(variable().min(0.0)))
                .collect()
        };
        let mut objective = Expression::from(0.0);
        for (k, &i) in offers.iter().enumerate() {
            objective += landed(model, i) * x[k];
        }
        if let (Some(p), Some(u)) = (mineral.unmet_penalty, u) {
            objective += p * u;
        }
        let mut problem = vars.minimise(objective).using(good_lp::microlp);
        let mut balance = Expression::from(0.0);
        for v in &x {
            balance += *v;
        }
        if let Some(u) = u {
            balance += u;
        }
        problem.add_constraint(balance.eq(d));
        for p in 0..model.policy.len() {
            if !applies(model, p, m) {
                continue;
            }
            let Some(sets) = linear_sets(model, m, p) else {
                continue;
            };
            let lower_row = model.policy[p].kind == policy::MIN_GROUP_SHARE;
            let b = model.policy[p].bound;
            for set in sets {
                if set.is_empty() {
                    if lower_row && b > 0.0 {
                        return None;
                    }
                    continue;
                }
                let mut e = Expression::from(0.0);
                for (i, a) in set {
                    e += a * x[i - mineral.offers.start];
                }
                problem.add_constraint(if lower_row {
                    e.geq(b * d)
                } else {
                    e.leq(b * d)
                });
            }
        }
        // share of country k: s_k = Σ x / d
        let share = |k: usize| {
            let mut e = Expression::from(0.0);
            for (j, &i) in offers.iter().enumerate() {
                if model.offers[i].country == countries[k] {
                    e += x[j] / d;
                }
            }
            e
        };
        for (b, w) in &hhi_rows {
            let mut e = Expression::from(0.0);
            for (k, &c) in countries.iter().enumerate() {
                e += w[c] * t[k];
            }
            problem.add_constraint(e.leq(*b));
        }
        for &(k, a) in &cuts {
            // t_k ≥ 2a·s_k − a²
            problem.add_constraint((t[k] - 2.0 * a * share(k)).geq(-a * a));
        }
        let sol = match problem.solve() {
            Ok(sol) => sol,
            Err(ResolutionError::Infeasible) => return None,
            Err(e) => panic!("reference LP failed: {e}"),
        };
        let mut cost: f64 = offers
            .iter()
            .enumerate()
            .map(|(k, &i)| landed(model, i) * sol.value(x[k]))
            .sum();
        if let (Some(p), Some(u)) = (mineral.unmet_penalty, u) {
            cost += p * sol.value(u);
        }
        let s: Vec<f64> = (0..countries.len())
            .map(|k| {
                offers
                    .iter()
                    .enumerate()
                    .filter(|(_, &i)| model.offers[i].country == countries[k])
                    .map(|(j, _)| sol.value(x[j]) / d)
                    .sum()
            })
            .collect();
        let worst = hhi_rows
            .iter()
            .map(|(b, w)| {
                countries
                    .iter()
                    .enumerate()
                    .map(|(k, &c)| w[c] * s[k] * s[k])
                    .sum::<f64>()
                    - b
            })
            .fold(f64::NEG_INFINITY, f64::max);
        worst_seen = worst;
        if hhi_rows.is_empty() || worst <= 1e-9 {
            return Some(cost);
        }
        let before = cuts.len();
        for k in 0..countries.len() {
            if s[k] * s[k] - sol.value(t[k]) > 1e-12 {
                cuts.push((k, s[k]));
            }
        }
        if cuts.len() == before {
            return Some(cost);
        }
    }
    panic!("reference cutting planes did not converge: caps off by {worst_seen}")
}

/// Offers (local indices) of mineral `m` with a binary under SPEC §2.
fn binary_offers(model: &Model, m: usize) -> Vec<usize> {
    model.minerals[m]
        .offers
        .clone()
        .enumerate()
        .filter(|&(_, i)| has_binary(model, i))
        .map(|(k, _)| k)
        .collect()
}

/// The optimum of mineral `m` by enumerating every set of used offers among those with
/// a binary: a used offer supplies at least max(min_order, 1e-6·D) and pays its fixed
/// cost, an unused one supplies nothing; count rows are checked on the set.
fn reference_mineral_cost(model: &Model, m: usize) -> Option<f64> {
    let mineral = &model.minerals[m];
    let d = mineral.demand;
    let offers: Vec<usize> = mineral.offers.clone().collect();
    let bins = binary_offers(model, m);
    assert!(bins.len() <= 10, "too many binaries to enumerate");
    let mut best: Option<f64> = None;
    for mask in 0u32..(1 << bins.len()) {
        let used = |k: usize| {
            bins.iter()
                .position(|&b| b == k)
                .map(|j| mask & (1 << j) != 0)
        };
        let mut lower = vec![0.0; offers.len()];
        let mut upper: Vec<Option<f64>> = vec![None; offers.len()];
        let mut fixed = 0.0;
        let mut used_offers = Vec::new();
        let mut possible = true;
        for (k, &i) in offers.iter().enumerate() {
            let o = &model.offers[i];
            upper[k] = if excluded(model, m, i) {
                Some(0.0)
            } else {
                o.capacity
            };
            match used(k) {
                Some(true) => {
                    lower[k] = o.min_order.max(1e-6 * d);
                    fixed += o.fixed_cost;
                    used_offers.push(i);
                    if upper[k].is_some_and(|u| u < lower[k]) {
                        possible = false;
                    }
                }
                Some(false) => upper[k] = Some(0.0),
                None => {}
            }
        }
        if !possible {
            continue;
        }
        let n_used = used_offers.len() as f64;
        let n_countries = {
            let mut c: Vec<usize> = used_offers
                .iter()
                .map(|&i| model.offers[i].country)
                .collect();
            c.sort_unstable();
            c.dedup();
            c.len() as f64
        };
        let counts_ok = (0..model.policy.len())
            .filter(|&p| applies(model, p, m))
            .all(|p| {
                let b = model.policy[p].bound;
                match model.policy[p].kind.name() {
                    "min_suppliers" => n_used >= b,
                    "max_suppliers" => n_used <= b,
                    "min_countries" => n_countries >= b,
                    _ => true,
                }
            });
        if !counts_ok {
            continue;
        }
        if let Some(c) = mineral_lp(model, m, &lower, &upper) {
            let c = c + fixed;
            if best.is_none_or(|b| c < b) {
                best = Some(c);
            }
        }
    }
    best
}

/// Reference optimum of the whole model (`None` when some mineral is infeasible).
fn reference_cost(model: &Model) -> Option<f64> {
    (0..model.minerals.len())
        .map(|m| reference_mineral_cost(model, m))
        .sum()
}

// ---------------------------------------------------------------------------------------
// properties
// ---------------------------------------------------------------------------------------

fn config() -> ProptestConfig {
    ProptestConfig {
        // 64 by default; PROPTEST_CASES=N runs a longer hunt.
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(64),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    /// (a) Every optimal plan, from every backend, passes the independent checker and
    /// its reported cost is the SPEC cost of its plan.
    #[test]
    fn optimal_plans_pass_the_independent_checker(g in arb_model()) {
        let (_dir, model) = build(&g);
        for kind in SolverKind::all() {
            let sol = solve_ok(&model, kind);
            if sol.status == Status::Optimal {
                if let Err(e) = check_solution(&model, &sol) {
                    return Err(TestCaseError::fail(format!("{kind}: {e}\n{:#?}", render(&g))));
                }
            }
        }
    }

    /// (b) Tightening one row (max_ bound × 0.9, min_ bound × 1.1 capped at 1) never
    /// lowers the optimal cost; it may make the model infeasible.
    #[test]
    fn tightening_a_row_never_lowers_the_cost(g in arb_model()) {
        let (_dir, model) = build(&g);
        let base = solve_ok(&model, SolverKind::Clarabel);
        prop_assume!(base.status == Status::Optimal);
        for (p, row) in model.policy.iter().enumerate() {
            if row.kind.is_exclusion() {
                continue;
            }
            let mut tight = model.clone();
            tight.policy[p].bound = if row.kind.is_lower_bound() {
                (row.bound * 1.1).min(1.0)
            } else {
                row.bound * 0.9
            };
            let sol = solve_ok(&tight, SolverKind::Clarabel);
            if sol.status == Status::Optimal {
                let tol = REL * base.cost().abs().max(1.0);
                prop_assert!(
                    sol.cost() >= base.cost() - tol,
                    "tightening constraints.csv line {} ({} {} → {}) lowered the cost {} → {}",
                    row.line, row.kind.name(), row.bound, tight.policy[p].bound,
                    base.cost(), sol.cost()
                );
            }
        }
    }

    /// (c) The sum of per-mineral optima equals the optimum of one LP of all minerals.
    #[test]
    fn decomposition_matches_monolithic_lp(g in arb_model()) {
        let (_dir, model) = build(&g);
        let sol = solve_ok(&model, SolverKind::Clarabel);
        let mono = monolithic_cost(&model);
        match (sol.status.clone(), mono) {
            (Status::Optimal, Some(c)) => prop_assert!(
                rel_eq(sol.cost(), c, REL),
                "per-mineral cost {} vs monolithic {c}\n{:#?}", sol.cost(), render(&g)
            ),
            (Status::Infeasible, None) => {}
            (s, m) => prop_assert!(false, "sourcemix {s:?} vs monolithic {m:?}\n{:#?}", render(&g)),
        }
    }

    /// (d) Every backend finds the same status and optimal cost.
    #[test]
    fn backends_agree(g in arb_model()) {
        let (_dir, model) = build(&g);
        let reference = solve_ok(&model, SolverKind::Clarabel);
        for kind in SolverKind::all() {
            let sol = solve_ok(&model, kind);
            prop_assert_eq!(&sol.status, &reference.status, "{} vs clarabel", kind);
            if sol.status == Status::Optimal {
                prop_assert!(
                    rel_eq(sol.cost(), reference.cost(), REL),
                    "{kind} cost {} vs clarabel {}\n{:#?}", sol.cost(), reference.cost(), render(&g)
                );
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: config().cases / 2, ..config() })]

    /// (e) With HHI caps: every backend's plan passes the checker (caps to 1e-7) and
    /// costs within 1e-6 of the convex optimum computed independently.
    #[test]
    fn hhi_caps_reach_the_convex_optimum(
        g in arb_model_with(Features { hhi: true, integers: false }, 2..=6)
    ) {
        let (_dir, model) = build(&g);
        let reference = reference_cost(&model);
        for kind in SolverKind::all() {
            let sol = solve_ok(&model, kind);
            match (&sol.status, reference) {
                (Status::Optimal, Some(c)) => {
                    if let Err(e) = check_solution(&model, &sol) {
                        return Err(TestCaseError::fail(format!("{kind}: {e}\n{:#?}", render(&g))));
                    }
                    prop_assert!(
                        rel_eq(sol.cost(), c, REL),
                        "{kind}: cost {} vs convex optimum {c}\n{:#?}", sol.cost(), render(&g)
                    );
                }
                (Status::Infeasible, None) => {}
                (s, r) => prop_assert!(false, "{kind}: {s:?} vs reference {r:?}\n{:#?}", render(&g)),
            }
        }
    }

    /// (f) With min_order, fixed_cost and count rows: every integer-capable backend's
    /// plan passes the checker and its cost equals the enumerated optimum.
    #[test]
    fn integer_rows_reach_the_enumerated_optimum(
        g in arb_model_with(Features { hhi: false, integers: true }, 2..=5)
    ) {
        let (_dir, model) = build(&g);
        let reference = reference_cost(&model);
        for kind in integer_solvers() {
            let sol = solve_ok(&model, kind);
            match (&sol.status, reference) {
                (Status::Optimal, Some(c)) => {
                    if let Err(e) = check_solution(&model, &sol) {
                        return Err(TestCaseError::fail(format!("{kind}: {e}\n{:#?}", render(&g))));
                    }
                    prop_assert!(
                        rel_eq(sol.cost(), c, REL),
                        "{kind}: cost {} vs enumerated optimum {c}\n{:#?}", sol.cost(), render(&g)
                    );
                }
                (Status::Infeasible, None) => {}
                (s, r) => prop_assert!(false, "{kind}: {s:?} vs reference {r:?}\n{:#?}", render(&g)),
            }
        }
    }
}

proptest! {
    #![proptest_config(config())]

    /// (g) The optimal cost is convex in each row's bound and the duals are a
    /// subgradient, so Σ shadow prices of a row's instances (a `*` row moves them all)
    /// lies between the left and right secant slopes at ±1e-4.
    #[test]
    fn shadow_prices_lie_between_finite_difference_slopes(g in arb_model()) {
        let (_dir, model) = build(&g);
        let base = solve_ok(&model, SolverKind::Clarabel);
        prop_assume!(base.status == Status::Optimal);
        let h = 1e-4;
        for (p, row) in model.policy.iter().enumerate() {
            if row.kind.is_exclusion() {
                continue;
            }
            let mut sum = 0.0;
            for ms in &base.minerals {
                for r in ms.rows.iter().filter(|r| r.instance.policy == p) {
                    let sp = r.shadow_price.ok_or_else(|| {
                        TestCaseError::fail(format!("no shadow price for line {}", row.line))
                    })?;
                    if row.kind.is_lower_bound() {
                        prop_assert!(sp >= 0.0, "min_ row line {} has shadow price {sp}", row.line);
                    } else {
                        prop_assert!(sp <= 0.0, "max_ row line {} has shadow price {sp}", row.line);
                    }
                    sum += sp;
                }
            }
            let cost_at = |b: f64| -> Option<f64> {
                let mut m = model.clone();
                m.policy[p].bound = b;
                let sol = solve_ok(&m, SolverKind::Clarabel);
                (sol.status == Status::Optimal).then(|| sol.cost())
            };
            let c0 = base.cost();
            let right = cost_at(row.bound + h).map(|c| (c - c0) / h);
            let left = if row.bound - h >= 0.0 {
                cost_at(row.bound - h).map(|c| (c0 - c) / h)
            } else {
                None
            };
            let scale = sum.abs().max(left.unwrap_or(0.0).abs()).max(right.unwrap_or(0.0).abs());
            let tol = 1e-6 * scale + 1e-9 * c0.abs().max(1.0) / h;
            if let Some(l) = left {
                prop_assert!(
                    sum >= l - tol,
                    "line {} ({} {}): Σ shadow price {sum} below the left slope {l}\n{:#?}",
                    row.line, row.kind.name(), row.bound, render(&g)
                );
            }
            if let Some(r) = right {
                prop_assert!(
                    sum <= r + tol,
                    "line {} ({} {}): Σ shadow price {sum} above the right slope {r}\n{:#?}",
                    row.line, row.kind.name(), row.bound, render(&g)
                );
            }
        }
    }
}

/// The generators make mostly feasible models with active policy: a guard that the
/// properties above are not vacuous.
#[test]
fn generators_make_feasible_models_with_policy() {
    use proptest::strategy::{BoxedStrategy, ValueTree};
    use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
    let generators: Vec<(&str, BoxedStrategy<GenModel>, Features)> = vec![
        ("linear", arb_model().boxed(), LINEAR),
        (
            "hhi",
            arb_model_with(
                Features {
                    hhi: true,
                    integers: false,
                },
                2..=6,
            )
            .boxed(),
            Features {
                hhi: true,
                integers: false,
            },
        ),
        (
            "integers",
            arb_model_with(
                Features {
                    hhi: false,
                    integers: true,
                },
                2..=5,
            )
            .boxed(),
            Features {
                hhi: false,
                integers: true,
            },
        ),
    ];
    for (name, strategy, features) in generators {
        let mut runner = TestRunner::new_with_rng(
            Config::default(),
            TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]),
        );
        let (mut optimal, mut infeasible, mut with_rows, mut special) = (0, 0, 0, 0);
        for _ in 0..64 {
            let g = strategy.new_tree(&mut runner).unwrap().current();
            let (_dir, model) = build(&g);
            let sol = try_solve(&model, SolverChoice::Auto).expect("auto solves");
            match sol.status {
                Status::Optimal => optimal += 1,
                _ => infeasible += 1,
            }
            if !model.policy.is_empty() {
                with_rows += 1;
            }
            let has_special = if features.hhi {
                model.policy.iter().any(|r| r.kind.is_quadratic())
            } else if features.integers {
                (0..model.offers.len()).any(|i| has_binary(&model, i))
            } else {
                true
            };
            if has_special && sol.status == Status::Optimal {
                special += 1;
            }
        }
        eprintln!("{name}: {optimal} optimal, {infeasible} not, {with_rows} with rows, {special} feasible using the feature");
        assert!(
            optimal >= 32,
            "{name}: only {optimal} of 64 generated models are feasible"
        );
        assert!(
            infeasible >= 1,
            "{name}: no infeasible model; the policy is never stressed"
        );
        assert!(
            with_rows >= 40,
            "{name}: only {with_rows} of 64 models have policy rows"
        );
        assert!(
            special >= 16,
            "{name}: only {special} of 64 feasible models use the feature"
        );
    }
}

/// With `--features highs`, HiGHS is one of the backends every property above loops over.
#[cfg(feature = "highs")]
#[test]
fn highs_is_among_the_backends() {
    assert!(SolverKind::all().contains(&SolverKind::Highs));
}
