//! The result of `stress` as files (stress.csv, stress_summary.csv) and as text.

use std::fmt::Write;

use super::text::{pct, short, table};
use crate::analysis::stress::StressReport;
use crate::write::numbers::plain;

/// Name of the per-scenario file.
pub const STRESS_CSV: &str = "stress.csv";
/// Name of the summary file.
pub const STRESS_SUMMARY_CSV: &str = "stress_summary.csv";

/// stress.csv and stress_summary.csv of `report` as bytes.
pub fn stress_files(report: &StressReport) -> Vec<(&'static str, Vec<u8>)> {
    let tables = report.tables();
    let csv = |t: &crate::report::Table| t.to_csv(crate::report::Dialect::Rfc4180);
    vec![
        (STRESS_CSV, csv(&tables[0])),
        (STRESS_SUMMARY_CSV, csv(&tables[1])),
    ]
}

/// The `stress` report as text: each scenario's totals, then the summary.
pub fn render_stress(report: &StressReport) -> String {
    let mut out = String::new();
    let mut rows = vec![vec![
        "scenario".to_string(),
        "probability".into(),
        "delivered".into(),
        "spot".into(),
        "unmet".into(),
        "cost".into(),
    ]];
    for r in report.rows.iter().filter(|r| r.mineral == "*") {
        rows.push(vec![
            r.scenario.to_string(),
            pct(Some(r.probability)),
            short(r.delivered),
            short(r.spot_quantity),
            short(r.unmet),
            short(r.total_cost),
        ]);
    }
    table(&mut out, &rows, &[0]);
    let s = &report.summary;
    let _ = writeln!(out, "\nexpected cost {}", short(s.expected_cost));
    let _ = writeln!(
        out,
        "CVaR {} (mean cost of the worst {} of outcomes) {}",
        plain(s.alpha),
        pct(Some(1.0 - s.alpha)),
        short(s.cvar_cost)
    );
    let _ = writeln!(
        out,
        "worst scenario {} at {}",
        s.worst_scenario,
        short(s.worst_cost)
    );
    out
}
