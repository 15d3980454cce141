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

/// The columns of frontier.csv for `frontier --stage`: the stage last.
pub const STAGED_FRONTIER_COLUMNS: &[Column] = &[
    FRONTIER_COLUMNS[0],
    FRONTIER_COLUMNS[1],
    FRONTIER_COLUMNS[2],
    FRONTIER_COLUMNS[3],
    Column::new("stage", ColumnKind::Text),
];

/// frontier.csv: `point,bound,cost,achieved`, one row per point by bound ascending; with
/// `--stage`, each row ends with the stage's name (`point,bound,cost,achieved,stage`).
pub fn frontier_table(frontier: &Frontier) -> Table<'_> {
    let stage = frontier.stage.as_deref();
    let columns = match stage {
        Some(_) => STAGED_FRONTIER_COLUMNS,
        None => FRONTIER_COLUMNS,
    };
    Table::from_rows("frontier", columns, &frontier.points, move |c, p| {
        c.count(p.point).num(p.bound).num(p.cost).num(p.achieved);
        if let Some(s) = stage {
            c.text(s);
        }
        c.end();
    })
}
