//! hedge.csv as a [`Table`] and the `hedge` text (the plot, hedge.svg, is drawn by
//! [`crate::analysis::hedge::plot`]).

use std::fmt::Write;

use super::table::{Cells, Column, ColumnKind, Table};
use super::text::{short, table};
use crate::analysis::hedge::{Hedge, HedgePoint};

/// The columns of hedge.csv.
pub const HEDGE_COLUMNS: &[Column] = &[
    Column::new("plan", ColumnKind::Text),
    Column::new("cvar_weight", ColumnKind::Number),
    Column::new("expected_cost", ColumnKind::Cost),
    Column::new("cvar_cost", ColumnKind::Cost),
    Column::new("contract_cost", ColumnKind::Cost),
    Column::new("diversification_premium", ColumnKind::Cost),
    Column::new("stock_cost", ColumnKind::Cost),
    Column::new("expected_spot_cost", ColumnKind::Cost),
    Column::new("stock_built", ColumnKind::Quantity),
];

/// The rows of hedge.csv: the nominal plan, then the sweep's.
fn rows(h: &Hedge) -> Vec<(&'static str, &HedgePoint)> {
    std::iter::once(("nominal", &h.nominal))
        .chain(h.points.iter().map(|p| ("robust", p)))
        .collect()
}

/// hedge.csv: one row for the nominal plan, then one per weight swept.
pub fn hedge_table(h: &Hedge) -> Table<'_> {
    let rows = rows(h);
    Table::new("hedge", HEDGE_COLUMNS, rows.len(), move |k, c| {
        let (plan, p) = rows[k];
        c.text(plan).opt(p.cvar_weight);
        c.num(p.expected_cost).num(p.cvar_cost).num(p.contract_cost);
        c.num(p.diversification_premium)
            .num(p.stock_cost)
            .num(p.expected_spot_cost)
            .num(p.stock_built);
        c.end();
    })
}

/// The sweep as text: a row per plan.
pub fn render_hedge(h: &Hedge) -> String {
    let mut out = String::new();
    let mut lines = vec![vec![
        "plan".to_string(),
        "W".into(),
        "expected".into(),
        format!("CVaR {}", h.alpha),
        "premium".into(),
        "stock cost".into(),
        "spot cost".into(),
        "stock built".into(),
    ]];
    for (plan, p) in rows(h) {
        lines.push(vec![
            plan.to_string(),
            p.cvar_weight.map_or(String::new(), short),
            short(p.expected_cost),
            short(p.cvar_cost),
            short(p.diversification_premium),
            short(p.stock_cost),
            short(p.expected_spot_cost),
            short(p.stock_built),
        ]);
    }
    table(&mut out, &lines, &[0]);
    let _ = writeln!(
        out,
        "\npremium: contract cost above the nominal plan's (stock purchases included); stock cost: holding plus expected drawdown; spot cost: expected spot purchases"
    );
    out
}
