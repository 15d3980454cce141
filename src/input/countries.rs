//! countries.csv: risk, groups, tariff and disruption probability per country.

use std::collections::BTreeMap;

use super::files::COUNTRIES;
use super::number::Domain;
use super::table::{read_table, Columns, ModelFiles};
use crate::error::{InputErrors, InputIssue};

/// A country row as read.
pub struct RawCountry {
    pub code: String,
    pub risk: f64,
    pub groups: Vec<String>,
    pub tariff: f64,
    pub disruption_prob: Option<f64>,
    pub line: u64,
}

const COLUMNS: Columns = Columns {
    required: &["country", "risk"],
    optional: &["groups", "tariff", "disruption_prob"],
};

pub fn read(
    files: &ModelFiles,
    errors: &mut InputErrors,
    warnings: &mut Vec<String>,
) -> Option<Vec<RawCountry>> {
    let table = read_table(files, COUNTRIES, &COLUMNS, errors, warnings)?;
    let mut seen: BTreeMap<String, u64> = BTreeMap::new();
    let mut out = Vec::with_capacity(table.records.len());
    for r in &table.records {
        let code = table
            .required_text(r, "country", errors)
            .and_then(|c| super::parse_iso3(COUNTRIES, r.line, "country", c, errors))
            .map(|c| super::iso3_str(&c).to_string());
        let risk = table.number(r, "risk", Domain::NonNegative, errors);
        let tariff = table.optional_number(r, "tariff", Domain::NonNegative, errors);
        let prob = table.optional_number(r, "disruption_prob", Domain::Fraction, errors);
        let groups_text = table.text(r, "groups");
        let mut groups: Vec<String> = Vec::new();
        let mut groups_ok = true;
        for tag in groups_text.split(';').map(str::trim) {
            if tag.is_empty() {
                continue;
            }
            if !super::check_name(COUNTRIES, r.line, "groups", tag, errors) {
                groups_ok = false;
            }
            groups.push(tag.to_string());
        }
        groups.sort();
        groups.dedup();
        let Some(code) = code else { continue };
        if let Some(first) = seen.get(&code) {
            errors.push(InputIssue::cell(
                COUNTRIES,
                r.line,
                "country",
                &code,
                format!("repeats the country of line {first}; expected one row per country"),
            ));
            continue;
        }
        seen.insert(code.clone(), r.line);
        if let (Some(risk), Ok(tariff), Ok(disruption_prob), true) = (risk, tariff, prob, groups_ok)
        {
            out.push(RawCountry {
                code,
                risk,
                groups,
                tariff: tariff.unwrap_or(0.0),
                disruption_prob,
                line: r.line,
            });
        }
    }
    Some(out)
}
