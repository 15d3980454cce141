//! bundle_awards.csv (one row per bundle: won or not, its cost against its lines at list
//! price) and lot_discounts.csv (one row per lot of a discount: the supplier's lots
//! won, the step reached, and the average price paid for the lot), written only for
//! models with bundles.csv or discounts.csv.

use serde::Serialize;

use super::table::{Cells, Column, ColumnKind, Table};
use crate::model::coupling::price_part;
use crate::model::name::Name;
use crate::model::Model;
use crate::plan::Plan;
use crate::solve::coupled::{bundled_quantity, lot_threshold, MineralCoupling};

/// The columns of bundle_awards.csv.
pub const BUNDLE_COLUMNS: &[Column] = &[
    Column::new("bundle", ColumnKind::Text),
    Column::new("supplier", ColumnKind::Text),
    Column::new("won", ColumnKind::Bool),
    Column::new("list_cost", ColumnKind::Cost),
    Column::new("bundle_cost", ColumnKind::Cost),
    Column::new("saving", ColumnKind::Cost),
];

/// One row of bundle_awards.csv.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BundleRow {
    /// Bundle id.
    pub bundle: Name,
    /// Its supplier.
    pub supplier: Name,
    /// True when the plan takes it.
    pub won: bool,
    /// Its lines' landed cost at their offers' prices.
    pub list_cost: f64,
    /// Its landed cost when taken.
    pub bundle_cost: f64,
    /// list_cost − bundle_cost when won, else 0.
    pub saving: f64,
}

/// The columns of lot_discounts.csv.
pub const LOT_COLUMNS: &[Column] = &[
    Column::new("supplier", ColumnKind::Text),
    Column::new("mineral", ColumnKind::Text),
    Column::new("quantity", ColumnKind::Quantity),
    Column::new("won", ColumnKind::Bool),
    Column::new("lots_won", ColumnKind::Count),
    Column::new("lots", ColumnKind::Count),
    Column::new("min_lots", ColumnKind::Count),
    Column::new("discount", ColumnKind::Number),
    Column::new("saving", ColumnKind::Cost),
    Column::new("avg_unit_cost", ColumnKind::Cost),
];

/// One row of lot_discounts.csv.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LotRow {
    /// Supplier id.
    pub supplier: Name,
    /// The lot's mineral.
    pub mineral: Name,
    /// Quantity bought from the lot (its bundle quantities included).
    pub quantity: f64,
    /// True when the quantity reaches the lot's threshold.
    pub won: bool,
    /// The supplier's lots won.
    pub lots_won: usize,
    /// The supplier's lots.
    pub lots: usize,
    /// The step reached: its lots won at least (0 for none).
    pub min_lots: usize,
    /// The fraction off reached (0 for none).
    pub discount: f64,
    /// What the discount takes off this lot.
    pub saving: f64,
    /// Landed cost per unit bought from the lot: bundle lines at their bundle's price,
    /// the rest at the offer's less the discount (the landed cost when nothing is bought).
    pub avg_unit_cost: f64,
}

/// The decisions of `plan` merged over its minerals.
fn decisions(plan: &Plan) -> MineralCoupling {
    let mut all = MineralCoupling::default();
    for mc in plan.minerals.iter().filter_map(|m| m.coupling.as_deref()) {
        all.taken.extend(&mc.taken);
        all.steps.extend(&mc.steps);
        all.won.extend(&mc.won);
    }
    all.taken.sort_unstable();
    all.taken.dedup();
    all.steps.sort_unstable();
    all.steps.dedup();
    all
}

/// The rows of bundle_awards.csv, in bundles.csv order.
pub fn bundle_rows(model: &Model, plan: &Plan) -> Vec<BundleRow> {
    let all = decisions(plan);
    let bundles = &model.coupling.bundles;
    (0..bundles.len())
        .map(|k| {
            let b = &bundles[k];
            let won = all.taken.contains(&k);
            let (list_cost, bundle_cost) = (b.list_cost(model), b.cost(model));
            BundleRow {
                bundle: b.name.clone(),
                supplier: b.supplier.clone(),
                won,
                list_cost,
                bundle_cost,
                saving: if won { list_cost - bundle_cost } else { 0.0 },
            }
        })
        .collect()
}

/// The rows of lot_discounts.csv: per discount in discounts.csv order, its lots.
pub fn lot_rows(model: &Model, plan: &Plan) -> Vec<LotRow> {
    let all = decisions(plan);
    let quantities = plan.quantities();
    let slack =
        |i: usize| crate::tolerance::FEASIBILITY * model.minerals[model.offers[i].mineral].demand;
    let mut rows = Vec::new();
    for (k, disc) in model.coupling.discounts.iter().enumerate() {
        let won = |i: usize| quantities[i] >= lot_threshold(model, i) - slack(i);
        let lots_won = disc.lots.iter().filter(|&&i| won(i)).count();
        let step = all.steps.iter().find(|s| s.0 == k).map(|s| disc.steps[s.1]);
        let fraction = step.map_or(0.0, |s| s.fraction);
        for &i in &disc.lots {
            let o = &model.offers[i];
            let q = quantities[i];
            let bundled = bundled_quantity(model, &all, i);
            let saving = fraction * price_part(model, i) * (q - bundled).max(0.0);
            let bundle_cost: f64 = all
                .taken
                .iter()
                .map(|&b| &model.coupling.bundles[b])
                .flat_map(|b| b.lines.iter().zip(b.line_costs(model)))
                .filter(|(l, _)| l.offer == i)
                .map(|(_, c)| c)
                .sum();
            let paid = bundle_cost + (q - bundled).max(0.0) * o.landed_cost - saving;
            rows.push(LotRow {
                supplier: o.supplier.clone(),
                mineral: model.minerals[o.mineral].name.clone(),
                quantity: q,
                won: won(i),
                lots_won,
                lots: disc.lots.len(),
                min_lots: step.map_or(0, |s| s.min_lots),
                discount: fraction,
                saving,
                avg_unit_cost: if q > 0.0 { paid / q } else { o.landed_cost },
            });
        }
    }
    rows
}

/// bundle_awards.csv as a [`Table`].
pub fn bundles_table(rows: &[BundleRow]) -> Table<'_> {
    Table::from_rows("bundle_awards", BUNDLE_COLUMNS, rows, |c, r| {
        c.text(&r.bundle).text(&r.supplier).flag(r.won);
        c.num(r.list_cost).num(r.bundle_cost).num(r.saving);
        c.end();
    })
}

/// lot_discounts.csv as a [`Table`].
pub fn lots_table(rows: &[LotRow]) -> Table<'_> {
    Table::from_rows("lot_discounts", LOT_COLUMNS, rows, |c, r| {
        c.text(&r.supplier)
            .text(&r.mineral)
            .num(r.quantity)
            .flag(r.won);
        c.count(r.lots_won).count(r.lots).count(r.min_lots);
        c.num(r.discount).num(r.saving).num(r.avg_unit_cost);
        c.end();
    })
}
