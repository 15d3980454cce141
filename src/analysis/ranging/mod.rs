//! Ranging (SPEC §3 `solve --ranging`, Excel Solver's sensitivity report): for each
//! binding linear policy row, the interval of its bound over which its shadow price
//! holds; for each offer, bought or not, the landed-cost interval over which the plan
//! stays optimal.
//!
//! Exact for linear blocks, from the optimal basis at the plan's vertex (see `basis`).
//! A block's plan maps back to its LP exactly: without integer rules and HHI caps the
//! block's variables are its offers and the unmet demand. Blocks with integer rules or
//! HHI caps get rows marked "not available": their optimum is not a linear function of
//! a bound or a price over an interval a basis describes. Blocks with price tiers too:
//! an offer's price is its brackets', not one cost a basis ranges.
//!
//! A mineral joined by bundles or lot discounts is ranged as the LP its plan solves: the
//! block with the bundles taken, the lots won and the discount steps reached held fixed
//! (`solve::coupled::restrict`: bundle quantities and won lots as lower bounds, the
//! reached discounts off the lots' prices), as a MILP's rows are priced with its
//! binaries held. An interval is then where that LP's plan stays optimal with the same
//! decisions; another choice of bundles may win sooner.

pub(crate) mod basis;
#[cfg(all(test, feature = "highs"))]
mod tests;

use serde::Serialize;

use crate::error::Result;
use crate::formulate::{formulate, Block, RowTag};
use crate::model::name::Name;
use crate::model::Model;
use crate::plan::{MineralOutcome, Plan};
use crate::policy::Entry;
use basis::{Basis, Delta, Place};

/// Name of the ranging table.
pub const RANGING_CSV: &str = "ranging.csv";

/// What a ranging row ranges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RangeKind {
    /// The bound of a binding policy row.
    Bound,
    /// The landed unit cost of an offer.
    Cost,
}

impl RangeKind {
    /// The word ranging.csv writes: `bound` or `cost`.
    pub fn name(self) -> &'static str {
        match self {
            RangeKind::Bound => "bound",
            RangeKind::Cost => "cost",
        }
    }
}

/// One row of ranging.csv.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RangingRow {
    /// Bound or cost.
    pub kind: RangeKind,
    /// Mineral name.
    pub mineral: Name,
    /// The rule (`max_country_share`, …) or the supplier id.
    pub name: Name,
    /// The rule's target, or the offer's country.
    pub target: Name,
    /// The current bound or landed unit cost.
    pub value: f64,
    /// Lowest value of the interval (`None`: unbounded below, or not available).
    pub lower: Option<f64>,
    /// Highest value of the interval (`None`: unbounded above, or not available).
    pub upper: Option<f64>,
    /// For a bound: d total cost / d bound on the interval (the basis's dual).
    pub shadow_price: Option<f64>,
    /// For a cost: how much the landed cost must fall before the offer is bought more
    /// (≥ 0 for an offer at 0; ≤ 0 for one at its cap; 0 for one in between).
    pub reduced_cost: Option<f64>,
    /// Empty, or why the interval is not available.
    pub note: &'static str,
}

impl RangingRow {
    /// A row with no interval yet (filled in when the block has a basis).
    fn new(
        kind: RangeKind,
        mineral: Name,
        name: Name,
        target: Name,
        value: f64,
        note: &'static str,
    ) -> Self {
        RangingRow {
            kind,
            mineral,
            name,
            target,
            value,
            lower: None,
            upper: None,
            shadow_price: None,
            reduced_cost: None,
            note,
        }
    }
}

/// ranging.csv.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ranging {
    /// Rows by mineral: its binding rows in expansion order, then its offers.
    pub rows: Vec<RangingRow>,
}

/// Note on blocks with integer rules.
pub const NOT_AVAILABLE_INTEGER: &str =
    "not available: integer rules (min_order, fixed_cost or counts)";
/// Note on blocks with price tiers.
pub const NOT_AVAILABLE_TIERS: &str =
    "not available: price tiers (an offer's cost is its brackets')";
/// Note on blocks with HHI caps.
pub const NOT_AVAILABLE_HHI: &str = "not available: HHI cap (quadratic)";
/// Note when the plan is not an optimal vertex within tolerances.
pub const NOT_AVAILABLE_VERTEX: &str = "not available: no optimal basis found at the plan";

/// The ranging of every mineral of a plan (minerals without a plan give no rows).
pub fn ranging(model: &Model, plan: &Plan) -> Result<Ranging> {
    use rayon::prelude::*;
    let parts: Vec<Vec<RangingRow>> = plan
        .minerals
        .par_iter()
        .map(|ms| mineral_ranging(model, ms))
        .collect::<Result<_>>()?;
    Ok(Ranging {
        rows: parts.into_iter().flatten().collect(),
    })
}

/// The ranging rows of one mineral.
pub fn mineral_ranging(model: &Model, ms: &MineralOutcome) -> Result<Vec<RangingRow>> {
    if !ms.has_plan() {
        return Ok(Vec::new());
    }
    let mut block = formulate(model, ms.mineral)?;
    if let Some(mc) = &ms.coupling {
        // Bundles and lot discounts: the LP with their decisions fixed at the optimum.
        crate::solve::coupled::restrict(model, &mut block, mc);
    }
    let note = if !block.tiers.is_empty() {
        Some(NOT_AVAILABLE_TIERS)
    } else if block.lp.has_integers() {
        Some(NOT_AVAILABLE_INTEGER)
    } else if block.concentration.is_some() {
        Some(NOT_AVAILABLE_HHI)
    } else {
        None
    };
    let basis = match note {
        Some(_) => None,
        None => Basis::at(&block.lp, &block_point(&block, ms)),
    };
    let note = note.unwrap_or(NOT_AVAILABLE_VERTEX);
    let mut rows = bound_rows(model, ms, &block, basis.as_ref(), note);
    rows.extend(cost_rows(model, &block, basis.as_ref(), note));
    Ok(rows)
}

/// The plan as a point of the block's LP (offers, unmet and stock built, scaled by
/// demand).
fn block_point(block: &Block, ms: &MineralOutcome) -> Vec<f64> {
    let mut x = vec![0.0; block.lp.vars.len()];
    for (k, v) in block.offer_var.iter().enumerate() {
        if let Some(v) = *v {
            x[v] = ms.quantities[k] / block.demand;
        }
    }
    if let Some(u) = block.unmet_var {
        x[u] = ms.unmet / block.demand;
    }
    if let Some(b) = block.stock_var {
        // What the plan buys above demand (a `min_stock_days` row's stock built).
        let bought: f64 = ms.quantities.iter().sum::<f64>() + ms.unmet;
        x[b] = (bought / block.demand - 1.0).max(0.0);
    }
    // Fixed variables (a `min_stock_days` row's constant) at their value.
    for (v, var) in block.lp.vars.iter().enumerate() {
        if var.lower == var.upper {
            x[v] = var.lower;
        }
    }
    x
}

/// `value + Δ·scale` for each end, `None` where infinite.
fn interval(value: f64, delta: Delta, scale: f64) -> (Option<f64>, Option<f64>) {
    let end = |d: f64| d.is_finite().then_some(value + d * scale);
    (end(delta.0), end(delta.1))
}

/// Rows of the binding policy rows (LP rows and supplier caps folded into bounds).
fn bound_rows(
    model: &Model,
    ms: &MineralOutcome,
    block: &Block,
    basis: Option<&Basis>,
    note: &'static str,
) -> Vec<RangingRow> {
    let mineral = &model.minerals[ms.mineral].name;
    let lp_row = |k: usize| {
        block
            .lp
            .rows
            .iter()
            .position(|r| r.tag == RowTag::Policy(k))
    };
    let folded = |k: usize| block.folded.iter().find(|f| f.instance == k);
    let mut out = Vec::new();
    for (k, r) in ms.rows.iter().enumerate() {
        let inst = &r.instance;
        if inst.kind.is_exclusion() || !r.binding {
            continue;
        }
        let mut row = RangingRow::new(
            RangeKind::Bound,
            mineral.clone(),
            Name::from(inst.kind.name()),
            inst.target_name(model),
            inst.bound,
            note,
        );
        if let Some(b) = basis {
            let ranged = if let Some(lr) = lp_row(k) {
                Some(match value_row(block, ms, k) {
                    Some((weights, value)) => (
                        within_share(b.coefficient_range(lr, weights, value), inst.bound),
                        b.duals[lr] * value,
                    ),
                    None => (b.rhs_range(lr), b.duals[lr]),
                })
            } else if let Some(f) = folded(k) {
                Some(folded_range(b, f.var, inst.bound, f.next))
            } else if inst.kind.entry() == Entry::OfferBound && caps_folded_offer(block, k) {
                // Tied with the cap that owns the offer's bound: as a row, its slack is
                // basic at 0, so nothing changes as it rises and the plan breaks it below.
                Some((((r.value - inst.bound).min(0.0), f64::INFINITY), 0.0))
            } else {
                None
            };
            let Some((delta, dual)) = ranged else {
                // A binding row with no LP row or bound (an empty sum at 0): nothing moves.
                continue;
            };
            (row.lower, row.upper) = interval(inst.bound, delta, 1.0);
            row.shadow_price = Some(block.unscale_dual(dual));
            row.note = "";
        }
        out.push(row);
    }
    out
}

/// For a value-share row (instance `k`): its value weights and the plan's value
/// Σ w·x in the block's units (the dual times the value is d cost / d bound); `None`
/// for other rows, and when the plan buys no value.
fn value_row<'b>(
    block: &'b Block,
    ms: &MineralOutcome,
    k: usize,
) -> Option<(&'b [(usize, f64)], f64)> {
    let (_, weights) = block.value_rows.iter().find(|(i, _)| *i == k)?;
    let x = block_point(block, ms);
    let value: f64 = weights.iter().map(|&(v, w)| w * x[v]).sum();
    (value > 0.0).then_some((weights.as_slice(), value))
}

/// `delta` cut to the changes that keep a share bound `bound` within [0, 1].
fn within_share((lo, hi): Delta, bound: f64) -> Delta {
    (lo.max(-bound), hi.min(1.0 - bound))
}

/// True when instance `k` caps an offer whose bound another supplier cap owns (two caps
/// on one offer, tied).
fn caps_folded_offer(block: &Block, k: usize) -> bool {
    block.instances[k]
        .members
        .iter()
        .any(|&j| block.offer_var[j].is_some_and(|v| block.folded.iter().any(|f| f.var == v)))
}

/// A supplier cap stated as the upper bound of offer variable `j`: the interval of
/// bound changes and the shadow price (the reduced cost when the offer sits at the cap).
/// `next` is the bound the variable takes once the cap rises past it (its capacity or
/// another supplier cap on the offer): there the cap stops binding, as HiGHS's ranging
/// of the caps stated as rows says.
fn folded_range(b: &Basis, j: usize, bound: f64, next: f64) -> (Delta, f64) {
    let (lo, hi) = match b.place[j] {
        Place::Upper => b.bound_range(j),
        // Basic or at 0 while binding (degenerate): the cap may rise freely, not fall.
        _ => (
            b.basic_value(j).map_or(0.0, |x| (x - bound).min(0.0)),
            f64::INFINITY,
        ),
    };
    // The cap cannot fall below 0, and above `next` it no longer binds the offer.
    let lo = lo.max(-bound);
    let hi = hi.min(next - bound).max(0.0);
    let dual = if b.place[j] == Place::Upper {
        b.reduced[j]
    } else {
        0.0
    };
    ((lo, hi), dual)
}

/// Rows of every offer that is not excluded.
fn cost_rows(
    model: &Model,
    block: &Block,
    basis: Option<&Basis>,
    note: &'static str,
) -> Vec<RangingRow> {
    let mineral = &model.minerals[block.mineral].name;
    let offers = model.offers_of(block.mineral);
    let scale = block.cost_scale;
    offers
        .iter()
        .zip(&block.offer_var)
        .filter_map(|(o, v)| {
            let v = (*v)?;
            let mut row = RangingRow::new(
                RangeKind::Cost,
                mineral.clone(),
                o.supplier.clone(),
                model.countries[o.country].code.clone(),
                o.landed_cost,
                note,
            );
            if let Some(b) = basis {
                (row.lower, row.upper) = interval(o.landed_cost, b.cost_range(v), scale);
                row.reduced_cost = Some(b.reduced[v] * scale);
                row.note = "";
            }
            Some(row)
        })
        .collect()
}
