//! The stock in the robust program (issue 24): the stock built b_m as a first-stage
//! column of the master, its holding cost in every L_s, and its drawdown in the recourse.
//!
//! In the master, each mineral with stock columns gets b'_m ∈ [0, room_m / D_m] (a share
//! of demand) in its block's demand row, Σ x' + u' − b' = 1: what the plan buys above
//! demand is stock built. Every L_s gets h_m (S0_m + D_m b'_m) (S0 through a variable
//! fixed at 1, so the program's objective is the plan's). The written plan's stock is
//! b = max(0, X − D) ([`crate::model::Mineral::stock_built`]): a master point with both u' and
//! b' positive costs no less in any scenario than the one with both lowered together,
//! (p + h) per unit against at most p − r the stock saves, so the evaluated plan is no
//! worse than the master's point.
//!
//! The recourse adds the stock as a source priced at the replacement cost r with room
//! S = S0 + b. In the dual of the fill, its room has the price ρ_S = max(0, π − r), so
//! the decomposition's cut gains −ρ_S (S0 + D b') and the extensive form a drawdown
//! w ≤ S0 / D + b' per scenario.

use crate::engine::lp::Sense;
use crate::formulate::RowTag;
use crate::model::Model;
use crate::policy::rows::RowInstance;
use crate::tolerance::FEASIBILITY;

use super::master::Skeleton;
use super::Problem;

/// Adds b'_m for every mineral with stock (in its block's demand row) and, when some
/// stock on hand has a holding cost, the variable fixed at 1 that carries it.
pub(super) fn add_columns(sk: &mut Skeleton, p: &Problem) {
    sk.stock = vec![None; p.model.minerals.len()];
    let demand_rows: Vec<usize> = (0..sk.lp.rows.len())
        .filter(|&r| sk.lp.rows[r].tag == RowTag::Demand)
        .collect();
    debug_assert_eq!(demand_rows.len(), p.blocks.len());
    for (m, mineral) in p.model.minerals.iter().enumerate() {
        if mineral.stock.is_none() {
            continue;
        }
        if let Some(b) = p.blocks[m].stock_var {
            // The block's own column (a `min_stock_days` row), its cost dropped with the
            // block's objective.
            sk.stock[m] = Some(b + sk.offsets[m]);
            continue;
        }
        let b = sk
            .lp
            .add_var(0.0, mineral.stock_room() / mineral.demand, 0.0);
        sk.lp.rows[demand_rows[m]].terms.push((b, -1.0));
        sk.stock[m] = Some(b);
    }
    if on_hand_holding(p.model) > 0.0 {
        sk.one = Some(sk.lp.add_var(1.0, 1.0, 0.0));
    }
}

/// Σ_m h_m S0_m.
fn on_hand_holding(model: &Model) -> f64 {
    model
        .minerals
        .iter()
        .filter_map(|m| m.stock)
        .map(|s| s.holding_cost * s.on_hand)
        .sum()
}

/// The holding cost h (S0 + D b') of every mineral, as (variable, coefficient) in unit U:
/// part of every L_s.
pub(super) fn holding_terms(sk: &Skeleton, p: &Problem) -> Vec<(usize, f64)> {
    let mut terms = Vec::new();
    for (m, mineral) in p.model.minerals.iter().enumerate() {
        if let (Some(b), Some(stock)) = (sk.stock[m], mineral.stock) {
            if stock.holding_cost > 0.0 {
                terms.push((b, stock.holding_cost * mineral.demand / p.unit));
            }
        }
    }
    if let Some(one) = sk.one {
        terms.push((one, on_hand_holding(p.model) / p.unit));
    }
    terms
}

/// The stock of mineral `m` as a source of its recourse: r, when it has stock and
/// drawing is cheaper than leaving demand unmet.
fn source_price(p: &Problem, m: usize) -> Option<f64> {
    let mineral = &p.model.minerals[m];
    let penalty = mineral.unmet_penalty.unwrap_or(f64::INFINITY);
    let r = p.replacement[m];
    (mineral.stock.is_some() && r < penalty).then_some(r)
}

/// The cut's stock term at marginal price `price`: (coefficient of b' on the cut's left
/// side, what the right-hand side loses), unit U — θ ≥ h(π, x) − ρ_S (S0 + D b').
pub(super) fn cut_term(p: &Problem, m: usize, price: f64) -> Option<(f64, f64)> {
    let r = source_price(p, m)?;
    let rho = (price - r).max(0.0);
    let mineral = &p.model.minerals[m];
    let on_hand = mineral.stock.map_or(0.0, |s| s.on_hand);
    (rho > 0.0).then(|| (rho * mineral.demand / p.unit, rho * on_hand / p.unit))
}

/// The extensive form's drawdown of mineral `m` in one scenario: w' with cost r·D/U in
/// `cost`, in the balance `balance`, and the row w' − b' ≤ S0 / D.
pub(super) fn add_drawdown(
    sk: &mut Skeleton,
    p: &Problem,
    m: usize,
    cost: &mut Vec<(usize, f64)>,
    balance: &mut Vec<(usize, f64)>,
) {
    let (Some(r), Some(b)) = (source_price(p, m), sk.stock[m]) else {
        return;
    };
    let mineral = &p.model.minerals[m];
    let on_hand = mineral.stock.map_or(0.0, |s| s.on_hand);
    let w = sk.lp.add_var(0.0, f64::INFINITY, 0.0);
    cost.push((w, -r * mineral.demand / p.unit));
    balance.push((w, 1.0));
    sk.row(
        vec![(w, 1.0), (b, -1.0)],
        Sense::Le,
        on_hand / mineral.demand,
    );
}

/// The plan checker for mineral `m`'s written quantities `x`: what it buys above demand
/// is stock built, at most its stock room; then every rule as [`crate::solve::verify`].
pub(super) fn verify(
    model: &Model,
    m: usize,
    x: &[f64],
    unmet: f64,
    instances: &[RowInstance],
) -> Result<(), String> {
    let mineral = &model.minerals[m];
    let contracted: f64 = x.iter().sum();
    let built = mineral.stock_built(contracted);
    if built > mineral.stock_room() + FEASIBILITY * mineral.demand {
        return Err(format!(
            "it builds a stock of {built}, above the {} the stock can take",
            mineral.stock_room()
        ));
    }
    crate::solve::verify::verify_stocked(model, m, x, unmet, built, instances)
}
