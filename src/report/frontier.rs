//! frontier.csv as a [`Table`] (the plot, frontier.svg, is drawn by
//! [`crate::analysis::frontier::plot`]).

use super::table::{Cells, Column, ColumnKind, Table};
use crate::analysis::frontier::Frontier;

/// The columns of frontier.csv.
pub const FRONTIER_COLUMNS: &[Column] = &[
    Column::new("point", ColumnKind::Count),
    Column::new("bound", ColumnKind::Number),
    Column::new("cost", ColumnKind::Cost),
    Column::new("achieved", ColumnKind::Number),
];

/// frontier.csv: `point,bound,cost,achieved`, one row per point by bound ascending.
pub fn frontier_table(frontier: &Frontier) -> Table<'_> {
    Table::from_rows("frontier", FRONTIER_COLUMNS, &frontier.points, |c, p| {
        c.count(p.point).num(p.bound).num(p.cost).num(p.achieved);
        c.end();
    })
}
