//! `stress`: what a fixed plan delivers and costs in each disruption scenario (SPEC §3,
//! "stress and robust semantics", with one departure: see the README).
//!
//! In scenario s, offer i delivers d_is = min(a_is, 1) · x_i (a_is: product of the
//! capacity factors of the shocks matching it; a contract never delivers more than was
//! contracted, see `delivery_factor`) at its contract landed cost. What the plan leaves
//! of demand, the *planned shortfall* D − Σ_i x_i, stays unmet at `unmet_penalty` in
//! every scenario, the baseline included: the spot market only replaces the *lost
//! deliveries* Σ_i x_i − Σ_i d_is a disruption takes away. Those are bought from offers
//! the policy does not exclude, up to what each has left (a_is · capacity_i − d_is;
//! unlimited stays unlimited unless a_is = 0), at l_i · price_factor_is · (1 + spot
//! premium), cheapest first, as long as that is cheaper than leaving them unmet; the rest
//! is unmet at `unmet_penalty`. This greedy recourse is the optimum of the scenario's
//! second-stage LP. So the baseline costs exactly what `solve` says the plan costs, and
//! no plan relies on spot purchases, which the policy does not bind, in a normal year.

use std::ops::Range;

use rayon::prelude::*;
use serde::Serialize;

use crate::analysis::stage_shocks::StageCuts;
use crate::error::{Error, InputErrors, InputIssue, Result};
use crate::model::name::Name;
use crate::model::{Model, Scenario};
use crate::policy::rows::expand;
use crate::tolerance::FEASIBILITY;
use crate::values::{Level, NonNegative};

pub mod spread;

/// Name of the scenario without shocks.
pub const BASELINE: &str = "baseline";

/// Default CVaR level α.
pub const DEFAULT_ALPHA: Level = Level::literal(0.95);

/// Default spot premium: spot purchases cost the landed cost × price factor × 1.25.
pub const DEFAULT_SPOT_PREMIUM: NonNegative = NonNegative::literal(0.25);

/// Parameters of `stress` (and of robust planning), valid by construction.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StressOptions {
    /// CVaR level α in [0, 1).
    pub alpha: Level,
    /// Spot purchases cost the landed cost × price factor × (1 + spot_premium).
    pub spot_premium: NonNegative,
}

impl Default for StressOptions {
    fn default() -> Self {
        StressOptions {
            alpha: DEFAULT_ALPHA,
            spot_premium: DEFAULT_SPOT_PREMIUM,
        }
    }
}

/// One row of stress.csv: a mineral (or `*`, the scenario's totals) in one scenario.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StressRow {
    /// Scenario name (`baseline` for no shock).
    pub scenario: Name,
    /// Its probability.
    pub probability: f64,
    /// Mineral, or `*` for the scenario's totals.
    pub mineral: Name,
    /// Σ_i a_is x_i.
    pub delivered: f64,
    /// Demand minus delivered (≥ 0).
    pub shortfall: f64,
    /// Bought on the spot market (never more than the lost deliveries, Σ x − delivered).
    pub spot_quantity: f64,
    /// Its cost.
    pub spot_cost: f64,
    /// Neither delivered nor bought: the planned shortfall plus the lost deliveries the
    /// spot market does not replace.
    pub unmet: f64,
    /// unmet × unmet_penalty.
    pub unmet_cost: f64,
    /// Σ_i l_i d_is plus the fixed costs of the plan's offers.
    pub contract_cost: f64,
    /// contract + spot + unmet cost (+ drawdown and holding cost, with stock).
    pub total_cost: f64,
    /// The stock's part, when the model has stock columns.
    #[serde(flatten)]
    pub stock: Option<StockCells>,
}

/// The stock columns of a stress.csv row (see [`crate::analysis::stock`]).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct StockCells {
    /// b: what the plan buys above demand.
    pub stock_built: f64,
    /// S = S0 + b: the stock held.
    pub stock: f64,
    /// Drawn from the stock to replace lost deliveries.
    pub drawdown: f64,
    /// drawdown × the replacement cost r.
    pub drawdown_cost: f64,
    /// h · S.
    pub holding_cost: f64,
}

impl StockCells {
    fn add(&mut self, o: &StockCells) {
        self.stock_built += o.stock_built;
        self.stock += o.stock;
        self.drawdown += o.drawdown;
        self.drawdown_cost += o.drawdown_cost;
        self.holding_cost += o.holding_cost;
    }
}

/// stress_summary.csv.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StressSummary {
    /// Σ_s p_s L_s.
    pub expected_cost: f64,
    /// CVaR_α of L.
    pub cvar_cost: f64,
    /// α.
    pub alpha: f64,
    /// The costliest scenario with a positive probability (first in file order on ties).
    pub worst_scenario: Name,
    /// Its cost.
    pub worst_cost: f64,
}

/// Everything `stress` reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StressReport {
    /// stress.csv rows: `baseline` first, then scenarios in file order; each scenario's
    /// minerals in model order, then its `*` totals row.
    pub rows: Vec<StressRow>,
    /// stress_summary.csv.
    pub summary: StressSummary,
}

/// Stresses `plan` (x_i per offer of `model`) under `scenarios` (their rows computed
/// here, or spread over processes: [`crate::analysis::spread`], job `Stress`).
pub fn stress(
    model: &Model,
    plan: &[f64],
    scenarios: &[Scenario],
    opts: &StressOptions,
) -> Result<StressReport> {
    require_penalties(model)?;
    if plan.len() != model.offers.len() {
        return Err(Error::Usage(format!(
            "the plan has {} quantities for {} offers",
            plan.len(),
            model.offers.len()
        )));
    }
    let stressor = Stressor::new(model, scenarios, opts);
    let per_scenario = spread::per_scenario(&stressor, plan);
    let costs: Vec<(f64, f64)> = per_scenario
        .iter()
        .enumerate()
        .map(|(k, rows)| {
            let p = stressor.scenario(k).probability;
            (rows.last().map_or(0.0, |r| r.total_cost), p)
        })
        .collect();
    let expected_cost = costs.iter().map(|(l, p)| p * l).sum();
    let mut worst = 0;
    for (k, &(l, p)) in costs.iter().enumerate() {
        let (lw, pw) = costs[worst];
        if p > 0.0 && (l > lw || pw == 0.0) {
            worst = k;
        }
    }
    Ok(StressReport {
        rows: per_scenario.into_iter().flatten().collect(),
        summary: StressSummary {
            expected_cost,
            cvar_cost: cvar(&costs, opts.alpha.get()),
            alpha: opts.alpha.get(),
            worst_scenario: Name::from(stressor.scenario(worst).name.as_str()),
            worst_cost: costs[worst].0,
        },
    })
}

/// What one scenario's rows need: the model, the baseline and the scenarios, which offers
/// the spot market may not use, the stock's replacement costs and the options.
pub(crate) struct Stressor<'a> {
    model: &'a Model,
    /// The baseline (probability 1 − Σ p_s, at least 0), scenario 0.
    baseline: Scenario,
    /// Scenarios 1, 2, … in file order.
    scenarios: &'a [Scenario],
    /// Offers the policy excludes for their mineral: never bought on the spot market.
    excluded: Vec<bool>,
    /// Each mineral's stock replacement cost.
    replacement: Vec<f64>,
    opts: StressOptions,
}

impl<'a> Stressor<'a> {
    /// The stress of plans of `model` under `scenarios` (after the baseline).
    pub(crate) fn new(model: &'a Model, scenarios: &'a [Scenario], opts: &StressOptions) -> Self {
        let excluded = excluded_offers(model);
        let p_scenarios: f64 = scenarios.iter().map(|s| s.probability).sum();
        let replacement = (0..model.minerals.len())
            .map(|m| crate::analysis::stock::replacement_cost(model, m, &excluded))
            .collect();
        Stressor {
            model,
            baseline: Scenario {
                name: BASELINE.to_string(),
                probability: (1.0 - p_scenarios).max(0.0),
                shocks: Vec::new(),
            },
            scenarios,
            excluded,
            replacement,
            opts: *opts,
        }
    }

    /// The model.
    pub(crate) fn model(&self) -> &Model {
        self.model
    }

    /// Scenarios evaluated: the baseline and the model's.
    pub(crate) fn count(&self) -> usize {
        self.scenarios.len() + 1
    }

    /// Scenario `k`: the baseline for 0, then the scenarios in file order.
    pub(crate) fn scenario(&self, k: usize) -> &Scenario {
        match k {
            0 => &self.baseline,
            k => &self.scenarios[k - 1],
        }
    }

    /// The rows of scenarios `range` for `plan`, in parallel, in scenario order.
    pub(crate) fn rows(&self, plan: &[f64], range: Range<usize>) -> Vec<Vec<StressRow>> {
        // What the plan's bundles and lot discounts add to each offer's contract cost.
        let earned = crate::analysis::awards::earned_adjustments(self.model, plan);
        let fixed = Fixed {
            excluded: &self.excluded,
            replacement: &self.replacement,
            earned: earned.as_deref(),
        };
        range
            .into_par_iter()
            .map(|k| scenario_rows(self.model, plan, &fixed, self.scenario(k), &self.opts))
            .collect()
    }
}

/// The offers the policy excludes for their mineral (never bought, not even on the spot
/// market).
pub fn excluded_offers(model: &Model) -> Vec<bool> {
    let mut excluded = vec![false; model.offers.len()];
    for (m, mineral) in model.minerals.iter().enumerate() {
        for inst in expand(model, m) {
            if inst.kind.is_exclusion() {
                for j in inst.members {
                    excluded[mineral.offers.start + j] = true;
                }
            }
        }
    }
    excluded
}

/// stress needs an unmet_penalty for every mineral: the price of what neither the plan
/// nor the spot market covers.
fn require_penalties(model: &Model) -> Result<()> {
    require_penalties_for(model, "stress")
}

/// An input error naming demand.csv's line for every mineral without an unmet_penalty,
/// which `command` (stress, solve --robust) needs.
pub(crate) fn require_penalties_for(model: &Model, command: &str) -> Result<()> {
    let mut errors = InputErrors::default();
    for mineral in &model.minerals {
        if mineral.unmet_penalty.is_none() {
            errors.push(InputIssue::cell(
                crate::input::files::DEMAND,
                mineral.line,
                "unmet_penalty",
                "",
                format!(
                    "is empty for {}; {command} needs an unmet_penalty for every mineral (the cost of demand neither the plan nor the spot market covers)",
                    mineral.name
                ),
            ));
        }
    }
    errors.into_result()
}

/// The share of a contracted quantity an offer delivers at capacity factor `a`: `a` itself
/// up to 1. A factor above 1 grows what the offer can sell on the spot market (its room
/// is a · capacity − d), never the contract: a plan is not delivered more than it bought.
pub(crate) fn delivery_factor(a: f64) -> f64 {
    a.min(1.0)
}

/// Capacity and price factors of every offer in scenario `s`: the products of its
/// shipping-country rows times its stage rows' factors ([`StageCuts`]).
fn factors(model: &Model, s: &Scenario) -> (Vec<f64>, Vec<f64>) {
    let mut capacity = vec![1.0; model.offers.len()];
    let mut price = vec![1.0; model.offers.len()];
    let mut cuts = StageCuts::new(s, model.offers.len());
    for shock in &s.shocks {
        let range = match shock.mineral {
            Some(m) => model.minerals[m].offers.clone(),
            None => 0..model.offers.len(),
        };
        // A shock naming a supplier visits only that supplier's offers.
        let matched: Box<dyn Iterator<Item = usize>> = match &shock.supplier {
            Some(s) => Box::new(s.offers.iter().copied().filter(|i| range.contains(i))),
            None => Box::new(range),
        };
        for i in matched {
            if let Some(cuts) = cuts.as_mut().filter(|_| shock.stage.is_some()) {
                cuts.add(i, model, shock, &model.offers[i]);
                continue;
            }
            if shock.country.is_some_and(|c| c != model.offers[i].country) {
                continue;
            }
            capacity[i] *= shock.capacity_factor;
            price[i] *= shock.price_factor;
        }
    }
    if let Some(cuts) = cuts {
        for i in 0..model.offers.len() {
            capacity[i] *= cuts.capacity(i);
            price[i] *= cuts.price(i);
        }
    }
    (capacity, price)
}

/// What every scenario of a plan shares: the offers the policy excludes, per mineral the
/// replacement cost of its stock, and per offer what the plan's bundles and lot
/// discounts add to its contract cost at full delivery (none without them).
struct Fixed<'a> {
    excluded: &'a [bool],
    replacement: &'a [f64],
    earned: Option<&'a [f64]>,
}

/// The rows of one scenario: each mineral, then the totals.
fn scenario_rows(
    model: &Model,
    plan: &[f64],
    fixed: &Fixed,
    s: &Scenario,
    opts: &StressOptions,
) -> Vec<StressRow> {
    let (a, pf) = factors(model, s);
    let scenario = Name::from(s.name.as_str());
    let mut rows = Vec::with_capacity(model.minerals.len() + 1);
    let mut total = StressRow {
        scenario: scenario.clone(),
        probability: s.probability,
        mineral: Name::from("*"),
        delivered: 0.0,
        shortfall: 0.0,
        spot_quantity: 0.0,
        spot_cost: 0.0,
        unmet: 0.0,
        unmet_cost: 0.0,
        contract_cost: 0.0,
        total_cost: 0.0,
        stock: model.has_stock().then(StockCells::default),
    };
    for (m, mineral) in model.minerals.iter().enumerate() {
        let range = mineral.offers.clone();
        let offers = &model.offers[range.clone()];
        let (x, a, pf, excluded) = (
            &plan[range.clone()],
            &a[range.clone()],
            &pf[range.clone()],
            &fixed.excluded[range.clone()],
        );
        let earned = fixed.earned.map(|e| &e[range]);
        let mut delivered = 0.0;
        let mut contracted = 0.0;
        let mut contract_cost = 0.0;
        for (k, o) in offers.iter().enumerate() {
            let d = delivery_factor(a[k]) * x[k];
            delivered += d;
            contracted += x[k];
            contract_cost += o.average_cost(x[k]) * d;
            if let Some(earned) = earned {
                contract_cost += earned[k] * delivery_factor(a[k]);
            }
            if x[k] > 0.0 {
                contract_cost += o.fixed_cost;
            }
        }
        let demand = mineral.demand;
        let penalty = mineral.unmet_penalty.unwrap_or(f64::INFINITY);
        let stock = crate::analysis::stock::state(model, m, contracted, fixed.replacement[m]);
        let target = demand + stock.map_or(0.0, |s| s.built);
        let shortfall = rounded(target - delivered, demand);
        let planned = rounded(demand - contracted, demand).min(shortfall);
        let lost = shortfall - planned;
        let mut left = lost;
        let mut cells = stock.map(|s| StockCells {
            stock_built: s.built,
            stock: s.held,
            holding_cost: s.holding,
            ..StockCells::default()
        });
        if let (Some(c), Some((price, room))) = (&mut cells, stock.and_then(|s| s.source(penalty)))
        {
            // Drawn before any spot offer at the same price or dearer (ties: the stock).
            (c.drawdown, c.drawdown_cost, left) = draw_stock(
                offers,
                (x, a, pf, excluded),
                (price, room),
                left,
                opts.spot_premium.get(),
            );
        }
        let (spot_quantity, spot_cost, not_bought) = spot_fill(
            offers,
            (x, a, pf, excluded),
            penalty,
            left,
            opts.spot_premium.get(),
        );
        let unmet = planned + not_bought.max(0.0);
        let unmet_cost = if unmet > 0.0 { penalty * unmet } else { 0.0 };
        let stock_cost = cells.map_or(0.0, |c| c.drawdown_cost + c.holding_cost);
        let row = StressRow {
            scenario: scenario.clone(),
            probability: s.probability,
            mineral: mineral.name.clone(),
            delivered,
            shortfall,
            spot_quantity,
            spot_cost,
            unmet,
            unmet_cost,
            contract_cost,
            total_cost: contract_cost + spot_cost + unmet_cost + stock_cost,
            stock: cells,
        };
        total.delivered += row.delivered;
        total.shortfall += row.shortfall;
        total.spot_quantity += row.spot_quantity;
        total.spot_cost += row.spot_cost;
        total.unmet += row.unmet;
        total.unmet_cost += row.unmet_cost;
        total.contract_cost += row.contract_cost;
        total.total_cost += row.total_cost;
        if let (Some(t), Some(c)) = (&mut total.stock, &row.stock) {
            t.add(c);
        }
        rows.push(row);
    }
    rows.push(total);
    rows
}

/// `v` (a shortfall of `demand`), with rounding in a written plan read as none.
fn rounded(v: f64, demand: f64) -> f64 {
    if v <= FEASIBILITY * demand {
        0.0
    } else {
        v
    }
}

/// The spot purchases that replace `lost` deliveries of one mineral: (quantity, cost, what
/// is left unbought) of
/// the greedy fill over its `offers` (with the plan's x, capacity factors a, price factors
/// and exclusions), cheapest first (ties in file order), each offer up to its room
/// a · capacity − min(a, 1) · x, only while cheaper than `penalty`.
fn spot_fill(
    offers: &[crate::model::Offer],
    (x, a, pf, excluded): (&[f64], &[f64], &[f64], &[bool]),
    penalty: f64,
    lost: f64,
    spot_premium: f64,
) -> (f64, f64, f64) {
    if lost <= 0.0 {
        return (0.0, 0.0, 0.0);
    }
    let mut spot: Vec<(f64, usize)> = (0..offers.len())
        .filter(|&k| !excluded[k] && a[k] > 0.0)
        .map(|k| (offers[k].landed_cost * pf[k] * (1.0 + spot_premium), k))
        .filter(|&(price, _)| price < penalty)
        .collect();
    spot.sort_by(|p, q| p.0.total_cmp(&q.0).then(p.1.cmp(&q.1)));
    let (mut quantity, mut cost) = (0.0, 0.0);
    let mut left = lost;
    for (price, k) in spot {
        if left <= 0.0 {
            break;
        }
        let room = match offers[k].capacity {
            Some(cap) => (a[k] * cap - delivery_factor(a[k]) * x[k]).max(0.0),
            None => f64::INFINITY,
        };
        let buy = room.min(left);
        if buy > 0.0 {
            quantity += buy;
            cost += price * buy;
            left -= buy;
        }
    }
    (quantity, cost, left)
}

/// The drawdown of one mineral's stock: the lost deliveries that spot offers cheaper
/// than the stock's `price` do not replace first (those are bought at the spot fill),
/// up to the stock's `room`. Returns (drawdown, its cost, what is left for the spot fill).
/// Because the spot fill takes the cheapest offers first, buying the cheaper ones before
/// drawing and the rest after is the same greedy as one merged list.
fn draw_stock(
    offers: &[crate::model::Offer],
    (x, a, pf, excluded): (&[f64], &[f64], &[f64], &[bool]),
    (price, room): (f64, f64),
    lost: f64,
    spot_premium: f64,
) -> (f64, f64, f64) {
    if lost <= 0.0 {
        return (0.0, 0.0, lost);
    }
    // What the spot offers cheaper than the stock would take.
    let (cheaper, _, _) = spot_fill(offers, (x, a, pf, excluded), price, lost, spot_premium);
    let drawn = room.min(lost - cheaper).max(0.0);
    (drawn, drawn * price, lost - drawn)
}

/// CVaR_α of a discrete loss: min over η of η + Σ_s p_s max(0, L_s − η) / (1 − α), for
/// (L_s, p_s) pairs. The objective is convex and piecewise linear in η with breaks at
/// the L_s, so its minimum is at one of them.
pub fn cvar(losses: &[(f64, f64)], alpha: f64) -> f64 {
    let mut sorted: Vec<(f64, f64)> = losses.iter().copied().filter(|&(_, p)| p > 0.0).collect();
    if sorted.is_empty() {
        return 0.0;
    }
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
    // Walking the breaks from the top: tail = Σ_{L_j > η} p_j (L_j − η).
    let scale = 1.0 / (1.0 - alpha);
    let mut best = f64::INFINITY;
    let (mut mass, mut weighted) = (0.0, 0.0); // Σ p_j and Σ p_j L_j above η
    let mut k = sorted.len();
    while k > 0 {
        let eta = sorted[k - 1].0;
        // Scenarios at exactly η add nothing.
        best = best.min(eta + scale * (weighted - mass * eta));
        // Move every scenario at this loss above the next break.
        while k > 0 && sorted[k - 1].0 == eta {
            mass += sorted[k - 1].1;
            weighted += sorted[k - 1].1 * sorted[k - 1].0;
            k -= 1;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The objective evaluated directly.
    fn objective(losses: &[(f64, f64)], alpha: f64, eta: f64) -> f64 {
        eta + losses
            .iter()
            .map(|&(l, p)| p * (l - eta).max(0.0))
            .sum::<f64>()
            / (1.0 - alpha)
    }

    #[test]
    fn cvar_by_hand() {
        // 70 % at 920, 10 % at 1200, 20 % at 920.
        let l = [(920.0, 0.7), (1200.0, 0.1), (920.0, 0.2)];
        assert!((cvar(&l, 0.95) - 1200.0).abs() < 1e-9);
        // The worst 20 %: half at 1200, half at 920.
        assert!((cvar(&l, 0.8) - 1060.0).abs() < 1e-9);
        // α = 0: the mean.
        assert!((cvar(&l, 0.0) - (0.9 * 920.0 + 0.1 * 1200.0)).abs() < 1e-9);
        assert_eq!(cvar(&[], 0.9), 0.0);
    }

    #[test]
    fn cvar_is_the_minimum_over_a_fine_grid() {
        let mut rng = crate::rng::Rng::new(7);
        for _ in 0..200 {
            let n = 1 + rng.below(6) as usize;
            let mut losses: Vec<(f64, f64)> = (0..n)
                .map(|_| ((rng.below(50) * 10) as f64, rng.f64()))
                .collect();
            let total: f64 = losses.iter().map(|l| l.1).sum();
            for l in &mut losses {
                l.1 /= total;
            }
            let alpha = [0.0, 0.5, 0.9, 0.95][rng.below(4) as usize];
            let grid = (0..=5000)
                .map(|k| objective(&losses, alpha, k as f64 * 0.1))
                .fold(f64::INFINITY, f64::min);
            let got = cvar(&losses, alpha);
            assert!(
                (got - grid).abs() < 1e-6 * grid.max(1.0),
                "{losses:?} {alpha}"
            );
        }
    }
}
