//! demand.csv: one row per mineral with its quantity and optional unmet penalty.

use std::collections::BTreeMap;

use super::files::DEMAND;
use super::number::Domain;
use super::table::{read_table, Columns, ModelFiles, Record, Reported, Table};
use crate::error::{InputErrors, InputIssue};

/// A demand row as read.
pub struct RawMineral {
    pub name: String,
    pub key: String,
    pub quantity: f64,
    pub unmet_penalty: Option<f64>,
    pub line: u64,
    pub stock: Option<crate::model::Stock>,
}

const COLUMNS: Columns = Columns {
    required: &["mineral", "quantity"],
    optional: &[
        "unmet_penalty",
        "stock_on_hand",
        "holding_cost",
        "stock_cap",
    ],
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
        let stock = stock_cells(&table, r, errors);
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
        if let (Some(quantity), Ok(unmet_penalty), Ok(stock)) = (quantity, penalty, stock) {
            out.push(RawMineral {
                name: name.to_string(),
                key,
                quantity,
                unmet_penalty,
                line: r.line,
                stock,
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

/// The stock columns of one row: `None` when the file has none of them (empty cells are
/// 0 stock on hand, 0 holding cost, no cap); a cap below the stock on hand is an error
/// at the cap's cell.
fn stock_cells(
    table: &Table,
    r: &Record,
    errors: &mut InputErrors,
) -> Result<Option<crate::model::Stock>, Reported> {
    if !["stock_on_hand", "holding_cost", "stock_cap"]
        .iter()
        .any(|c| table.has_column(c))
    {
        return Ok(None);
    }
    let on_hand = table.optional_number(r, "stock_on_hand", Domain::NonNegative, errors);
    let holding = table.optional_number(r, "holding_cost", Domain::NonNegative, errors);
    let cap = table.optional_number(r, "stock_cap", Domain::NonNegative, errors);
    let (on_hand, holding_cost, cap) = (on_hand?.unwrap_or(0.0), holding?.unwrap_or(0.0), cap?);
    if let Some(c) = cap.filter(|&c| c < on_hand) {
        errors.push(InputIssue::cell(
            DEMAND,
            r.line,
            "stock_cap",
            table.text(r, "stock_cap"),
            format!(
                "{c} is below stock_on_hand {on_hand}; expected a cap of at least the stock on hand"
            ),
        ));
        return Err(Reported);
    }
    Ok(Some(crate::model::Stock {
        on_hand,
        holding_cost,
        cap,
    }))
}
