//! discounts.csv (optional): lot discounts, `supplier,min_lots,discount` and an optional
//! `minerals`. Each row is one step: `discount` (a fraction) off the supplier's lots once
//! it wins at least `min_lots` of them. The rows of a supplier are its steps, with
//! `min_lots` and `discount` increasing. `minerals` names the lots (`;` between
//! minerals), empty or `*` for all the supplier's offers; it is the same on every row of
//! a supplier.

use std::collections::BTreeMap;

use super::bundles::{cell, mineral_offer};
use super::files::DISCOUNTS;
use super::number::Domain;
use super::table::{read_table, Columns, ModelFiles, Record, Table};
use super::SupplierLookup;
use crate::error::{InputErrors, InputIssue};
use crate::model::coupling::{LotDiscount, Step};
use crate::model::Model;

const COLUMNS: Columns = Columns {
    required: &["supplier", "min_lots", "discount"],
    optional: &["minerals"],
};

/// Reads discounts.csv: one lot discount per supplier, in order of first appearance.
pub fn read(
    files: &ModelFiles,
    model: &Model,
    errors: &mut InputErrors,
    warnings: &mut Vec<String>,
) -> Vec<LotDiscount> {
    let Some(table) = read_table(files, DISCOUNTS, &COLUMNS, errors, warnings) else {
        return Vec::new();
    };
    let mut suppliers = SupplierLookup::new(model);
    let mut discounts: Vec<LotDiscount> = Vec::new();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    for r in &table.records {
        let Some((lots, step)) = read_row(&table, r, model, &mut suppliers, errors) else {
            continue;
        };
        let supplier = model.offers[lots[0]].supplier.clone();
        let Some(&k) = index.get(supplier.as_str()) else {
            index.insert(supplier.to_string(), discounts.len());
            discounts.push(LotDiscount {
                supplier,
                lots,
                steps: vec![step],
            });
            continue;
        };
        let d = &mut discounts[k];
        let last = *d.steps.last().expect("a first step");
        let problem = if lots != d.lots {
            Some(("minerals", "names other lots than the supplier's first row; expected the same minerals on every row of a supplier".to_string()))
        } else if step.min_lots <= last.min_lots {
            Some((
                "min_lots",
                format!(
                    "is not above the supplier's previous step {}; expected steps that increase",
                    last.min_lots
                ),
            ))
        } else if step.fraction <= last.fraction {
            Some(("discount", format!("is not above the supplier's previous step's {}; expected a larger discount for more lots", last.fraction)))
        } else {
            None
        };
        match problem {
            Some((column, message)) => errors.push(cell(&table, r, column, &message)),
            None => d.steps.push(step),
        }
    }
    discounts
}

/// The lots and step of row `r`, or `None` (reported) when bad.
fn read_row(
    table: &Table,
    r: &Record,
    model: &Model,
    suppliers: &mut SupplierLookup,
    errors: &mut InputErrors,
) -> Option<(Vec<usize>, Step)> {
    let supplier = table.required_text(r, "supplier", errors);
    let min_lots = table.number(r, "min_lots", Domain::Count, errors);
    let fraction = table.number(r, "discount", Domain::Fraction, errors);
    let supplier = supplier?;
    let Some(found) = suppliers.get(supplier) else {
        errors.push(InputIssue::cell(
            DISCOUNTS,
            r.line,
            "supplier",
            supplier,
            "is not a supplier of this model; expected a supplier id from suppliers.csv",
        ));
        return None;
    };
    let lots = lots_of(table, r, model, &found.offers, errors)?;
    let (min_lots, fraction) = (min_lots?, fraction?);
    if min_lots < 1.0 || min_lots > lots.len() as f64 {
        let message = format!(
            "is not between 1 and the supplier's {} lots; expected a number of lots it can win",
            lots.len()
        );
        errors.push(cell(table, r, "min_lots", &message));
        return None;
    }
    if fraction <= 0.0 || fraction >= 1.0 {
        errors.push(cell(
            table,
            r,
            "discount",
            "is not strictly between 0 and 1; expected a fraction off such as 0.02",
        ));
        return None;
    }
    let step = Step {
        min_lots: min_lots as usize,
        fraction,
    };
    Some((lots, step))
}

/// The lots `minerals` names among the supplier's `offers` (all for empty or `*`),
/// ascending, or `None` (reported).
fn lots_of(
    table: &Table,
    r: &Record,
    model: &Model,
    offers: &[usize],
    errors: &mut InputErrors,
) -> Option<Vec<usize>> {
    let text = table.text(r, "minerals");
    let mut lots: Vec<usize> = if text.is_empty() || text == "*" {
        offers.to_vec()
    } else {
        let mut lots = Vec::new();
        for name in text.split(';').map(str::trim) {
            let Some(offer) = mineral_offer(model, offers, name) else {
                let message = format!("names {name:?}, which the supplier does not offer; expected minerals of its offers in suppliers.csv, separated by ;");
                errors.push(cell(table, r, "minerals", &message));
                return None;
            };
            lots.push(offer);
        }
        lots
    };
    lots.sort_unstable();
    lots.dedup();
    if let Some(&i) = lots.iter().find(|&&i| model.offers[i].tiers.is_some()) {
        let name = &model.minerals[model.offers[i].mineral].name;
        let message = format!("includes the {name} offer, which has price tiers in tiers.csv; expected lots without tiers (name the others in minerals)");
        errors.push(cell(table, r, "minerals", &message));
        return None;
    }
    Some(lots)
}
