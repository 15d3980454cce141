//! suppliers.csv: one row per offer (a supplier selling one mineral).

use std::collections::HashMap;

use super::files::SUPPLIERS;
use super::number::Domain;
use super::table::{read_table, Columns, ModelFiles};
use crate::error::{InputErrors, InputIssue};

/// An offer as read, before cross-references are resolved.
pub struct RawOffer {
    pub supplier: String,
    /// Index into [`Suppliers::minerals`].
    pub mineral: usize,
    pub country: [u8; 3],
    pub unit_cost: f64,
    pub capacity: Option<f64>,
    pub freight: f64,
    pub min_order: f64,
    pub fixed_cost: f64,
    pub line: u64,
}

const COLUMNS: Columns = Columns {
    required: &["supplier", "mineral", "country", "unit_cost"],
    optional: &["capacity", "freight", "min_order", "fixed_cost"],
};

/// suppliers.csv as read: offers, with mineral names interned.
#[derive(Default)]
pub struct Suppliers {
    pub offers: Vec<RawOffer>,
    /// (name as first written, lower-case key) of each mineral named.
    pub minerals: Vec<(String, String)>,
}

pub fn read(
    files: &ModelFiles,
    errors: &mut InputErrors,
    warnings: &mut Vec<String>,
) -> Option<Suppliers> {
    let table = read_table(files, SUPPLIERS, &COLUMNS, errors, warnings)?;
    let mut seen: HashMap<(&str, usize), u64> = HashMap::with_capacity(table.records.len());
    let mut by_raw: HashMap<&str, usize> = HashMap::new();
    let mut by_key: HashMap<String, usize> = HashMap::new();
    let mut minerals: Vec<(String, String)> = Vec::new();
    let mut out = Vec::with_capacity(table.records.len());
    for r in &table.records {
        let supplier = table.required_text(r, "supplier", errors);
        let mineral = table.required_text(r, "mineral", errors);
        let country = table
            .required_text(r, "country", errors)
            .and_then(|c| super::parse_iso3(SUPPLIERS, r.line, "country", c, errors));
        let unit_cost = table.number(r, "unit_cost", Domain::NonNegative, errors);
        let capacity = table.optional_number(r, "capacity", Domain::NonNegative, errors);
        let freight = table.optional_number(r, "freight", Domain::NonNegative, errors);
        let min_order = table.optional_number(r, "min_order", Domain::NonNegative, errors);
        let fixed_cost = table.optional_number(r, "fixed_cost", Domain::NonNegative, errors);
        let (Some(supplier), Some(mineral), Some(country), Some(unit_cost)) =
            (supplier, mineral, country, unit_cost)
        else {
            continue;
        };
        let (Ok(capacity), Ok(freight), Ok(min_order), Ok(fixed_cost)) =
            (capacity, freight, min_order, fixed_cost)
        else {
            continue;
        };
        if !super::check_name(SUPPLIERS, r.line, "supplier", supplier, errors)
            || !super::check_name(SUPPLIERS, r.line, "mineral", mineral, errors)
        {
            continue;
        }
        let m = match by_raw.get(mineral) {
            Some(&m) => m,
            None => {
                let key = mineral.to_lowercase();
                let m = *by_key.entry(key.clone()).or_insert_with(|| {
                    minerals.push((mineral.to_string(), key));
                    minerals.len() - 1
                });
                by_raw.insert(mineral, m);
                m
            }
        };
        let key = (supplier, m);
        if let Some(first) = seen.get(&key) {
            errors.push(InputIssue::cell(
                SUPPLIERS,
                r.line,
                "supplier",
                supplier,
                format!(
                    "offers {mineral} again (first on line {first}); expected supplier and mineral to be unique together"
                ),
            ));
            continue;
        }
        seen.insert(key, r.line);
        out.push(RawOffer {
            supplier: supplier.to_string(),
            mineral: m,
            country,
            unit_cost,
            capacity,
            freight: freight.unwrap_or(0.0),
            min_order: min_order.unwrap_or(0.0),
            fixed_cost: fixed_cost.unwrap_or(0.0),
            line: r.line,
        });
    }
    if table.records.is_empty() {
        errors.push(InputIssue::file(
            SUPPLIERS,
            "has no data rows; expected one row per offer",
        ));
    }
    Some(Suppliers {
        offers: out,
        minerals,
    })
}
