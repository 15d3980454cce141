//! suppliers.csv: one row per offer (a supplier selling one mineral).

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use std::collections::hash_map::Entry;

use super::files::SUPPLIERS;
use super::number::Domain;
use super::table::{read_table, Col, Columns, ModelFiles, Record, Table};
use crate::error::{InputErrors, InputIssue};
use crate::name::Name;

/// An offer as read, before cross-references are resolved.
pub struct RawOffer {
    pub supplier: Name,
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

/// Records checked per parallel task.
const ROWS_PER_TASK: usize = 4_096;

/// The columns of suppliers.csv, looked up once.
struct Cols {
    supplier: Col,
    mineral: Col,
    country: Col,
    unit_cost: Col,
    capacity: Col,
    freight: Col,
    min_order: Col,
    fixed_cost: Col,
}

impl Cols {
    fn of(table: &Table) -> Cols {
        Cols {
            supplier: table.column("supplier"),
            mineral: table.column("mineral"),
            country: table.column("country"),
            unit_cost: table.column("unit_cost"),
            capacity: table.column("capacity"),
            freight: table.column("freight"),
            min_order: table.column("min_order"),
            fixed_cost: table.column("fixed_cost"),
        }
    }
}

/// One record whose cells are all valid, before mineral names and duplicates are
/// resolved.
struct Row<'t> {
    supplier: &'t str,
    mineral: &'t str,
    /// The offer, with `mineral` still unset.
    offer: RawOffer,
}

/// Checks the cells of one record; every problem goes to `errors`.
fn parse_row<'t>(
    table: &'t Table,
    cols: &Cols,
    r: &Record,
    errors: &mut InputErrors,
) -> Option<Row<'t>> {
    let supplier = table.required_text(r, cols.supplier, errors);
    let mineral = table.required_text(r, cols.mineral, errors);
    let country = table
        .required_text(r, cols.country, errors)
        .and_then(|c| super::parse_iso3(SUPPLIERS, r.line, "country", c, errors));
    let unit_cost = table.number(r, cols.unit_cost, Domain::NonNegative, errors);
    let capacity = table.optional_number(r, cols.capacity, Domain::NonNegative, errors);
    let freight = table.optional_number(r, cols.freight, Domain::NonNegative, errors);
    let min_order = table.optional_number(r, cols.min_order, Domain::NonNegative, errors);
    let fixed_cost = table.optional_number(r, cols.fixed_cost, Domain::NonNegative, errors);
    let (Some(supplier), Some(mineral), Some(country), Some(unit_cost)) =
        (supplier, mineral, country, unit_cost)
    else {
        return None;
    };
    let (Ok(capacity), Ok(freight), Ok(min_order), Ok(fixed_cost)) =
        (capacity, freight, min_order, fixed_cost)
    else {
        return None;
    };
    if !super::check_name(SUPPLIERS, r.line, "supplier", supplier, errors)
        || !super::check_name(SUPPLIERS, r.line, "mineral", mineral, errors)
    {
        return None;
    }
    Some(Row {
        supplier,
        mineral,
        offer: RawOffer {
            supplier: Name::from(supplier),
            mineral: 0,
            country,
            unit_cost,
            capacity,
            freight: freight.unwrap_or(0.0),
            min_order: min_order.unwrap_or(0.0),
            fixed_cost: fixed_cost.unwrap_or(0.0),
            line: r.line,
        },
    })
}

pub fn read(
    files: &ModelFiles,
    errors: &mut InputErrors,
    warnings: &mut Vec<String>,
) -> Option<Suppliers> {
    let table = read_table(files, SUPPLIERS, &COLUMNS, errors, warnings)?;
    let cols = Cols::of(&table);
    // Cells are checked in parallel, in chunks of records (large files have 100k+
    // offers); mineral names and the uniqueness of supplier and mineral are resolved
    // after, in file order.
    let parts: Vec<(Vec<Row>, InputErrors)> = table
        .records
        .par_chunks(ROWS_PER_TASK)
        .map(|chunk| {
            let mut errors = InputErrors::default();
            let rows = chunk
                .iter()
                .filter_map(|r| parse_row(&table, &cols, r, &mut errors))
                .collect();
            (rows, errors)
        })
        .collect();

    // (supplier, mineral) → line of its first offer.
    let mut seen: FxHashMap<(&str, usize), u64> =
        FxHashMap::with_capacity_and_hasher(table.records.len(), Default::default());
    let mut by_raw: FxHashMap<&str, usize> = FxHashMap::default();
    let mut by_key: FxHashMap<String, usize> = FxHashMap::default();
    // Files usually list a mineral's offers together: remember the last one seen.
    let mut last_mineral: Option<(&str, usize)> = None;
    let mut minerals: Vec<(String, String)> = Vec::new();
    let mut out = Vec::with_capacity(table.records.len());
    for (rows, part_errors) in parts {
        let mut duplicates = Vec::new();
        for row in rows {
            let Row {
                supplier,
                mineral,
                mut offer,
            } = row;
            let m = match last_mineral {
                Some((raw, m)) if raw == mineral => m,
                _ => {
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
                    last_mineral = Some((mineral, m));
                    m
                }
            };
            let first = match seen.entry((supplier, m)) {
                Entry::Occupied(slot) => Some(*slot.get()),
                Entry::Vacant(slot) => {
                    slot.insert(offer.line);
                    None
                }
            };
            if let Some(first) = first {
                duplicates.push(InputIssue::cell(
                    SUPPLIERS,
                    offer.line,
                    "supplier",
                    supplier,
                    format!(
                        "offers {mineral} again (first on line {first}); expected supplier and mineral to be unique together"
                    ),
                ));
                continue;
            }
            offer.mineral = m;
            out.push(offer);
        }
        if duplicates.is_empty() {
            errors.append(part_errors);
        } else {
            // Keep file order: cell problems and duplicates of this chunk by line.
            let mut issues = part_errors.issues;
            issues.extend(duplicates);
            issues.sort_by_key(|i| i.line);
            errors.append(InputErrors {
                issues,
                omitted: part_errors.omitted,
            });
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows past the first parallel chunk keep file order and their own line numbers, and
    /// duplicates are found across chunks.
    #[test]
    fn problems_in_file_order_across_chunks() {
        let mut text = String::from("supplier,mineral,country,unit_cost\n");
        let n = 3 * ROWS_PER_TASK;
        for k in 1..=n {
            let line = match k {
                // line k + 1 in the file
                2 => "S1,Gallium,AUS,5".to_string(), // duplicate of row 1 (case differs)
                4_000 => format!("S{k},gallium,AUS,-1"),
                4_200 => "S1,gallium,CAN,7".to_string(),
                9_000 => format!("S{k},gallium,XX,3"),
                _ => format!("S{k},gallium,AUS,{k}"),
            };
            text.push_str(&line);
            text.push('\n');
        }
        let files = ModelFiles::from_memory(&[(SUPPLIERS, text.as_bytes())]);
        let mut errors = InputErrors::default();
        let s = read(&files, &mut errors, &mut Vec::new()).unwrap();
        let found: Vec<(Option<u64>, bool)> = errors
            .issues
            .iter()
            .map(|i| (i.line, i.message.contains("first on line 2")))
            .collect();
        assert_eq!(
            found,
            vec![
                (Some(3), true),
                (Some(4_001), false),
                (Some(4_201), true),
                (Some(9_001), false)
            ],
            "{errors}"
        );
        assert_eq!(s.offers.len(), n - 4);
        assert_eq!(s.minerals.len(), 1);
        assert!(s.offers.windows(2).all(|w| w[0].line < w[1].line));
    }
}
