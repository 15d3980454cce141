//! The second stage: what a plan costs in one scenario, with its subgradient.
//!
//! This is the greedy spot fill of [`crate::analysis::stress`] (SPEC §3), organised for many
//! evaluations. Offers of a mineral are grouped into *classes* that every shock treats
//! alike (same mineral and country, and not singled out by a supplier-level shock), so a
//! scenario is a capacity factor a_c and a price factor f_c per class, and a plan enters
//! through per-class totals.
//!
//! # The recourse LP and its dual
//!
//! For mineral m in scenario s, with contracts x_i, X = Σ_i x_i the contracted total,
//! δ_i = min(a_i, 1) the delivered share and spot price c_i = l_i · f_i · (1 + P) for
//! each offer the policy does not exclude, with a_i > 0 and c_i below the unmet penalty
//! p: the planned shortfall D − X is unmet in every scenario (the first-stage term
//! p (D − X)), and the spot market only replaces the lost deliveries X − Σ_i δ_i x_i:
//!
//! Q(x) = min Σ_i c_i y_i + p v  s.t.  Σ_i y_i + v ≥ X − Σ_i δ_i x_i,
//! 0 ≤ y_i ≤ a_i cap_i − δ_i x_i, v ≥ 0.
//!
//! Its dual is max π (X − Σ δ_i x_i) − Σ_i ρ_i (a_i cap_i − δ_i x_i) over 0 ≤ π ≤ p,
//! ρ_i ≥ max(0, π − c_i) (ρ_i = 0 where the room is unlimited, which needs π ≤ c_i).
//! The greedy fill (cheapest first) is optimal, and its marginal price π — the price of
//! the last offer it buys from, p when something is left unmet, 0 when nothing is lost —
//! with ρ_i = max(0, π − c_i) is an optimal dual solution: feasible, and ρ_i > 0 only
//! for offers cheaper than the marginal one, which the greedy fills to their room. As
//! Q is the maximum of its dual over a polytope, the dual at x̂ gives a supporting plane:
//!
//! ∂Q/∂x_i = π (1 − δ_i) + ρ_i δ_i,  and with the contract cost Σ δ_i l_i x_i and the
//! planned shortfall's p (D − X),
//! ∂L/∂x_i = δ_i (l_i − π + ρ_i) + π − p (the ρ term only for finite capacities).
//!
//! For a fixed π, the plane is h(π, x) = π Σ_c (1 − δ_c) X_c
//! − Σ_c Σ_{i ∈ c, c_i < π} (π − c_i)(a_c cap_i − δ_c x_i), X_c the class total; within
//! a class the offers with c_i < π are a prefix of the class sorted by landed cost, so the
//! plane needs only per-class prefix sums of x and of l·x (see
//! [`super::decomposition::Cut`]).

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use crate::analysis::stage_shocks::{any_at_stage, StageCuts};
use crate::analysis::stress::delivery_factor;
use crate::model::name::Name;
use crate::model::stages::NO_CHAIN;
use crate::model::{Model, Scenario};

/// Offers of one mineral that every shock of every scenario treats alike.
#[derive(Debug, Clone, PartialEq)]
pub struct Class {
    /// Index into `Model::minerals`.
    pub mineral: usize,
    /// Index into `Model::countries`.
    pub country: usize,
    /// The supplier, for an offer singled out by a supplier-level shock.
    pub supplier: Option<Name>,
    /// Offers (indices into `Model::offers`), by landed cost then index.
    pub offers: Vec<usize>,
    /// Prefix sums over `offers` of the capacity (entry k: the first k offers; an
    /// unlimited offer adds infinity).
    pub cap_prefix: Vec<f64>,
    /// Prefix sums of landed cost × capacity.
    pub lcap_prefix: Vec<f64>,
}

/// The classes of a model, grouped by mineral.
#[derive(Debug, Clone, PartialEq)]
pub struct Classes {
    /// All classes, mineral by mineral.
    pub classes: Vec<Class>,
    /// The classes of each mineral: `classes[by_mineral[m]]`.
    pub by_mineral: Vec<std::ops::Range<usize>>,
    /// Per mineral, all its offers in classes, by landed cost then index.
    pub sorted: Vec<Vec<usize>>,
}

impl Classes {
    /// Groups the offers of `model` that are not excluded into classes for `scenarios`.
    /// When a scenario names a stage, offers with different chains fall in different
    /// classes, so that each class passes through the same countries at every stage.
    pub fn new(model: &Model, scenarios: &[Scenario], excluded: &[bool]) -> Classes {
        let staged = any_at_stage(scenarios.iter().flat_map(|s| &s.shocks));
        let named: std::collections::BTreeSet<&str> = scenarios
            .iter()
            .flat_map(|s| &s.shocks)
            .filter_map(|sh| sh.supplier.as_ref().map(|s| s.name.as_str()))
            .collect();
        let mut classes = Vec::new();
        let mut by_mineral = Vec::with_capacity(model.minerals.len());
        for (m, mineral) in model.minerals.iter().enumerate() {
            let start = classes.len();
            let mut groups: std::collections::BTreeMap<(usize, u32, Option<Name>), Vec<usize>> =
                Default::default();
            for i in mineral.offers.clone() {
                if excluded[i] {
                    continue;
                }
                let o = &model.offers[i];
                let single = named
                    .contains(o.supplier.as_str())
                    .then(|| o.supplier.clone());
                let chain = if staged {
                    model.stages.chain_id(o)
                } else {
                    NO_CHAIN
                };
                groups
                    .entry((o.country, chain, single))
                    .or_default()
                    .push(i);
            }
            for ((country, _, supplier), mut offers) in groups {
                offers.sort_by(|&a, &b| {
                    model.offers[a]
                        .landed_cost
                        .total_cmp(&model.offers[b].landed_cost)
                        .then(a.cmp(&b))
                });
                let (mut cap_prefix, mut lcap_prefix) = (vec![0.0], vec![0.0]);
                for &i in &offers {
                    let o = &model.offers[i];
                    let cap = o.capacity.unwrap_or(f64::INFINITY);
                    cap_prefix.push(cap_prefix.last().copied().unwrap_or(0.0) + cap);
                    lcap_prefix
                        .push(lcap_prefix.last().copied().unwrap_or(0.0) + o.landed_cost * cap);
                }
                classes.push(Class {
                    mineral: m,
                    country,
                    supplier,
                    offers,
                    cap_prefix,
                    lcap_prefix,
                });
            }
            by_mineral.push(start..classes.len());
        }
        let sorted = by_mineral
            .iter()
            .map(|r| {
                let mut all: Vec<usize> = classes[r.clone()]
                    .iter()
                    .flat_map(|c| c.offers.iter().copied())
                    .collect();
                all.sort_by(|&a, &b| {
                    model.offers[a]
                        .landed_cost
                        .total_cmp(&model.offers[b].landed_cost)
                        .then(a.cmp(&b))
                });
                all
            })
            .collect();
        Classes {
            classes,
            by_mineral,
            sorted,
        }
    }

    /// A chain of prefix sums: ids below `classes.len()` are classes, id
    /// `classes.len() + m` is all of mineral m's offers. Returns its offers (by landed
    /// cost) and mineral.
    pub fn chain(&self, id: usize) -> (&[usize], usize) {
        match self.classes.get(id) {
            Some(c) => (&c.offers, c.mineral),
            None => {
                let m = id - self.classes.len();
                (&self.sorted[m], m)
            }
        }
    }

    /// The number of chains ([`Classes::chain`]).
    pub fn chains(&self) -> usize {
        self.classes.len() + self.sorted.len()
    }

    /// Capacity and price factor of every class in scenario `s`: the products, in shock
    /// order, of the matching shocks' factors (as [`crate::analysis::stress::factors`] forms them
    /// per offer, so both give the same numbers bit for bit).
    /// Stage rows are exact per class: the offers of a class share their chain.
    pub fn factors(&self, model: &Model, s: &Scenario) -> Vec<(f64, f64)> {
        let mut out = vec![(1.0, 1.0); self.classes.len()];
        let mut cuts = StageCuts::new(s, self.classes.len());
        for shock in &s.shocks {
            let range = match shock.mineral {
                Some(m) => self.by_mineral[m].clone(),
                None => 0..self.classes.len(),
            };
            for k in range {
                let c = &self.classes[k];
                if let Some(name) = shock.supplier.as_ref().map(|s| s.name.as_str()) {
                    if c.supplier.as_deref() != Some(name) {
                        continue;
                    }
                }
                if let Some(cuts) = cuts.as_mut().filter(|_| shock.stage.is_some()) {
                    cuts.add(k, model, shock, &model.offers[c.offers[0]]);
                    continue;
                }
                if shock.country.is_some_and(|x| x != c.country) {
                    continue;
                }
                out[k].0 *= shock.capacity_factor;
                out[k].1 *= shock.price_factor;
            }
        }
        if let Some(cuts) = cuts {
            for (k, f) in out.iter_mut().enumerate() {
                f.0 *= cuts.capacity(k);
                f.1 *= cuts.price(k);
            }
        }
        out
    }
}

/// A plan seen through its classes: per class, Σ x and Σ l·x.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanTotals {
    /// The plan (quantity per offer of the model, real units).
    pub x: Vec<f64>,
    /// Per class: Σ x_i.
    pub quantity: Vec<f64>,
    /// Per class: Σ l_i x_i.
    pub cost: Vec<f64>,
    /// Per mineral: fixed costs of the offers with x > 0.
    pub fixed: Vec<f64>,
}

impl PlanTotals {
    /// Totals of `x` over `classes`; an offer's cost includes what the bundles and lot
    /// discounts the plan earns add to it ([`crate::analysis::awards`]).
    pub fn new(model: &Model, classes: &Classes, x: Vec<f64>) -> PlanTotals {
        let mut quantity = Vec::with_capacity(classes.classes.len());
        let mut cost = Vec::with_capacity(classes.classes.len());
        let earned = crate::analysis::awards::earned_adjustments(model, &x);
        for c in &classes.classes {
            quantity.push(c.offers.iter().map(|&i| x[i]).sum());
            let list: f64 = c
                .offers
                .iter()
                .map(|&i| model.offers[i].purchase_cost(x[i]))
                .sum();
            cost.push(match &earned {
                Some(e) => list + c.offers.iter().map(|&i| e[i]).sum::<f64>(),
                None => list,
            });
        }
        let fixed = model
            .minerals
            .iter()
            .map(|mineral| {
                mineral
                    .offers
                    .clone()
                    .filter(|&i| x[i] > 0.0)
                    .map(|i| model.offers[i].fixed_cost)
                    .sum()
            })
            .collect();
        PlanTotals {
            x,
            quantity,
            cost,
            fixed,
        }
    }
}

/// The second stage of one mineral in one scenario.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MineralRecourse {
    /// Σ_i l_i δ_i x_i plus the fixed costs of the plan's offers.
    pub contract: f64,
    /// p (D − X): the planned shortfall, unmet in every scenario (linear in the plan, as
    /// the master states it).
    pub planned: f64,
    /// Q: drawdown, spot and unmet cost of the greedy fill of the lost deliveries.
    pub recourse: f64,
    /// The marginal price π of the lost deliveries (the dual of the balance row).
    pub price: f64,
    /// h · S: the holding cost of the stock the plan holds (0 without stock).
    pub holding: f64,
    /// Drawn from the stock (part of the fill).
    pub drawdown: f64,
}

impl MineralRecourse {
    /// The scenario cost of the mineral.
    pub fn total(&self) -> f64 {
        self.contract + self.planned + self.recourse + self.holding
    }
}

/// A candidate spot offer in the merge: (price, offer, class, position in class).
#[derive(PartialEq)]
struct Head(f64, usize, usize, usize);

impl Eq for Head {}

impl Ord for Head {
    fn cmp(&self, other: &Self) -> Ordering {
        // BinaryHeap is a max-heap: the cheapest (then lowest offer index) is greatest.
        other.0.total_cmp(&self.0).then(other.1.cmp(&self.1))
    }
}

impl PartialOrd for Head {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Everything a scenario evaluation needs besides the plan.
#[derive(Debug, Clone, Copy)]
pub struct RecourseModel<'a> {
    /// The model.
    pub model: &'a Model,
    /// Its classes.
    pub classes: &'a Classes,
    /// Spot premium P.
    pub spot_premium: f64,
    /// Per mineral, the replacement cost r of a unit drawn from its stock (see
    /// [`crate::analysis::stock`]).
    pub replacement: &'a [f64],
}

impl RecourseModel<'_> {
    /// The stock of mineral `m` as a source of the fill, (price r, room S), when it has
    /// one and drawing is cheaper than its unmet `penalty`; with the plan's stock when
    /// `contracted` is known.
    pub fn stock(&self, m: usize, contracted: f64) -> Option<crate::analysis::stock::StockState> {
        self.model.minerals[m].stock?;
        crate::analysis::stock::state(self.model, m, contracted, self.replacement[m])
    }

    /// The spot price of offer `i` at price factor `pf` (the expression `stress` uses).
    pub fn spot_price(&self, i: usize, pf: f64) -> f64 {
        self.model.offers[i].landed_cost * pf * (1.0 + self.spot_premium)
    }

    /// Mineral `m` in a scenario with class factors `f`: the planned shortfall at the
    /// penalty, and the greedy fill of the lost deliveries, cheapest first over the
    /// classes' sorted offers, only while cheaper than the unmet penalty.
    pub fn mineral(&self, m: usize, f: &[(f64, f64)], plan: &PlanTotals) -> MineralRecourse {
        let mineral = &self.model.minerals[m];
        let penalty = mineral.unmet_penalty.unwrap_or(f64::INFINITY);
        let range = self.classes.by_mineral[m].clone();
        let mut delivered = 0.0;
        let mut contracted = 0.0;
        let mut contract = plan.fixed[m];
        for k in range.clone() {
            delivered += delivery_factor(f[k].0) * plan.quantity[k];
            contracted += plan.quantity[k];
            contract += delivery_factor(f[k].0) * plan.cost[k];
        }
        let stock = self.stock(m, contracted);
        let planned = match (penalty.is_finite(), stock) {
            (false, _) => 0.0,
            (true, None) => penalty * (mineral.demand - contracted),
            (true, Some(_)) => penalty * (mineral.demand - contracted).max(0.0),
        };
        let mut left = contracted - delivered;
        let (mut recourse, mut price, mut drawdown) = (0.0, 0.0, 0.0);
        // The stock: (price, what is left of it), drawn before spot at its price or dearer.
        let mut store = stock.and_then(|s| s.source(penalty));
        if left > 0.0 {
            let mut heap = BinaryHeap::new();
            for k in range {
                self.push_next(&mut heap, k, 0, f[k], penalty);
            }
            while left > 0.0 {
                if let Some((r, room)) =
                    store.filter(|&(r, _)| heap.peek().is_none_or(|h| h.0 >= r))
                {
                    let take = room.min(left);
                    recourse += r * take;
                    drawdown += take;
                    left -= take;
                    price = r;
                    store = None;
                    continue;
                }
                let Some(Head(p, i, k, pos)) = heap.pop() else {
                    break;
                };
                let a = f[k].0;
                let room = match self.model.offers[i].capacity {
                    Some(cap) => (a * cap - delivery_factor(a) * plan.x[i]).max(0.0),
                    None => f64::INFINITY,
                };
                let buy = room.min(left);
                if buy > 0.0 {
                    recourse += p * buy;
                    left -= buy;
                    price = p;
                }
                self.push_next(&mut heap, k, pos + 1, f[k], penalty);
            }
            if left > 0.0 {
                recourse += penalty * left;
                price = penalty;
            }
        }
        MineralRecourse {
            contract,
            planned,
            recourse,
            price,
            holding: stock.map_or(0.0, |s| s.holding),
            drawdown,
        }
    }

    fn push_next(
        &self,
        heap: &mut BinaryHeap<Head>,
        k: usize,
        pos: usize,
        (a, pf): (f64, f64),
        penalty: f64,
    ) {
        let class = &self.classes.classes[k];
        if a <= 0.0 {
            return;
        }
        if let Some(&i) = class.offers.get(pos) {
            let p = self.spot_price(i, pf);
            // Offers are sorted by landed cost, so the rest of the class costs more.
            if p < penalty {
                heap.push(Head(p, i, k, pos));
            }
        }
    }

    /// How many offers of class `k` have a spot price below `price` at factor `pf`: the
    /// prefix whose room is priced in the dual.
    pub fn prefix(&self, k: usize, pf: f64, price: f64) -> usize {
        let class = &self.classes.classes[k];
        class
            .offers
            .partition_point(|&i| self.spot_price(i, pf) < price)
    }

    /// The subgradient of the scenario cost of mineral `m` at the plan with respect to
    /// every offer of the model (zero outside the mineral): δ_i (l_i − π + ρ_i) + π − p.
    #[cfg(test)]
    pub fn subgradient(&self, m: usize, f: &[(f64, f64)], price: f64) -> Vec<f64> {
        let mut g = vec![0.0; self.model.offers.len()];
        for k in self.classes.by_mineral[m].clone() {
            let (a, pf) = f[k];
            for &i in &self.classes.classes[k].offers {
                let o = &self.model.offers[i];
                let c = self.spot_price(i, pf);
                let penalty = self.model.minerals[m]
                    .unmet_penalty
                    .unwrap_or(f64::INFINITY);
                let rho = if o.capacity.is_some() && a > 0.0 && c < penalty {
                    (price - c).max(0.0)
                } else {
                    0.0
                };
                g[i] = delivery_factor(a) * (o.landed_cost - price + rho) + price - penalty;
            }
        }
        g
    }
}

/// One scenario evaluated at a plan: per mineral, its costs and dual price.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioValue {
    /// Per mineral, in model order.
    pub minerals: Vec<MineralRecourse>,
}

impl ScenarioValue {
    /// L_s: the scenario's total cost.
    pub fn total(&self) -> f64 {
        self.minerals.iter().map(|m| m.total()).sum()
    }
}

/// The separable step: one scenario (given by its class factors) at one plan. Pure and
/// independent of every other scenario, so scenarios can be evaluated anywhere.
pub fn evaluate(rm: &RecourseModel, factors: &[(f64, f64)], plan: &PlanTotals) -> ScenarioValue {
    ScenarioValue {
        minerals: (0..rm.model.minerals.len())
            .map(|m| rm.mineral(m, factors, plan))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::stress::{stress, StressOptions};
    use crate::input::{parse, ModelFiles};
    use crate::rng::Rng;

    /// A random model with scenarios (country bans, partial cuts, price shocks, one
    /// supplier-level shock, a capacity factor above 1) and a random plan within capacities.
    fn random_case(rng: &mut Rng) -> (Model, Vec<Scenario>, Vec<f64>) {
        let countries = ["AUS", "CAN", "CHN", "USA"];
        let mut suppliers =
            String::from("supplier,mineral,country,unit_cost,capacity,freight,fixed_cost\n");
        for m in ["ga", "ge"] {
            // Gallium names every country (the scenarios shock each).
            for k in 0..(if m == "ga" { 4 } else { 2 } + rng.below(4)) {
                let cap = if rng.below(5) == 0 {
                    String::new()
                } else {
                    (10 + rng.below(60)).to_string()
                };
                suppliers.push_str(&format!(
                    "s{k},{m},{},{},{cap},{},{}\n",
                    if m == "ga" && k < 4 {
                        countries[k as usize]
                    } else {
                        countries[rng.below(4) as usize]
                    },
                    5 + rng.below(20),
                    rng.below(3),
                    rng.below(2) * 7
                ));
            }
        }
        let demand = format!(
            "mineral,quantity,unmet_penalty\nga,100,{}\nge,50,{}\n",
            30 + rng.below(40),
            20 + rng.below(60)
        );
        let scenarios = "scenario,probability,mineral,country,supplier,capacity_factor,price_factor
ban,0.1,,CHN,,0,
half,0.2,ga,AUS,,0.5,1.5
half,0.2,ge,,s1,0.3,
pricey,0.05,,USA,,,2
boom,0.05,ga,CAN,,1.7,0.9
";
        let files = ModelFiles::from_memory(&[
            ("suppliers.csv", suppliers.as_bytes()),
            ("demand.csv", demand.as_bytes()),
            ("scenarios.csv", scenarios.as_bytes()),
        ]);
        let loaded = parse(&files).unwrap();
        let (model, scenarios) = (loaded.model, loaded.scenarios);
        let mut x: Vec<f64> = model
            .offers
            .iter()
            .map(|o| {
                let cap = o.capacity.unwrap_or(80.0);
                if rng.below(3) == 0 {
                    0.0
                } else {
                    cap * rng.below(1001) as f64 / 1000.0
                }
            })
            .collect();
        // A plan contracts at most the demand (the balance row Σ x + u = D): scaled onto
        // it, or below it, when it contracts more.
        for mineral in &model.minerals {
            let x = &mut x[mineral.offers.clone()];
            let total: f64 = x.iter().sum();
            if total > mineral.demand {
                let share = [1.0, 0.9, 0.6][rng.below(3) as usize];
                x.iter_mut()
                    .for_each(|v| *v *= share * mineral.demand / total);
            }
        }
        (model, scenarios, x)
    }

    fn setup(model: &Model, scenarios: &[Scenario]) -> Classes {
        let excluded = crate::analysis::stress::excluded_offers(model);
        Classes::new(model, scenarios, &excluded)
    }

    #[test]
    fn scenario_costs_equal_stress() {
        let mut rng = Rng::new(11);
        for _ in 0..200 {
            let (model, scenarios, x) = random_case(&mut rng);
            let classes = setup(&model, &scenarios);
            let rm = RecourseModel {
                model: &model,
                classes: &classes,
                spot_premium: 0.25,
                replacement: &[],
            };
            let report = stress(&model, &x, &scenarios, &StressOptions::default()).unwrap();
            let plan = PlanTotals::new(&model, &classes, x.clone());
            let base = Scenario {
                name: "baseline".into(),
                probability: 0.0,
                shocks: vec![],
            };
            let all: Vec<&Scenario> = std::iter::once(&base).chain(&scenarios).collect();
            for s in all {
                let v = evaluate(&rm, &classes.factors(&model, s), &plan);
                let want = report
                    .rows
                    .iter()
                    .find(|r| r.scenario == s.name.as_str() && r.mineral == "*")
                    .unwrap()
                    .total_cost;
                // stress reads a shortfall below 1e-7 of demand as rounding.
                assert!(
                    (v.total() - want).abs() <= 1e-6 * want.max(1.0),
                    "{}: {} vs {want}",
                    s.name,
                    v.total()
                );
            }
        }
    }

    /// The closed-form subgradient against central finite differences of the greedy
    /// value, at points where the value is differentiable (random plans almost surely
    /// are); at kinks it must lie between the one-sided differences.
    #[test]
    fn subgradient_matches_finite_differences() {
        let mut rng = Rng::new(5);
        let mut checked = 0;
        for _ in 0..150 {
            let (model, scenarios, x) = random_case(&mut rng);
            let classes = setup(&model, &scenarios);
            let rm = RecourseModel {
                model: &model,
                classes: &classes,
                spot_premium: 0.25,
                replacement: &[],
            };
            for s in &scenarios {
                let f = classes.factors(&model, s);
                let plan = PlanTotals::new(&model, &classes, x.clone());
                for m in 0..model.minerals.len() {
                    let at = rm.mineral(m, &f, &plan);
                    let g = rm.subgradient(m, &f, at.price);
                    for i in model.minerals[m].offers.clone() {
                        if x[i] <= 1e-3 || classes.classes.iter().all(|c| !c.offers.contains(&i)) {
                            continue;
                        }
                        let h = 1e-4;
                        let value = |d: f64| {
                            let mut y = x.clone();
                            y[i] += d;
                            let p = PlanTotals::new(&model, &classes, y);
                            let r = rm.mineral(m, &f, &p);
                            r.total() - p.fixed[m]
                        };
                        let (lo, mid, hi) = (value(-h), value(0.0), value(h));
                        let left = (mid - lo) / h;
                        let right = (hi - mid) / h;
                        let tol = 1e-6 * (1.0 + g[i].abs());
                        assert!(
                            g[i] >= left.min(right) - tol && g[i] <= left.max(right) + tol,
                            "offer {i} in {}: g {} left {left} right {right}",
                            s.name,
                            g[i]
                        );
                        if (left - right).abs() < 1e-9 {
                            assert!((g[i] - left).abs() <= tol);
                            checked += 1;
                        }
                    }
                }
            }
        }
        assert!(
            checked > 500,
            "only {checked} differentiable points checked"
        );
    }
}
