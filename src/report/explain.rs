//! The result of `explain` as a file (explain.csv) and as text.

use super::table::{Cells, Column, ColumnKind, Table};
use crate::analysis::explain::ExplainReport;

/// Name of the file `explain` writes.
pub const EXPLAIN_CSV: &str = "explain.csv";

/// The columns of explain.csv.
pub const EXPLAIN_COLUMNS: &[Column] = &[
    Column::new("constraint", ColumnKind::Text),
    Column::new("mineral", ColumnKind::Text),
    Column::new("target", ColumnKind::Text),
    Column::new("bound", ColumnKind::Number),
    Column::new("relaxed_bound", ColumnKind::Number),
];

/// explain.csv of `report`: `constraint,mineral,target,bound,relaxed_bound` (a header
/// only for a feasible model).
pub fn explain_table(report: &ExplainReport) -> Table<'_> {
    Table::from_rows("explain", EXPLAIN_COLUMNS, &report.relaxations, |c, r| {
        c.text(r.constraint).text(&r.mineral).text(&r.target);
        c.num(r.bound).num(r.relaxed_bound);
        c.end();
    })
}

/// The report in words.
pub fn render_explain(report: &ExplainReport) -> String {
    if report.feasible {
        return "the model has a solution as it stands: no rule needs to move\n".into();
    }
    let mut out = String::new();
    for a in &report.accounts {
        out.push_str(a);
        out.push('\n');
    }
    out
}
