//! The result of `explain` as a file (explain.csv) and as text.

use crate::analysis::explain::ExplainReport;
use crate::write::CsvOut;

/// Name of the file `explain` writes.
pub const EXPLAIN_CSV: &str = "explain.csv";

/// explain.csv of `report` as bytes: `constraint,mineral,target,bound,relaxed_bound`.
pub fn explain_files(report: &ExplainReport) -> Vec<(&'static str, Vec<u8>)> {
    let mut c = CsvOut::new(&["constraint", "mineral", "target", "bound", "relaxed_bound"]);
    for r in &report.relaxations {
        c.text(r.constraint).text(&r.mineral).text(&r.target);
        c.num(r.bound).num(r.relaxed_bound);
        c.end();
    }
    vec![(EXPLAIN_CSV, c.finish())]
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
