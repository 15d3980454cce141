//! A plan for `stress`: contracted quantities per offer, in the layout of the
//! allocation.csv that `solve` writes (`mineral,supplier,quantity`, with `country` checked
//! when present and solve's other columns ignored).

use rustc_hash::FxHashMap;

use super::number::Domain;
use super::table::{read_table, Columns, ModelFiles};
use crate::error::{Error, InputErrors, InputIssue, Result};
use crate::model::Model;
use crate::tolerance::FEASIBILITY;

const COLUMNS: Columns = Columns {
    required: &["mineral", "supplier", "quantity"],
    optional: &["country", "share", "landed_unit_cost", "cost"],
};

/// Contracted quantities, one per offer of the model (`Model::offers` order; 0 for
/// offers the plan does not name).
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// x_i per offer.
    pub quantities: Vec<f64>,
    /// Things worth knowing that do not stop the run (extra columns, an empty plan).
    pub warnings: Vec<String>,
}

/// Reads plan file `name` of `files` against `model`. Every row must name an offer of
/// the model once, with a quantity within its capacity; a mineral's quantities may not
/// add up to more than its demand. All problems are reported, each with its line.
pub fn parse_plan(files: &ModelFiles, name: &str, model: &Model) -> Result<Plan> {
    let mut errors = InputErrors::default();
    let mut warnings = Vec::new();
    let Some(table) = read_table(files, name, &COLUMNS, &mut errors, &mut warnings) else {
        return Err(Error::Input(errors));
    };
    let mineral_of: FxHashMap<String, usize> = model
        .minerals
        .iter()
        .enumerate()
        .map(|(m, mineral)| (mineral.name.to_lowercase(), m))
        .collect();
    let offer_of: FxHashMap<(usize, &str), usize> = model
        .offers
        .iter()
        .enumerate()
        .map(|(i, o)| ((o.mineral, o.supplier.as_str()), i))
        .collect();
    let mut quantities = vec![0.0; model.offers.len()];
    let mut line_of: Vec<Option<u64>> = vec![None; model.offers.len()];
    let has_country = table.has_column("country");
    for r in &table.records {
        let mineral = table.required_text(r, "mineral", &mut errors);
        let supplier = table.required_text(r, "supplier", &mut errors);
        let quantity = table.number(r, "quantity", Domain::NonNegative, &mut errors);
        let Some(m) = mineral.and_then(|text| {
            let m = mineral_of.get(&text.to_lowercase()).copied();
            if m.is_none() {
                errors.push(InputIssue::cell(
                    name,
                    r.line,
                    "mineral",
                    text,
                    format!(
                        "is not a mineral of the model; expected one of: {}",
                        super::list(model.minerals.iter().map(|m| m.name.as_str()))
                    ),
                ));
            }
            m
        }) else {
            continue;
        };
        let Some(supplier) = supplier else { continue };
        let Some(&i) = offer_of.get(&(m, supplier)) else {
            errors.push(InputIssue::cell(
                name,
                r.line,
                "supplier",
                supplier,
                format!(
                    "has no offer of {} in suppliers.csv; expected a supplier offering it",
                    model.minerals[m].name
                ),
            ));
            continue;
        };
        let offer = &model.offers[i];
        if has_country {
            let country = table.text(r, "country");
            let code = &model.countries[offer.country].code;
            if !country.is_empty() && !country.eq_ignore_ascii_case(code) {
                errors.push(InputIssue::cell(
                    name,
                    r.line,
                    "country",
                    country,
                    format!(
                        "differs from the offer's country in suppliers.csv; expected {code} (suppliers.csv:{})",
                        offer.line
                    ),
                ));
            }
        }
        if let Some(first) = line_of[i] {
            errors.push(InputIssue::cell(
                name,
                r.line,
                "supplier",
                supplier,
                format!(
                    "is planned for {} again (first on line {first}); expected one row per offer",
                    model.minerals[m].name
                ),
            ));
            continue;
        }
        line_of[i] = Some(r.line);
        let Some(x) = quantity else { continue };
        if let Some(cap) = offer.capacity {
            if x > cap + FEASIBILITY * model.minerals[m].demand {
                errors.push(InputIssue::cell(
                    name,
                    r.line,
                    "quantity",
                    &crate::write::numbers::plain(x),
                    format!(
                        "is above the offer's capacity; expected at most {} (suppliers.csv:{})",
                        crate::write::numbers::plain(cap),
                        offer.line
                    ),
                ));
                continue;
            }
        }
        quantities[i] = x;
    }
    for (m, mineral) in model.minerals.iter().enumerate() {
        let bought: f64 = quantities[mineral.offers.clone()].iter().sum();
        if bought > mineral.demand * (1.0 + FEASIBILITY) {
            errors.push(InputIssue::file(
                name,
                format!(
                    "buys {} of {}, more than its demand {} (demand.csv:{}); expected a plan that meets demand or leaves part of it unmet",
                    crate::write::numbers::plain(bought),
                    model.minerals[m].name,
                    crate::write::numbers::plain(mineral.demand),
                    mineral.line
                ),
            ));
        }
    }
    errors.into_result()?;
    if table.records.is_empty() {
        warnings.push(format!(
            "{name} has no rows: every mineral is bought on the spot market"
        ));
    }
    Ok(Plan {
        quantities,
        warnings,
    })
}
