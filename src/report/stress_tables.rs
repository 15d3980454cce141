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

/// The columns of stress.csv for a model with stock columns: those of
/// [`STRESS_COLUMNS`], then the stock's.
pub const STRESS_STOCK_COLUMNS: &[Column] = &[
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
    Column::new("stock_built", ColumnKind::Quantity),
    Column::new("stock", ColumnKind::Quantity),
    Column::new("drawdown", ColumnKind::Quantity),
    Column::new("drawdown_cost", ColumnKind::Cost),
    Column::new("holding_cost", ColumnKind::Cost),
];

/// The columns of stock.csv (a model with stock columns).
pub const STOCK_COLUMNS: &[Column] = &[
    Column::new("mineral", ColumnKind::Text),
    Column::new("stock_on_hand", ColumnKind::Quantity),
    Column::new("stock_built", ColumnKind::Quantity),
    Column::new("stock", ColumnKind::Quantity),
    Column::new("holding_cost", ColumnKind::Cost),
    Column::new("expected_drawdown", ColumnKind::Quantity),
    Column::new("expected_drawdown_cost", ColumnKind::Cost),
];

/// One row of stock.csv: a mineral's stock under the plan (the baseline's stress row)
/// and its expected drawdown over the scenarios.
struct StockLine<'a> {
    mineral: &'a str,
    cells: crate::analysis::stress::StockCells,
    drawdown: f64,
    drawdown_cost: f64,
}

/// stock.csv's rows: per mineral, then `*`, from the stress rows.
fn stock_lines(report: &StressReport) -> Vec<StockLine<'_>> {
    let mut lines: Vec<StockLine> = Vec::new();
    let baseline = report.rows.first().map(|r| r.scenario.as_str());
    for r in report
        .rows
        .iter()
        .filter(|r| Some(r.scenario.as_str()) == baseline)
    {
        if let Some(cells) = r.stock {
            lines.push(StockLine {
                mineral: &r.mineral,
                cells,
                drawdown: 0.0,
                drawdown_cost: 0.0,
            });
        }
    }
    for r in &report.rows {
        let (Some(k), Some(line)) = (
            r.stock,
            lines.iter_mut().find(|l| l.mineral == r.mineral.as_str()),
        ) else {
            continue;
        };
        line.drawdown += r.probability * k.drawdown;
        line.drawdown_cost += r.probability * k.drawdown_cost;
    }
    lines
}

/// The columns of stress_summary.csv.
pub const STRESS_SUMMARY_COLUMNS: &[Column] = &[
    Column::new("metric", ColumnKind::Text),
    Column::new("value", ColumnKind::Number),
];

impl StressReport {
    /// The result tables: `stress` (a row per scenario and mineral) and
    /// `stress_summary` (metric, value), and with stock columns `stock` (per mineral its
    /// stock and expected drawdown).
    pub fn tables(&self) -> Vec<Table<'_>> {
        let s = &self.summary;
        let stock = self.rows.iter().any(|r| r.stock.is_some());
        let columns = if stock {
            STRESS_STOCK_COLUMNS
        } else {
            STRESS_COLUMNS
        };
        let mut tables = vec![
            Table::from_rows("stress", columns, &self.rows, |c, r| {
                c.text(&r.scenario).num(r.probability).text(&r.mineral);
                c.num(r.delivered).num(r.shortfall);
                c.num(r.spot_quantity).num(r.spot_cost);
                c.num(r.unmet).num(r.unmet_cost);
                c.num(r.contract_cost).num(r.total_cost);
                if let Some(k) = &r.stock {
                    c.num(k.stock_built).num(k.stock);
                    c.num(k.drawdown).num(k.drawdown_cost);
                    c.num(k.holding_cost);
                }
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
        ];
        if stock {
            let lines = stock_lines(self);
            tables.push(Table::new(
                "stock",
                STOCK_COLUMNS,
                lines.len(),
                move |k, c| {
                    let l = &lines[k];
                    c.text(l.mineral)
                        .num(l.cells.stock - l.cells.stock_built)
                        .num(l.cells.stock_built)
                        .num(l.cells.stock)
                        .num(l.cells.holding_cost)
                        .num(l.drawdown)
                        .num(l.drawdown_cost);
                    c.end();
                },
            ));
        }
        tables
    }
}
