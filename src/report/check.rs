//! The result of `check` as text.

use std::fmt::Write;

use super::text::{short, table};
use crate::analysis::check::CheckReport;

/// Renders the result of `check`: sizes per mineral, then findings.
pub fn render_check(report: &CheckReport) -> String {
    let mut out = String::new();
    let mut rows = vec![vec![
        "mineral".to_string(),
        "demand".into(),
        "offers".into(),
        "countries".into(),
        "capacity".into(),
        "policy rows".into(),
    ]];
    for m in &report.minerals {
        rows.push(vec![
            m.mineral.clone(),
            short(m.demand),
            m.offers.to_string(),
            m.countries.to_string(),
            m.capacity.map(short).unwrap_or_else(|| "unlimited".into()),
            m.policy_rows.to_string(),
        ]);
    }
    table(&mut out, &rows, &[0]);
    if report.findings.is_empty() {
        out.push_str("no suspicious data found\n");
    }
    for f in &report.findings {
        let _ = writeln!(out, "check: {f}");
    }
    out
}
