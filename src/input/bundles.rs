//! bundles.csv (optional): bundle bids, `bundle,supplier,mineral,quantity` and one of
//! `price` (the joint price of all the bundle's lines) or `discount` (a fraction off
//! their value at the offers' unit costs). Rows with the same `bundle` id are its lines:
//! one supplier, each mineral once, a price or discount that agrees on every line that
//! gives one (the first line must).

use std::collections::BTreeMap;

use super::files::BUNDLES;
use super::number::Domain;
use super::table::{read_table, Columns, ModelFiles, Record, Table};
use super::SupplierLookup;
use crate::error::{InputErrors, InputIssue};
use crate::model::coupling::{Bundle, BundleLine, BundlePrice};
use crate::model::name::Name;
use crate::model::Model;

const COLUMNS: Columns = Columns {
    required: &["bundle", "supplier", "mineral", "quantity"],
    optional: &["price", "discount"],
};

/// Reads bundles.csv: the model's bundles in order of first appearance.
pub fn read(
    files: &ModelFiles,
    model: &Model,
    errors: &mut InputErrors,
    warnings: &mut Vec<String>,
) -> Vec<Bundle> {
    let Some(table) = read_table(files, BUNDLES, &COLUMNS, errors, warnings) else {
        return Vec::new();
    };
    let mut suppliers = SupplierLookup::new(model);
    let mut bundles: Vec<(Bundle, u64)> = Vec::new();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    for r in &table.records {
        let id = table.required_text(r, "bundle", errors);
        let offer = offer_of(&table, r, model, &mut suppliers, BUNDLES, errors);
        let quantity = table.number(r, "quantity", Domain::Positive, errors);
        let price = price_of(&table, r, errors);
        let (Some(id), Some(offer), Some(quantity), Ok(price)) = (id, offer, quantity, price)
        else {
            continue;
        };
        if model.offers[offer].tiers.is_some() {
            errors.push(cell(&table, r, "mineral", "has price tiers in tiers.csv; expected an offer without tiers (a bundle line is priced by the bundle)"));
            continue;
        }
        let line = BundleLine { offer, quantity };
        match index.get(id) {
            None => {
                let Some(price) = price else {
                    errors.push(cell(
                        &table,
                        r,
                        "price",
                        "is empty on the bundle's first line; expected a price or a discount",
                    ));
                    continue;
                };
                index.insert(id.to_string(), bundles.len());
                let bundle = Bundle {
                    name: Name::from(id),
                    supplier: model.offers[offer].supplier.clone(),
                    lines: vec![line],
                    price,
                };
                bundles.push((bundle, r.line));
            }
            Some(&k) => {
                let (bundle, first) = &mut bundles[k];
                if let Some(problem) = disagreement(bundle, *first, model, offer, price) {
                    let (column, message) = problem;
                    errors.push(cell(&table, r, column, &message));
                    continue;
                }
                bundle.lines.push(line);
            }
        }
    }
    bundles.into_iter().map(|(b, _)| b).collect()
}

/// What is wrong with a further line of `bundle` (first line `first`) for `offer` at
/// `price`: (column, message), or `None`.
fn disagreement(
    bundle: &Bundle,
    first: u64,
    model: &Model,
    offer: usize,
    price: Option<BundlePrice>,
) -> Option<(&'static str, String)> {
    let supplier = &model.offers[offer].supplier;
    if *supplier != bundle.supplier {
        return Some(("supplier", format!("is not the supplier {} of the bundle's first line {first}; expected one supplier per bundle", bundle.supplier)));
    }
    let mineral = model.offers[offer].mineral;
    if bundle
        .lines
        .iter()
        .any(|l| model.offers[l.offer].mineral == mineral)
    {
        return Some((
            "mineral",
            "is already a line of this bundle; expected each mineral once per bundle".into(),
        ));
    }
    match (price, bundle.price) {
        (None, _) => None,
        (Some(p), q) if p == q => None,
        (Some(BundlePrice::Price(_)), BundlePrice::Price(q)) => Some(("price", format!("disagrees with the price {q} on the bundle's first line {first}; expected the lines of a bundle to agree"))),
        (Some(BundlePrice::Discount(_)), BundlePrice::Discount(q)) => Some(("discount", format!("disagrees with the discount {q} on the bundle's first line {first}; expected the lines of a bundle to agree"))),
        (Some(BundlePrice::Price(_)), _) => Some(("price", format!("is given where the bundle's first line {first} gives a discount; expected the lines of a bundle to agree"))),
        (Some(BundlePrice::Discount(_)), _) => Some(("discount", format!("is given where the bundle's first line {first} gives a price; expected the lines of a bundle to agree"))),
    }
}

/// The price or discount of row `r` (`Ok(None)` when it gives neither); `Err` when bad
/// (reported).
fn price_of(
    table: &Table,
    r: &Record,
    errors: &mut InputErrors,
) -> Result<Option<BundlePrice>, ()> {
    let price = table.optional_number(r, "price", Domain::NonNegative, errors);
    let discount = table.optional_number(r, "discount", Domain::Fraction, errors);
    match (price, discount) {
        (Ok(None), Ok(None)) => Ok(None),
        (Ok(Some(p)), Ok(None)) => Ok(Some(BundlePrice::Price(p))),
        (Ok(None), Ok(Some(d))) if d > 0.0 && d < 1.0 => Ok(Some(BundlePrice::Discount(d))),
        (Ok(None), Ok(Some(_))) => {
            errors.push(cell(
                table,
                r,
                "discount",
                "is not strictly between 0 and 1; expected a fraction off such as 0.05",
            ));
            Err(())
        }
        (Ok(Some(_)), Ok(Some(_))) => {
            errors.push(cell(
                table,
                r,
                "discount",
                "is given beside a price; expected a price or a discount, not both",
            ));
            Err(())
        }
        _ => Err(()),
    }
}

/// An issue on cell `column` of row `r`, quoting its text.
pub(super) fn cell(table: &Table, r: &Record, column: &'static str, message: &str) -> InputIssue {
    InputIssue::cell(&table.file, r.line, column, table.text(r, column), message)
}

/// The offer (index into `Model::offers`) row `r`'s `supplier` and `mineral` name, or
/// `None` (reported) when the supplier or its offer of the mineral does not exist.
pub(super) fn offer_of(
    table: &Table,
    r: &Record,
    model: &Model,
    suppliers: &mut SupplierLookup,
    file: &str,
    errors: &mut InputErrors,
) -> Option<usize> {
    let supplier = table.required_text(r, "supplier", errors);
    let mineral = table.required_text(r, "mineral", errors);
    let (supplier, mineral) = (supplier?, mineral?);
    let Some(found) = suppliers.get(supplier) else {
        errors.push(InputIssue::cell(
            file,
            r.line,
            "supplier",
            supplier,
            "is not a supplier of this model; expected a supplier id from suppliers.csv",
        ));
        return None;
    };
    let offer = mineral_offer(model, &found.offers, mineral);
    if offer.is_none() {
        errors.push(InputIssue::cell(
            file,
            r.line,
            "mineral",
            mineral,
            format!("is not offered by supplier {supplier}; expected a mineral of one of its offers in suppliers.csv"),
        ));
    }
    offer
}

/// The offer among `offers` of the mineral named `mineral` (any case).
pub(super) fn mineral_offer(model: &Model, offers: &[usize], mineral: &str) -> Option<usize> {
    let key = mineral.to_lowercase();
    offers
        .iter()
        .copied()
        .find(|&i| model.minerals[model.offers[i].mineral].name.to_lowercase() == key)
}
