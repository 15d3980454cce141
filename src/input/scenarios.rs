//! scenarios.csv: named disruptions, each a set of shocks with one probability.

use std::collections::BTreeMap;

use super::files::SCENARIOS;
use super::number::Domain;
use super::table::{read_table, Columns, ModelFiles};
use crate::error::{InputErrors, InputIssue};
use crate::model::{Model, Scenario, Shock};

/// Slack allowed when probabilities are added up.
use crate::tolerance::PROBABILITY_SUM_SLACK;

const COLUMNS: Columns = Columns {
    required: &["scenario", "probability"],
    optional: &[
        "mineral",
        "country",
        "supplier",
        "capacity_factor",
        "price_factor",
    ],
};

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
        let name = table.required_text(r, "scenario", errors);
        let probability = table.number(r, "probability", Domain::Fraction, errors);
        let capacity_factor =
            table.optional_number(r, "capacity_factor", Domain::NonNegative, errors);
        let price_factor = table.optional_number(r, "price_factor", Domain::Positive, errors);
        let wild = |s: &str| s.is_empty() || s == "*";
        let mineral_text = table.text(r, "mineral");
        let mineral = if wild(mineral_text) {
            Some(None)
        } else {
            let key = mineral_text.to_lowercase();
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
                        mineral_text,
                        "is not a mineral of this model; expected *, empty or a mineral of demand.csv",
                    ));
                    None
                }
            }
        };
        let country_text = table.text(r, "country");
        let country = if wild(country_text) {
            Some(None)
        } else {
            let code = country_text.to_ascii_uppercase();
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
                        country_text,
                        "is not a country of this model; expected *, empty or an ISO3 code of suppliers.csv",
                    ));
                    None
                }
            }
        };
        let supplier_text = table.text(r, "supplier");
        let supplier = if wild(supplier_text) {
            Some(None)
        } else if let Some(s) = suppliers.get(supplier_text) {
            Some(Some(s))
        } else {
            errors.push(InputIssue::cell(
                SCENARIOS,
                r.line,
                "supplier",
                supplier_text,
                "is not a supplier of this model; expected *, empty or a supplier id of suppliers.csv",
            ));
            None
        };
        let (
            Some(name),
            Some(probability),
            Ok(cf),
            Ok(pf),
            Some(mineral),
            Some(country),
            Some(supplier),
        ) = (
            name,
            probability,
            capacity_factor,
            price_factor,
            mineral,
            country,
            supplier,
        )
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
        scenarios[k].shocks.push(Shock {
            mineral,
            country,
            supplier,
            capacity_factor: cf.unwrap_or(1.0),
            price_factor: pf.unwrap_or(1.0),
            line: r.line,
        });
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
