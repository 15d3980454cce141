//! The result of `explain` as a file (explain.csv) and as text.

use serde::Serialize;

use super::table::{Cells, Column, ColumnKind, Table};
use super::words::no_solution_account;
use crate::analysis::explain::Explanation;
use crate::plan::{MineralRelaxation, RelaxationRow};

/// What `explain` found, with its words.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExplainReport {
    /// True when the model has a solution as it stands (nothing needs to move).
    pub feasible: bool,
    /// The least total relaxation: Σ |bound change| + Σ shortfall / D.
    pub total_size: f64,
    /// The rows that must move (explain.csv), by mineral.
    pub relaxations: Vec<RelaxationRow>,
    /// Per mineral without a solution, the account in words.
    pub accounts: Vec<String>,
    /// What the soft rows and priorities mean here (see [`super::soft_notes`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl ExplainReport {
    /// The report of `explanation`.
    pub fn new(explanation: Explanation) -> ExplainReport {
        ExplainReport {
            feasible: explanation.feasible,
            total_size: explanation.total_size,
            accounts: accounts(&explanation.minerals),
            notes: Vec::new(),
            relaxations: explanation
                .minerals
                .into_iter()
                .flat_map(|m| m.rows)
                .collect(),
        }
    }
}

/// The account in words of each mineral without a solution.
pub(super) fn accounts(minerals: &[MineralRelaxation]) -> Vec<String> {
    minerals
        .iter()
        .map(|m| no_solution_account(&m.mineral, &m.rows))
        .collect()
}

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
    let mut out = String::new();
    if report.feasible {
        out.push_str("the model has a solution as it stands: no rule needs to move\n");
    }
    for a in report.accounts.iter().chain(&report.notes) {
        out.push_str(a);
        out.push('\n');
    }
    out
}
