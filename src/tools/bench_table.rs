//! The `bench` report as a [`Table`] (`--format csv`, and the workbook of `--xlsx`).

use super::bench::BenchReport;
use crate::report::{Cells, Column, ColumnKind, Table};

/// The columns of the bench table: one row per solver (times in seconds), with the model
/// and the agreement repeated on each row so a spreadsheet filter keeps them.
pub const BENCH_COLUMNS: &[Column] = &[
    Column::new("model", ColumnKind::Text),
    Column::new("solver", ColumnKind::Text),
    Column::new("runs", ColumnKind::Count),
    Column::new("status", ColumnKind::Text),
    Column::new("objective", ColumnKind::Cost),
    Column::new("build_secs_min", ColumnKind::Number),
    Column::new("build_secs_median", ColumnKind::Number),
    Column::new("build_secs_max", ColumnKind::Number),
    Column::new("solve_secs_min", ColumnKind::Number),
    Column::new("solve_secs_median", ColumnKind::Number),
    Column::new("solve_secs_max", ColumnKind::Number),
    Column::new("max_rel_diff", ColumnKind::Number),
    Column::new("agree", ColumnKind::Text),
];

/// The bench table (sheet `bench`).
pub fn bench_table(report: &BenchReport) -> Table<'_> {
    Table::from_rows("bench", BENCH_COLUMNS, &report.results, move |c, r| {
        c.text(&report.model)
            .text(&r.solver)
            .count(r.runs)
            .text(&r.status)
            .opt(r.objective);
        for s in [r.build_secs, r.solve_secs] {
            c.num(s.min).num(s.median).num(s.max);
        }
        c.opt(report.agreement.max_rel_diff)
            .text(if report.agreement.agree { "yes" } else { "no" });
        c.end();
    })
}
