//! stress.csv and stress_summary.csv as [`Table`]s.

use super::table::{Cells, Column, ColumnKind, Table};
use crate::analysis::stress::StressReport;

/// The columns of stress.csv.
pub const STRESS_COLUMNS: &[Column] = &[
    Column::new("scenario", ColumnKind::Text),
    Column::new("probability", ColumnKind::Number),
    Column::new("mineral", ColumnKind::Text),
    Column::new("delivered", ColumnKind::Quantity),
    Column::new("shortfall", ColumnKind::Quantity),
    Column::new("spot_quantity", ColumnKind::Quantity),
    Column::new("spot_cost", ColumnKind::Cost),
    Column::new("unmet", ColumnKind::Quantity),
    Column::new("unmet_cost", ColumnKind::Cost),
    Column::new("contract_cost", ColumnKind::Cost),
    Column::new("total_cost", ColumnKind::Cost),
];

/// The columns of stress_summary.csv.
pub const STRESS_SUMMARY_COLUMNS: &[Column] = &[
    Column::new("metric", ColumnKind::Text),
    Column::new("value", ColumnKind::Number),
];

impl StressReport {
    /// The two result tables: `stress` (a row per scenario and mineral) and
    /// `stress_summary` (metric, value).
    pub fn tables(&self) -> Vec<Table<'_>> {
        let s = &self.summary;
        vec![
            Table::from_rows("stress", STRESS_COLUMNS, &self.rows, |c, r| {
                c.text(&r.scenario).num(r.probability).text(&r.mineral);
                c.num(r.delivered).num(r.shortfall);
                c.num(r.spot_quantity).num(r.spot_cost);
                c.num(r.unmet).num(r.unmet_cost);
                c.num(r.contract_cost).num(r.total_cost);
                c.end();
            }),
            Table::new("stress_summary", STRESS_SUMMARY_COLUMNS, 5, move |k, c| {
                match k {
                    0 => c.text("expected_cost").num(s.expected_cost),
                    1 => c.text("cvar_cost").num(s.cvar_cost),
                    2 => c.text("alpha").num(s.alpha),
                    3 => c.text("worst_scenario").text(&s.worst_scenario),
                    _ => c.text("worst_cost").num(s.worst_cost),
                };
                c.end();
            }),
        ]
    }
}
