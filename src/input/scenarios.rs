//! scenarios.csv: named disruptions, each a set of shocks with one probability.

use std::collections::BTreeMap;

use super::files::SCENARIOS;
use super::number::Domain;
use super::table::{read_table, Columns, ModelFiles, Record, Table};
use crate::error::{InputErrors, InputIssue};
use crate::model::{Model, Scenario, Shock, SupplierRef};

use crate::tolerance::PROBABILITY_SUM_SLACK;

/// The columns of scenarios.csv in SPEC order: what the reader accepts, what `scenarios`
/// writes and what the bundled models carry. The first two are required.
pub const SCENARIO_COLUMNS: [&str; 7] = [
    "scenario",
    "probability",
    "mineral",
    "country",
    "supplier",
    "capacity_factor",
    "price_factor",
];

const COLUMNS: Columns = Columns {
    required: SCENARIO_COLUMNS.split_at(2).0,
    optional: &[
        "mineral",
        "country",
        "supplier",
        "capacity_factor",
        "price_factor",
        "stage",
    ],
};
const _: () = assert!(SCENARIO_COLUMNS.len() == 7);

/// Reads scenarios.csv: every row is a shock of its scenario; rows of one scenario must
/// give the same probability, and probabilities add up to at most 1.
pub fn read(
    files: &ModelFiles,
    model: &Model,
    errors: &mut InputErrors,
    warnings: &mut Vec<String>,
) -> Vec<Scenario> {
    let Some(table) = read_table(files, SCENARIOS, &COLUMNS, errors, warnings) else {
        return Vec::new();
    };
    let mut scenarios: Vec<Scenario> = Vec::new();
    let mut index: BTreeMap<String, (usize, u64)> = BTreeMap::new();
    let mut suppliers = super::SupplierLookup::new(model);
    for r in &table.records {
        let Some((name, probability, shock)) = read_row(&table, r, model, &mut suppliers, errors)
        else {
            continue;
        };
        if name == "baseline" {
            errors.push(InputIssue::cell(
                SCENARIOS,
                r.line,
                "scenario",
                name,
                "is reserved for the unshocked case; expected another name",
            ));
            continue;
        }
        let k = match index.get(name) {
            Some(&(k, first)) => {
                if scenarios[k].probability != probability {
                    errors.push(InputIssue::cell(
                        SCENARIOS,
                        r.line,
                        "probability",
                        &probability.to_string(),
                        format!(
                            "differs from line {first} of the same scenario ({}); expected the same probability on every row",
                            scenarios[k].probability
                        ),
                    ));
                    continue;
                }
                k
            }
            None => {
                index.insert(name.to_string(), (scenarios.len(), r.line));
                scenarios.push(Scenario {
                    name: name.to_string(),
                    probability,
                    shocks: Vec::new(),
                });
                scenarios.len() - 1
            }
        };
        scenarios[k].shocks.push(shock);
    }
    let total: f64 = scenarios.iter().map(|s| s.probability).sum();
    if total > 1.0 + PROBABILITY_SUM_SLACK {
        errors.push(InputIssue::file(
            SCENARIOS,
            format!(
                "probabilities add up to {total}; expected at most 1 (the rest is the baseline)"
            ),
        ));
    }
    scenarios
}

/// One row: (scenario name, probability, shock), or `None` with its problems recorded.
fn read_row<'t>(
    table: &'t Table,
    r: &Record,
    model: &Model,
    suppliers: &mut super::SupplierLookup<'_>,
    errors: &mut InputErrors,
) -> Option<(&'t str, f64, Shock)> {
    let name = table.required_text(r, "scenario", errors);
    let probability = table.number(r, "probability", Domain::Fraction, errors);
    let capacity_factor = table.optional_number(r, "capacity_factor", Domain::NonNegative, errors);
    let price_factor = table.optional_number(r, "price_factor", Domain::Positive, errors);
    let mineral = mineral_of(table, r, model, errors);
    let country = country_of(table, r, model, errors);
    let supplier = supplier_of(table, r, suppliers, errors);
    let stage = stage_of(table, r, model, errors);
    let (
        Some(name),
        Some(probability),
        Ok(cf),
        Ok(pf),
        Some(mineral),
        Some(country),
        Some(supplier),
        Some(stage),
    ) = (
        name,
        probability,
        capacity_factor,
        price_factor,
        mineral,
        country,
        supplier,
        stage,
    )
    else {
        return None;
    };
    let shock = Shock {
        mineral,
        country,
        stage,
        supplier,
        capacity_factor: cf.unwrap_or(1.0),
        price_factor: pf.unwrap_or(1.0),
        line: r.line,
    };
    Some((name, probability, shock))
}

/// `*` or empty: the shock matches every value.
fn wild(s: &str) -> bool {
    s.is_empty() || s == "*"
}

/// The row's mineral: `Some(None)` for all, `None` when unknown (reported).
fn mineral_of(
    table: &Table,
    r: &Record,
    model: &Model,
    errors: &mut InputErrors,
) -> Option<Option<usize>> {
    let text = table.text(r, "mineral");
    if wild(text) {
        return Some(None);
    }
    let key = text.to_lowercase();
    match model
        .minerals
        .iter()
        .position(|m| m.name.to_lowercase() == key)
    {
        Some(m) => Some(Some(m)),
        None => {
            errors.push(InputIssue::cell(
                SCENARIOS,
                r.line,
                "mineral",
                text,
                "is not a mineral of this model; expected *, empty or a mineral of demand.csv",
            ));
            None
        }
    }
}

/// The row's country: `Some(None)` for all, `None` when unknown (reported).
fn country_of(
    table: &Table,
    r: &Record,
    model: &Model,
    errors: &mut InputErrors,
) -> Option<Option<usize>> {
    let text = table.text(r, "country");
    if wild(text) {
        return Some(None);
    }
    let code = text.to_ascii_uppercase();
    match model
        .countries
        .binary_search_by(|c| c.code.as_str().cmp(&code))
    {
        Ok(c) => Some(Some(c)),
        Err(_) => {
            errors.push(InputIssue::cell(
                SCENARIOS,
                r.line,
                "country",
                text,
                "is not a country of this model; expected *, empty or an ISO3 code of suppliers.csv",
            ));
            None
        }
    }
}

/// The row's stage: `Some(None)` for the shipping country (empty cell), `None` when
/// unknown (reported).
fn stage_of(
    table: &Table,
    r: &Record,
    model: &Model,
    errors: &mut InputErrors,
) -> Option<Option<usize>> {
    let text = table.text(r, "stage");
    if text.is_empty() {
        return Some(None);
    }
    if let Some(s) = model.stages.index(&text.to_lowercase()) {
        return Some(Some(s));
    }
    let expected = if model.stages.names.is_empty() {
        "is not a stage of this model (suppliers.csv has no origin_<stage> columns); expected an empty cell (the shipping country)".to_string()
    } else {
        format!(
            "is not a stage of this model; expected empty (the shipping country) or one of: {}",
            super::list(model.stages.names.iter().map(|n| n.as_str()))
        )
    };
    errors.push(InputIssue::cell(SCENARIOS, r.line, "stage", text, expected));
    None
}

/// The row's supplier with its offers: `Some(None)` for all, `None` when unknown
/// (reported).
fn supplier_of(
    table: &Table,
    r: &Record,
    suppliers: &mut super::SupplierLookup<'_>,
    errors: &mut InputErrors,
) -> Option<Option<SupplierRef>> {
    let text = table.text(r, "supplier");
    if wild(text) {
        return Some(None);
    }
    match suppliers.get(text) {
        Some(s) => Some(Some(s)),
        None => {
            errors.push(InputIssue::cell(
                SCENARIOS,
                r.line,
                "supplier",
                text,
                "is not a supplier of this model; expected *, empty or a supplier id of suppliers.csv",
            ));
            None
        }
    }
}
