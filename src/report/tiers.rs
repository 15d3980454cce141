//! tier_prices.csv: for each offer with price tiers that a plan buys from, the bracket
//! its quantity reached and the average price paid (written only for models with
//! tiers.csv).

use serde::Serialize;

use super::table::{Cells, Column, ColumnKind, Table};
use crate::model::name::Name;
use crate::model::Model;

/// The columns of tier_prices.csv.
pub const TIER_COLUMNS: &[Column] = &[
    Column::new("mineral", ColumnKind::Text),
    Column::new("supplier", ColumnKind::Text),
    Column::new("kind", ColumnKind::Text),
    Column::new("quantity", ColumnKind::Quantity),
    Column::new("tier", ColumnKind::Count),
    Column::new("tier_from", ColumnKind::Quantity),
    Column::new("tier_unit_cost", ColumnKind::Cost),
    Column::new("avg_unit_cost", ColumnKind::Cost),
    Column::new("cost", ColumnKind::Cost),
];

/// One row of tier_prices.csv.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TierRow {
    /// Mineral name.
    pub mineral: Name,
    /// Supplier id.
    pub supplier: Name,
    /// `incremental` or `all_units`.
    pub kind: &'static str,
    /// Quantity bought.
    pub quantity: f64,
    /// The bracket the quantity falls in, 1 for the first (from 0).
    pub tier: usize,
    /// Where that bracket starts.
    pub tier_from: f64,
    /// Its landed unit cost.
    pub tier_unit_cost: f64,
    /// Landed purchase cost per unit bought (the average price paid).
    pub avg_unit_cost: f64,
    /// Landed purchase cost (without the fixed cost).
    pub cost: f64,
}

/// The rows of the tiered offers that `quantities` (one per model offer) buy from, in
/// offer order.
pub fn tier_rows(model: &Model, quantities: &[f64]) -> Vec<TierRow> {
    model
        .offers
        .iter()
        .zip(quantities)
        .filter(|(_, &q)| q > 0.0)
        .filter_map(|(o, &q)| {
            let t = o.tiers.as_deref()?;
            let b = t.reached(q);
            Some(TierRow {
                mineral: model.minerals[o.mineral].name.clone(),
                supplier: o.supplier.clone(),
                kind: t.kind.name(),
                quantity: q,
                tier: b + 1,
                tier_from: t.brackets[b].from,
                tier_unit_cost: t.brackets[b].landed_cost,
                avg_unit_cost: o.average_cost(q),
                cost: o.purchase_cost(q),
            })
        })
        .collect()
}

/// tier_prices.csv as a [`Table`].
pub fn tiers_table(rows: &[TierRow]) -> Table<'_> {
    Table::from_rows("tier_prices", TIER_COLUMNS, rows, |c, r| {
        c.text(&r.mineral).text(&r.supplier).text(r.kind);
        c.num(r.quantity).count(r.tier).num(r.tier_from);
        c.num(r.tier_unit_cost).num(r.avg_unit_cost).num(r.cost);
        c.end();
    })
}
