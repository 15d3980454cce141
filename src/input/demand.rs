//! demand.csv: one row per mineral with its quantity and optional unmet penalty.

use std::collections::BTreeMap;

use super::files::DEMAND;
use super::number::Domain;
use super::table::{read_table, Columns, ModelFiles};
use crate::error::{InputErrors, InputIssue};

/// A demand row as read.
pub struct RawMineral {
    pub name: String,
    pub key: String,
    pub quantity: f64,
    pub unmet_penalty: Option<f64>,
    pub line: u64,
}

const COLUMNS: Columns = Columns {
    required: &["mineral", "quantity"],
    optional: &["unmet_penalty"],
};

pub fn read(
    files: &ModelFiles,
    errors: &mut InputErrors,
    warnings: &mut Vec<String>,
) -> Option<Vec<RawMineral>> {
    let table = read_table(files, DEMAND, &COLUMNS, errors, warnings)?;
    let mut seen: BTreeMap<String, u64> = BTreeMap::new();
    let mut out = Vec::with_capacity(table.records.len());
    for r in &table.records {
        let name = table.required_text(r, "mineral", errors);
        let quantity = table.number(r, "quantity", Domain::Positive, errors);
        let penalty = table.optional_number(r, "unmet_penalty", Domain::NonNegative, errors);
        let Some(name) = name else { continue };
        if !super::check_name(DEMAND, r.line, "mineral", name, errors) {
            continue;
        }
        let key = name.to_lowercase();
        if let Some(first) = seen.get(&key) {
            errors.push(InputIssue::cell(
                DEMAND,
                r.line,
                "mineral",
                name,
                format!("repeats the mineral of line {first}; expected one row per mineral"),
            ));
            continue;
        }
        seen.insert(key.clone(), r.line);
        if let (Some(quantity), Ok(unmet_penalty)) = (quantity, penalty) {
            out.push(RawMineral {
                name: name.to_string(),
                key,
                quantity,
                unmet_penalty,
                line: r.line,
            });
        }
    }
    if table.records.is_empty() {
        errors.push(InputIssue::file(
            DEMAND,
            "has no data rows; expected one row per mineral",
        ));
    }
    Some(out)
}
