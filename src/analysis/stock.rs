//! The stockpile in a scenario (issue 24), shared by `stress` and `solve --robust`.
//!
//! A mineral with stock columns holds S0 (`stock_on_hand`) at the start of the year. What a
//! plan contracts above demand is the stock it builds, b = max(0, X − D) (at most
//! [`crate::model::Mineral::stock_room`]); the stock held is S = S0 + b and costs its
//! holding cost h · S in every scenario. In a scenario, the lost deliveries X − Σ δ x are
//! replaced from the stock, the spot market and unmet demand, cheapest first: a unit drawn
//! from the stock costs its replacement, the mineral's cheapest landed cost among the
//! offers the policy allows (r, [`replacement_cost`]); spot costs l · f · (1 + P). Ties go
//! to the stock. Since every landed cost is at least r, the stock comes first whenever
//! f · (1 + P) ≥ 1 — always at the default premium unless a scenario lowers a price by a
//! factor below 1 / (1 + P); the rule is the cost-minimising recourse in every case.

use crate::model::Model;

/// A mineral's stock under a plan.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StockState {
    /// b: what the plan builds (contracted above demand).
    pub built: f64,
    /// S = S0 + b.
    pub held: f64,
    /// h · S.
    pub holding: f64,
    /// r: the cost of a drawn unit (its replacement).
    pub price: f64,
}

/// r: the cheapest landed cost of mineral `m`'s offers the policy does not exclude
/// (`excluded` per offer of the model); infinite when there is none.
pub fn replacement_cost(model: &Model, m: usize, excluded: &[bool]) -> f64 {
    model.minerals[m]
        .offers
        .clone()
        .filter(|&i| !excluded[i])
        .map(|i| model.offers[i].landed_cost)
        .fold(f64::INFINITY, f64::min)
}

/// Mineral `m`'s stock when it contracts `contracted`, or `None` without stock columns.
pub fn state(model: &Model, m: usize, contracted: f64, replacement: f64) -> Option<StockState> {
    let mineral = &model.minerals[m];
    let stock = mineral.stock?;
    let built = mineral.stock_built(contracted);
    Some(StockState {
        built,
        held: stock.on_hand + built,
        holding: mineral.holding_cost(contracted),
        price: replacement,
    })
}

impl StockState {
    /// The stock as a source of the recourse, (price, room), when drawing from it is
    /// cheaper than leaving demand unmet at `penalty` and there is stock.
    pub fn source(&self, penalty: f64) -> Option<(f64, f64)> {
        (self.price < penalty && self.held > 0.0).then_some((self.price, self.held))
    }
}
