//! The readable summary printed by `solve`.

use std::fmt::Write;

use super::Report;
use crate::solve::Status;
use crate::write::numbers::plain;

/// Rounds for display: 6 significant digits.
pub(super) fn short(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return plain(v);
    }
    let digits = (6 - 1 - v.abs().log10().floor() as i32).clamp(0, 9) as usize;
    plain(format!("{v:.digits$}").parse().unwrap_or(v))
}

pub(super) fn pct(v: Option<f64>) -> String {
    v.map(|v| format!("{:.1}%", v * 100.0)).unwrap_or_default()
}

/// How many binding rules the summary of `solve` names, most expensive first.
const COSTLY_RULES: usize = 5;

/// Renders `report` as aligned text tables.
pub fn render_text(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "status: {}", report.status.name());
    if report.status == Status::Optimal || report.status == Status::Feasible {
        let _ = writeln!(out, "total cost: {}", short(report.total_cost));
    }
    for p in &report.problems {
        let _ = writeln!(out, "{p}");
    }
    if !report.summary.iter().any(|s| s.mineral != "*") {
        return out;
    }
    out.push('\n');
    let stock = report.summary.iter().any(|s| s.stock.is_some());
    let mut rows = vec![vec![
        "mineral".to_string(),
        "demand".into(),
        "purchased".into(),
        "unmet".into(),
        "cost".into(),
        "avg cost".into(),
        "HHI".into(),
        "avg risk".into(),
        "top country".into(),
        "suppliers".into(),
        "countries".into(),
    ]];
    if stock {
        rows[0].extend(["stock held".into(), "stock built".into()]);
    }
    for s in &report.summary {
        rows.push(vec![
            s.mineral.to_string(),
            short(s.demand),
            short(s.purchased),
            short(s.unmet),
            short(s.cost),
            s.avg_unit_cost.map(short).unwrap_or_default(),
            s.hhi.map(short).unwrap_or_default(),
            s.avg_risk.map(short).unwrap_or_default(),
            if s.top_country.is_empty() {
                String::new()
            } else {
                format!("{} {}", s.top_country, pct(s.top_country_share))
            },
            s.suppliers.to_string(),
            s.countries.to_string(),
        ]);
        if let Some(k) = &s.stock {
            let row = rows.last_mut().expect("just pushed");
            row.extend([short(k.stock), short(k.stock_built)]);
        }
    }
    table(&mut out, &rows, &[0, 8]);
    out.push_str(&super::words::costly_rules(report, COSTLY_RULES));
    out
}

/// Writes `rows` as aligned columns: those in `left` left-aligned, the rest right-aligned.
pub(super) fn table(out: &mut String, rows: &[Vec<String>], left: &[usize]) {
    let cols = rows[0].len();
    let widths: Vec<usize> = (0..cols)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    for r in rows {
        let mut line = String::new();
        for (c, cell) in r.iter().enumerate() {
            if c > 0 {
                line.push_str("  ");
            }
            let pad = widths[c] - cell.chars().count();
            if left.contains(&c) {
                line.push_str(cell);
                line.push_str(&" ".repeat(pad));
            } else {
                line.push_str(&" ".repeat(pad));
                line.push_str(cell);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
}

/// The `solvers` listing: one line per backend, then the `auto` rule.
pub fn render_solvers(catalog: &[crate::engine::SolverInfo]) -> String {
    let mut text = String::from("solver    integers  duals  time_limit  description\n");
    let yn = |b: bool| if b { "yes" } else { "no" };
    for s in catalog {
        let c = s.capabilities;
        let _ = writeln!(
            text,
            "{:<9} {:<9} {:<6} {:<11} {}",
            s.name,
            yn(c.integers),
            yn(c.duals),
            yn(c.time_limit),
            s.description
        );
    }
    text.push_str(&crate::engine::SolverKind::auto_rule());
    text.push('\n');
    text
}
