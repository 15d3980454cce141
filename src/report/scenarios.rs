//! The result of `scenarios` as a file (scenarios.csv) and as text.

use std::fmt::Write;

use super::table::{Cells, Column, ColumnKind, Dialect, Table};
use super::text::table;
use crate::analysis::sampling::SampledScenarios;
use crate::input::SCENARIO_COLUMNS;
use crate::write::numbers::plain;

/// Most scenarios listed by [`render_scenarios`].
const LISTED: usize = 10;

/// The columns of scenarios.csv (the layout `stress` and `solve --robust` read).
pub const SCENARIOS_COLUMNS: &[Column] = &[
    Column::new(SCENARIO_COLUMNS[0], ColumnKind::Text),
    Column::new(SCENARIO_COLUMNS[1], ColumnKind::Number),
    Column::new(SCENARIO_COLUMNS[2], ColumnKind::Text),
    Column::new(SCENARIO_COLUMNS[3], ColumnKind::Text),
    Column::new(SCENARIO_COLUMNS[4], ColumnKind::Text),
    Column::new(SCENARIO_COLUMNS[5], ColumnKind::Number),
    Column::new(SCENARIO_COLUMNS[6], ColumnKind::Number),
];

/// [`SCENARIOS_COLUMNS`] and `stage`, for scenarios sampled at a stage (`--stage`).
const STAGE_COLUMNS: &[Column] = &[
    SCENARIOS_COLUMNS[0],
    SCENARIOS_COLUMNS[1],
    SCENARIOS_COLUMNS[2],
    SCENARIOS_COLUMNS[3],
    SCENARIOS_COLUMNS[4],
    SCENARIOS_COLUMNS[5],
    SCENARIOS_COLUMNS[6],
    Column::new("stage", ColumnKind::Text),
];

/// The scenarios.csv of sampled scenarios: one row per disrupted country of each scenario
/// (mineral `*`, capacity_factor = severity), scenarios most frequent first. Probabilities
/// are written with all their digits, so that they add up to at most 1 when read back.
/// Scenarios sampled at a stage carry a last column `stage`.
pub fn scenarios_table(sampled: &SampledScenarios) -> Table<'_> {
    let columns = match sampled.stage {
        Some(_) => STAGE_COLUMNS,
        None => SCENARIOS_COLUMNS,
    };
    // Row k is country `at[k].1` of scenario `at[k].0`.
    let at: Vec<(usize, usize)> = sampled
        .scenarios
        .iter()
        .enumerate()
        .flat_map(|(s, sc)| (0..sc.countries.len()).map(move |c| (s, c)))
        .collect();
    Table::new("scenarios", columns, at.len(), move |k, o| {
        let (s, c) = at[k];
        let s = &sampled.scenarios[s];
        // Rust's `{}` for f64: the shortest digits that read back to the same value, never
        // an exponent, the same on every platform.
        let probability = format!("{}", s.probability);
        o.text(&s.name).decimal(&probability, s.probability);
        o.text("*").text(&s.countries[c]).text("");
        o.num(sampled.severity).text("");
        if let Some(stage) = &sampled.stage {
            o.text(stage);
        }
        o.end();
    })
}

/// [`scenarios_table`] as RFC 4180 bytes.
pub fn scenarios_csv(sampled: &SampledScenarios) -> Vec<u8> {
    scenarios_table(sampled).to_csv(Dialect::Rfc4180)
}

/// The text summary of sampled scenarios: what was sampled, the baseline, each country's
/// sampled frequency against its probability, and the most frequent scenarios.
pub fn render_scenarios(r: &SampledScenarios) -> String {
    let n = r.samples as f64;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} samples (seed {}), disrupted countries' offers{} at capacity_factor {}; {}",
        r.samples,
        r.seed,
        match &r.stage {
            Some(s) => format!(" (what passes through them at the {s} stage)"),
            None => String::new(),
        },
        plain(r.severity),
        match &r.correlation {
            Some(f) => format!("correlations from {f}"),
            None => "countries disrupted independently (no --correlation)".into(),
        }
    );
    let _ = writeln!(
        out,
        "baseline (no disruption): {} samples, probability {}\n\
         {} distinct disruption patterns written as scenarios (identical samples merged: \
         probability = samples / {})\n",
        r.baseline_samples,
        plain(r.baseline_samples as f64 / n),
        r.scenarios.len(),
        r.samples
    );
    let mut rows = vec![vec![
        "country".to_string(),
        "disruption_prob".into(),
        "sampled".into(),
    ]];
    for c in &r.countries {
        rows.push(vec![
            c.country.clone(),
            plain(c.disruption_prob),
            plain(c.sampled),
        ]);
    }
    table(&mut out, &rows, &[0]);
    if r.scenarios.is_empty() {
        return out;
    }
    let mut rows = vec![vec![
        "scenario".to_string(),
        "samples".into(),
        "probability".into(),
    ]];
    for s in r.scenarios.iter().take(LISTED) {
        rows.push(vec![
            s.name.clone(),
            s.samples.to_string(),
            plain(s.probability),
        ]);
    }
    out.push('\n');
    table(&mut out, &rows, &[0]);
    if r.scenarios.len() > LISTED {
        let _ = writeln!(out, "… and {} more", r.scenarios.len() - LISTED);
    }
    out
}
