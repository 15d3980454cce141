//! tiers.csv (optional): price tiers per offer, `supplier,mineral,kind,from,unit_cost`.
//! Each row opens a bracket at `from` (> 0) at `unit_cost`; the bracket from 0 is the
//! offer's own unit cost in suppliers.csv. Rows of one offer share one kind and list
//! strictly increasing thresholds; all-units prices never rise from one bracket to the
//! next (a discount schedule).

use std::collections::BTreeMap;

use super::files::TIERS;
use super::number::Domain;
use super::table::{read_table, Columns, ModelFiles, Record, Table};
use super::SupplierLookup;
use crate::error::{InputErrors, InputIssue};
use crate::model::tiers::{Bracket, TierKind, Tiers};
use crate::model::Model;

const COLUMNS: Columns = Columns {
    required: &["supplier", "mineral", "kind", "from", "unit_cost"],
    optional: &[],
};

/// Reads tiers.csv and attaches each offer's tiers to `model`.
pub fn read(
    files: &ModelFiles,
    model: &mut Model,
    errors: &mut InputErrors,
    warnings: &mut Vec<String>,
) {
    let Some(table) = read_table(files, TIERS, &COLUMNS, errors, warnings) else {
        return;
    };
    let mut lists: BTreeMap<usize, Tiers> = BTreeMap::new();
    let mut suppliers = SupplierLookup::new(model);
    for r in &table.records {
        let Some((offer, kind, from, unit_cost)) =
            read_row(&table, r, model, &mut suppliers, errors)
        else {
            continue;
        };
        let o = &model.offers[offer];
        let tariff = model.countries[o.country].tariff;
        let list = lists.entry(offer).or_insert_with(|| Tiers {
            kind,
            brackets: vec![Bracket {
                from: 0.0,
                unit_cost: o.unit_cost,
                landed_cost: o.landed_cost,
            }],
        });
        let last = list.brackets.last().expect("a first bracket");
        let problem = if kind != list.kind {
            Some((
                "kind",
                kind.name().to_string(),
                format!("expected {} as on the offer's first row", list.kind.name()),
            ))
        } else if from <= last.from {
            Some((
                "from",
                table.text(r, "from").to_string(),
                format!(
                    "is not above the offer's previous threshold {}; expected thresholds that increase",
                    last.from
                ),
            ))
        } else if kind == TierKind::AllUnits && unit_cost > last.unit_cost {
            Some((
                "unit_cost",
                table.text(r, "unit_cost").to_string(),
                format!(
                    "is above the previous bracket's {}; expected an all_units price that does not rise",
                    last.unit_cost
                ),
            ))
        } else {
            None
        };
        match problem {
            Some((column, value, message)) => {
                errors.push(InputIssue::cell(TIERS, r.line, column, &value, message))
            }
            None => list.brackets.push(Bracket {
                from,
                unit_cost,
                landed_cost: unit_cost * (1.0 + tariff) + o.freight,
            }),
        }
    }
    for (offer, list) in lists {
        model.offers[offer].tiers = Some(Box::new(list));
    }
}

/// The offer, kind, threshold and unit cost of row `r`, or `None` (reported) when bad.
fn read_row(
    table: &Table,
    r: &Record,
    model: &Model,
    suppliers: &mut SupplierLookup,
    errors: &mut InputErrors,
) -> Option<(usize, TierKind, f64, f64)> {
    let supplier = table.required_text(r, "supplier", errors);
    let mineral = table.required_text(r, "mineral", errors);
    let kind = table.required_text(r, "kind", errors);
    let from = table.number(r, "from", Domain::Positive, errors);
    let unit_cost = table.number(r, "unit_cost", Domain::NonNegative, errors);
    let kind = match kind? {
        "incremental" => TierKind::Incremental,
        "all_units" => TierKind::AllUnits,
        other => {
            errors.push(InputIssue::cell(
                TIERS,
                r.line,
                "kind",
                other,
                "is not a tier kind; expected incremental or all_units",
            ));
            return None;
        }
    };
    let (supplier, mineral) = (supplier?, mineral?);
    let Some(found) = suppliers.get(supplier) else {
        errors.push(InputIssue::cell(
            TIERS,
            r.line,
            "supplier",
            supplier,
            "is not a supplier of this model; expected a supplier id from suppliers.csv",
        ));
        return None;
    };
    let key = mineral.to_lowercase();
    let Some(&offer) = found
        .offers
        .iter()
        .find(|&&i| model.minerals[model.offers[i].mineral].name.to_lowercase() == key)
    else {
        errors.push(InputIssue::cell(
            TIERS,
            r.line,
            "mineral",
            mineral,
            format!("is not offered by supplier {supplier}; expected a mineral of one of its offers in suppliers.csv"),
        ));
        return None;
    };
    Some((offer, kind, from?, unit_cost?))
}
