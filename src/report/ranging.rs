//! ranging.csv (`solve --ranging`) as a [`Table`].

use super::table::{Cells, Column, ColumnKind, Table};
use crate::analysis::ranging::Ranging;

/// The columns of ranging.csv.
pub const RANGING_COLUMNS: &[Column] = &[
    Column::new("kind", ColumnKind::Text),
    Column::new("mineral", ColumnKind::Text),
    Column::new("name", ColumnKind::Text),
    Column::new("target", ColumnKind::Text),
    Column::new("value", ColumnKind::Number),
    Column::new("lower", ColumnKind::Number),
    Column::new("upper", ColumnKind::Number),
    Column::new("shadow_price", ColumnKind::Cost),
    Column::new("reduced_cost", ColumnKind::Cost),
    Column::new("note", ColumnKind::Text),
];

/// ranging.csv: by mineral, its binding rows then its offers. An empty `lower` or
/// `upper` with an empty note means unbounded on that side.
pub fn ranging_table(ranging: &Ranging) -> Table<'_> {
    Table::from_rows("ranging", RANGING_COLUMNS, &ranging.rows, |c, r| {
        c.text(r.kind.name())
            .text(&r.mineral)
            .text(&r.name)
            .text(&r.target);
        c.num(r.value).opt(r.lower).opt(r.upper);
        c.opt(r.shadow_price).opt(r.reduced_cost).text(r.note);
        c.end();
    })
}
