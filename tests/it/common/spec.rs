//! The independent plan checker of SPEC §1–2 and the tests' random generator, written
//! from the specification with only the public fields of `Model`: they do not call
//! `verify`, `rows` or `formulate`, so a bug there cannot hide itself. Shared by the
//! integration tests (`common`) and the library's unit tests (`crate::spec`, with the
//! crate named `sourcemix` in its own tests), as is the random ranging model both kinds of
//! ranging test draw (`ranging_model_files`).
#![allow(dead_code)]

use std::collections::BTreeSet;

use sourcemix::model::{MineralScope, Model, Target};
use sourcemix::policy;
use sourcemix::policy::Kind;

/// Feasibility tolerance of the checker, as a fraction of the mineral's demand (SPEC §2).
pub const FEAS_TOL: f64 = 1e-7;

/// Landed unit cost of offer `i`, recomputed from SPEC §2:
/// unit_cost · (1 + tariff of its country) + freight.
pub fn landed(model: &Model, i: usize) -> f64 {
    let o = &model.offers[i];
    o.unit_cost * (1.0 + model.countries[o.country].tariff) + o.freight
}

/// The objective of SPEC §2 for a plan: landed purchases, fixed costs of used offers,
/// unmet penalties. `quantities[m]` lists the mineral's offers in model order.
pub fn plan_cost(model: &Model, quantities: &[Vec<f64>], unmet: &[f64]) -> f64 {
    let mut total = 0.0;
    for (m, mineral) in model.minerals.iter().enumerate() {
        for (k, i) in mineral.offers.clone().enumerate() {
            let x = quantities[m][k];
            total += landed(model, i) * x;
            if x > 0.0 {
                total += model.offers[i].fixed_cost;
            }
        }
        total += mineral.unmet_penalty.unwrap_or(0.0) * unmet[m];
    }
    total
}

/// The offers (global indices) of mineral `m` a policy target covers, per SPEC §1.
/// Returns one set per expanded target (several for `*`).
fn target_sets(model: &Model, m: usize, kind: Kind, target: &Target) -> Vec<Vec<usize>> {
    let offers: Vec<usize> = model.minerals[m].offers.clone().collect();
    match target {
        Target::None | Target::Top(_) => vec![offers],
        Target::Each => match kind.name() {
            "max_country_share" => (0..model.countries.len())
                .map(|c| {
                    offers
                        .iter()
                        .copied()
                        .filter(|&i| model.offers[i].country == c)
                        .collect()
                })
                .collect(),
            _ => {
                let ids: BTreeSet<&str> = offers
                    .iter()
                    .map(|&i| model.offers[i].supplier.as_str())
                    .collect();
                ids.into_iter()
                    .map(|s| {
                        offers
                            .iter()
                            .copied()
                            .filter(|&i| model.offers[i].supplier == s)
                            .collect()
                    })
                    .collect()
            }
        },
        Target::Country(c) => vec![offers
            .iter()
            .copied()
            .filter(|&i| model.offers[i].country == *c)
            .collect()],
        Target::Supplier(s) => vec![offers
            .iter()
            .copied()
            .filter(|&i| model.offers[i].supplier == s.name)
            .collect()],
        Target::Group(g) => vec![offers
            .iter()
            .copied()
            .filter(|&i| model.countries[model.offers[i].country].groups.contains(g))
            .collect()],
    }
}

/// True when offer `i` carries a binary "used" variable under SPEC §2: it has a
/// min_order or fixed_cost, or a supplier/country count row applies to its mineral.
pub fn has_binary(model: &Model, i: usize) -> bool {
    let o = &model.offers[i];
    o.min_order > 0.0
        || o.fixed_cost > 0.0
        || model.policy.iter().any(|r| {
            matches!(
                r.kind.name(),
                "min_suppliers" | "max_suppliers" | "min_countries"
            ) && match r.mineral {
                MineralScope::Each => true,
                MineralScope::One(k) => k == o.mineral,
            }
        })
}

/// Checks a plan against SPEC §1–2: non-negative finite quantities, capacities,
/// exclusions, demand balance, unmet only with a penalty, min_order, and every policy
/// row (shares, groups, average risk, HHI, counts), each to within 1e-7 · D_m.
pub fn check_plan(model: &Model, quantities: &[Vec<f64>], unmet: &[f64]) -> Result<(), String> {
    check_stocked_plan(model, quantities, unmet, &vec![0.0; model.minerals.len()])
}

/// [`check_plan`] for a plan that also buys `built[m]` above demand for mineral m's stock
/// (README "Stock"): purchases + unmet = demand + built, built within the stock's room.
pub fn check_stocked_plan(
    model: &Model,
    quantities: &[Vec<f64>],
    unmet: &[f64],
    built: &[f64],
) -> Result<(), String> {
    if quantities.len() != model.minerals.len() || unmet.len() != model.minerals.len() {
        return Err("plan does not have one entry per mineral".into());
    }
    for (m, mineral) in model.minerals.iter().enumerate() {
        let d = mineral.demand;
        let tol = FEAS_TOL * d;
        let q = &quantities[m];
        let first = mineral.offers.start;
        if q.len() != mineral.offers.len() {
            return Err(format!(
                "{}: {} quantities for {} offers",
                mineral.name,
                q.len(),
                mineral.offers.len()
            ));
        }
        let x = |i: usize| q[i - first];
        for i in mineral.offers.clone() {
            let o = &model.offers[i];
            let v = x(i);
            if !v.is_finite() || v < 0.0 {
                return Err(format!("{}: {} gets {v}", mineral.name, o.supplier));
            }
            if let Some(cap) = o.capacity {
                if v > cap + tol {
                    return Err(format!(
                        "{}: {} gets {v} > capacity {cap}",
                        mineral.name, o.supplier
                    ));
                }
            }
            // SPEC §2: an offer with a binary (min_order, fixed_cost, or a count row on
            // its mineral), when used, supplies at least max(min_order, 1e-6·D).
            if has_binary(model, i) && v > 0.0 && v < o.min_order.max(1e-6 * d) - tol {
                return Err(format!(
                    "{}: {} gets {v} > 0 but below its least used quantity max(min_order {}, 1e-6·D)",
                    mineral.name, o.supplier, o.min_order
                ));
            }
        }
        let u = unmet[m];
        if !u.is_finite() || u < 0.0 || u > d + tol {
            return Err(format!("{}: unmet {u}", mineral.name));
        }
        if mineral.unmet_penalty.is_none() && u > tol {
            return Err(format!(
                "{}: unmet {u} without an unmet_penalty",
                mineral.name
            ));
        }
        let b = built[m];
        let b_built = b;
        let room = match mineral.stock {
            Some(st) => st.cap.map_or(d, |c| c - st.on_hand),
            None => 0.0,
        };
        if b < 0.0 || b > room + tol {
            return Err(format!("{}: stock built {b}, room {room}", mineral.name));
        }
        let total: f64 = q.iter().sum::<f64>() + u - b;
        if (total - d).abs() > tol {
            return Err(format!(
                "{}: purchases + unmet = {total}, demand {d}",
                mineral.name
            ));
        }
        for row in &model.policy {
            let applies = match row.mineral {
                MineralScope::Each => true,
                MineralScope::One(k) => k == m,
            };
            if !applies {
                continue;
            }
            let at = format!(
                "{}: constraints.csv:{} {}",
                mineral.name,
                row.line,
                row.kind.name()
            );
            let b = row.bound;
            match row.kind.name() {
                "max_country_share" | "max_supplier_share" | "max_group_share"
                | "min_group_share" => {
                    for set in target_sets(model, m, row.kind, &row.target) {
                        let s: f64 = set.iter().map(|&i| x(i)).sum();
                        let ok = if row.kind == policy::MIN_GROUP_SHARE {
                            s >= b * d - tol
                        } else {
                            s <= b * d + tol
                        };
                        if !ok {
                            return Err(format!("{at}: sum {s} vs bound {b}·{d}"));
                        }
                    }
                }
                "exclude_country" | "exclude_supplier" => {
                    for set in target_sets(model, m, row.kind, &row.target) {
                        for i in set {
                            if x(i) != 0.0 {
                                return Err(format!(
                                    "{at}: excluded {} gets {}",
                                    model.offers[i].supplier,
                                    x(i)
                                ));
                            }
                        }
                    }
                }
                "max_avg_risk" => {
                    let s: f64 = mineral
                        .offers
                        .clone()
                        .map(|i| model.countries[model.offers[i].country].risk * x(i))
                        .sum();
                    if s > b * d + tol {
                        return Err(format!("{at}: Σ risk·x = {s} > {b}·{d}"));
                    }
                }
                "max_hhi" | "max_risk_hhi" => {
                    let mut by_country = vec![0.0; model.countries.len()];
                    for i in mineral.offers.clone() {
                        by_country[model.offers[i].country] += x(i);
                    }
                    let v: f64 = by_country
                        .iter()
                        .enumerate()
                        .map(|(c, qc)| {
                            let w = if row.kind == policy::MAX_HHI {
                                1.0
                            } else {
                                model.countries[c].risk
                            };
                            w * (qc / d).powi(2)
                        })
                        .sum();
                    if v > b + FEAS_TOL {
                        return Err(format!("{at}: index {v} > {b}"));
                    }
                }
                "min_suppliers" | "max_suppliers" => {
                    let used = mineral.offers.clone().filter(|&i| x(i) > 0.0).count() as f64;
                    let ok = if row.kind == policy::MIN_SUPPLIERS {
                        used >= b
                    } else {
                        used <= b
                    };
                    if !ok {
                        return Err(format!("{at}: {used} offers used, bound {b}"));
                    }
                }
                "min_countries" => {
                    let used: BTreeSet<usize> = mineral
                        .offers
                        .clone()
                        .filter(|&i| x(i) > 0.0)
                        .map(|i| model.offers[i].country)
                        .collect();
                    if (used.len() as f64) < b {
                        return Err(format!("{at}: {} countries used, bound {b}", used.len()));
                    }
                }
                "min_stock_days" => {
                    // README "Stock": the stock held after the plan, S0 + b, covers the
                    // bound in days of demand (365 a year).
                    let held = mineral.stock.map_or(0.0, |st| st.on_hand) + b_built;
                    if held < b / 365.0 * d - tol {
                        return Err(format!("{at}: stock held {held} < {b} days of {d}"));
                    }
                }
                "max_top_share" => {
                    let Target::Top(k) = row.target else {
                        return Err(format!("{at}: target {:?}", row.target));
                    };
                    let mut by_country = vec![0.0; model.countries.len()];
                    for i in mineral.offers.clone() {
                        by_country[model.offers[i].country] += x(i);
                    }
                    by_country.sort_by(|a, b| b.total_cmp(a));
                    let top: f64 = by_country.iter().take(k).sum();
                    if top > b * d + tol {
                        return Err(format!(
                            "{at}: the {k} largest countries have {top} > {b}·{d}"
                        ));
                    }
                }
                other => return Err(format!("{at}: the checker has no rule {other}")),
            }
        }
    }
    Ok(())
}

/// A small seeded generator for random test models (SplitMix64), independent of the
/// library's own random numbers.
pub struct TestRng(u64);

impl TestRng {
    /// A generator for `seed`.
    pub fn new(seed: u64) -> Self {
        TestRng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in 0..n (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
}

/// A number in [lo, hi) from `rng`.
pub fn range(rng: &mut TestRng, lo: f64, hi: f64) -> f64 {
    lo + (hi - lo) * (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64
}

/// The countries of [`ranging_model_files`].
pub const RANGING_COUNTRIES: [&str; 4] = ["AUS", "CAN", "CHN", "RUS"];

/// The files of a random ranging model: one mineral, 5–8 offers with random costs and
/// capacities over four countries with random risks, one row per rule (each naming one
/// target, so changing a row's bound changes one LP row): two country caps, an
/// allied-group minimum, a risk budget and one supplier cap (stated as a variable bound).
/// Shared by ranging's unit tests (HiGHS's own ranging) and integration tests.
pub fn ranging_model_files(seed: u64) -> [(&'static str, String); 4] {
    let mut rng = TestRng::new(seed);
    let mut countries = String::from("country,risk,groups\n");
    for (k, c) in RANGING_COUNTRIES.iter().enumerate() {
        let g = if k % 2 == 0 { "ALLY" } else { "" };
        // AUS (allied, low risk) backs every model up, so each one is feasible.
        let risk = if *c == "AUS" {
            0.05
        } else {
            range(&mut rng, 0.05, 0.95)
        };
        countries.push_str(&format!("{c},{risk:.4},{g}\n"));
    }
    let d = 100.0;
    let n = 5 + rng.below(4) as usize;
    let mut suppliers = String::from("supplier,mineral,country,unit_cost,capacity\n");
    for i in 0..n {
        let c = RANGING_COUNTRIES[i % RANGING_COUNTRIES.len()];
        suppliers.push_str(&format!(
            "s{i},ga,{c},{:.4},{:.3}\n",
            range(&mut rng, 10.0, 40.0),
            range(&mut rng, 15.0, 45.0)
        ));
    }
    suppliers.push_str(&format!(
        "backup,ga,AUS,{:.4},\n",
        range(&mut rng, 50.0, 70.0)
    ));
    let constraints = format!(
        "constraint,mineral,target,bound\nmax_country_share,ga,CHN,{:.4}\nmax_country_share,ga,RUS,{:.4}\nmin_group_share,ga,ALLY,{:.4}\nmax_avg_risk,ga,,{:.4}\nmax_supplier_share,ga,s1,{:.4}\n",
        range(&mut rng, 0.15, 0.35),
        range(&mut rng, 0.15, 0.35),
        range(&mut rng, 0.3, 0.6),
        range(&mut rng, 0.3, 0.5),
        range(&mut rng, 0.05, 0.2),
    );
    [
        ("countries.csv", countries),
        ("suppliers.csv", suppliers),
        ("demand.csv", format!("mineral,quantity\nga,{d}\n")),
        ("constraints.csv", constraints),
    ]
}
