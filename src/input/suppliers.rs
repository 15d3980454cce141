//! suppliers.csv: one row per offer (a supplier selling one mineral).

use rayon::prelude::*;
use rustc_hash::{FxBuildHasher, FxHashMap};
use std::hash::BuildHasher;

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
    /// Hash of `supplier`.
    hash: u64,
    /// Index of `mineral` in its chunk's [`Chunk::minerals`].
    local: u32,
    /// The offer, with `mineral` still unset.
    offer: RawOffer,
}

/// The records of one parallel task, checked.
struct Chunk<'t> {
    rows: Vec<Row<'t>>,
    /// Mineral names as written, in order of first appearance in the chunk.
    minerals: Vec<&'t str>,
    errors: InputErrors,
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
        hash: FxBuildHasher.hash_one(supplier),
        local: 0,
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

/// Checks a chunk of records and names its minerals.
fn parse_chunk<'t>(table: &'t Table, cols: &Cols, records: &[Record]) -> Chunk<'t> {
    let mut errors = InputErrors::default();
    let mut minerals: Vec<&str> = Vec::new();
    let mut rows: Vec<Row> = Vec::with_capacity(records.len());
    for r in records {
        let Some(mut row) = parse_row(table, cols, r, &mut errors) else {
            continue;
        };
        // A chunk names one or two minerals, usually.
        row.local = match minerals.iter().rposition(|&m| m == row.mineral) {
            Some(k) => k as u32,
            None => {
                minerals.push(row.mineral);
                (minerals.len() - 1) as u32
            }
        };
        rows.push(row);
    }
    Chunk {
        rows,
        minerals,
        errors,
    }
}

pub fn read(
    files: &ModelFiles,
    errors: &mut InputErrors,
    warnings: &mut Vec<String>,
) -> Option<Suppliers> {
    let table = read_table(files, SUPPLIERS, &COLUMNS, errors, warnings)?;
    let cols = Cols::of(&table);
    // Cells are checked in parallel, in chunks of records (large files have 100k+
    // offers); then mineral names are resolved in file order, and the uniqueness of
    // supplier and mineral is checked by sorting hashes.
    let mut chunks: Vec<Chunk> = table
        .records
        .par_chunks(ROWS_PER_TASK)
        .map(|records| parse_chunk(&table, &cols, records))
        .collect();

    // Minerals: the same name in any case is one mineral; the first spelling is kept.
    let mut by_key: FxHashMap<String, usize> = FxHashMap::default();
    let mut minerals: Vec<(String, String)> = Vec::new();
    let globals: Vec<Vec<usize>> = chunks
        .iter()
        .map(|chunk| {
            chunk
                .minerals
                .iter()
                .map(|&raw| {
                    let key = raw.to_lowercase();
                    *by_key.entry(key).or_insert_with_key(|key| {
                        minerals.push((raw.to_string(), key.clone()));
                        minerals.len() - 1
                    })
                })
                .collect()
        })
        .collect();
    chunks
        .par_iter_mut()
        .zip(&globals)
        .for_each(|(chunk, global)| {
            for row in &mut chunk.rows {
                row.offer.mineral = global[row.local as usize];
            }
        });

    let duplicates = find_duplicates(&chunks);
    // Problems in file order: each chunk's cell problems with the duplicates among its
    // lines.
    let mut dup = duplicates.iter().peekable();
    let mut out = Vec::with_capacity(table.records.len());
    for (c, chunk) in chunks.into_iter().enumerate() {
        let mut issues = Vec::new();
        let mut skip = Vec::new();
        while let Some(&(_, k, first)) = dup.next_if(|d| d.0 == c) {
            let row = &chunk.rows[k];
            issues.push(InputIssue::cell(
                SUPPLIERS,
                row.offer.line,
                "supplier",
                row.supplier,
                format!(
                    "offers {} again (first on line {first}); expected supplier and mineral to be unique together",
                    row.mineral
                ),
            ));
            skip.push(k);
        }
        if issues.is_empty() {
            errors.append(chunk.errors);
        } else {
            issues.extend(chunk.errors.issues);
            issues.sort_by_key(|i| i.line);
            errors.append(InputErrors {
                issues,
                omitted: chunk.errors.omitted,
            });
        }
        let mut skip = skip.into_iter().peekable();
        for (k, row) in chunk.rows.into_iter().enumerate() {
            if skip.next_if_eq(&k).is_none() {
                out.push(row.offer);
            }
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

/// The rows repeating an earlier (supplier, mineral) pair, as (chunk, row in chunk, line
/// of the first offer), in file order. Rows are sorted by a hash of the pair (ties in
/// file order), so only rows with equal hashes are compared.
fn find_duplicates(chunks: &[Chunk]) -> Vec<(usize, usize, u64)> {
    let mut keys: Vec<(u64, u32, u32)> =
        Vec::with_capacity(chunks.iter().map(|c| c.rows.len()).sum());
    for (c, chunk) in chunks.iter().enumerate() {
        keys.extend(chunk.rows.iter().enumerate().map(|(k, row)| {
            let mineral = row.offer.mineral as u64;
            let key = (row.hash ^ mineral.wrapping_mul(0x9e37_79b9_7f4a_7c15)).rotate_left(17);
            (key, c as u32, k as u32)
        }));
    }
    keys.par_sort_unstable();
    let row = |&(_, c, k): &(u64, u32, u32)| &chunks[c as usize].rows[k as usize];
    let mut found = Vec::new();
    for run in keys.chunk_by(|a, b| a.0 == b.0).filter(|run| run.len() > 1) {
        for (j, later) in run.iter().enumerate().skip(1) {
            let r = row(later);
            if let Some(first) = run[..j]
                .iter()
                .map(row)
                .find(|f| f.offer.mineral == r.offer.mineral && f.supplier == r.supplier)
            {
                found.push((later.1 as usize, later.2 as usize, first.offer.line));
            }
        }
    }
    found.sort_unstable();
    found
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

    /// Duplicates found by sorting hashes equal those of a plain map in file order, on
    /// random files where pairs repeat within and across chunks (twice or three times, in
    /// another case of the mineral) and different pairs share a supplier or a mineral.
    #[test]
    fn duplicates_match_a_sequential_map() {
        use crate::error::MAX_REPORTED_ISSUES;
        use crate::rng::Rng;
        use std::collections::HashMap;
        for seed in 0..4 {
            let mut rng = Rng::new(seed);
            let minerals = ["gallium", "Germanium", "graphite"];
            let n = 2 * ROWS_PER_TASK + 500;
            let mut pairs: Vec<(String, usize)> = Vec::with_capacity(n);
            for k in 0..n {
                let earlier = (k > 0).then(|| pairs[rng.below(k as u64) as usize].clone());
                pairs.push(match (earlier, rng.below(300)) {
                    (Some(pair), 0) => pair,
                    // The same supplier for another mineral (a duplicate one time in three).
                    (Some((supplier, _)), 1) => (supplier, rng.below(3) as usize),
                    _ => (
                        format!("S{}", rng.below(1_000_000_000)),
                        rng.below(3) as usize,
                    ),
                });
            }
            let mut text = String::from("supplier,mineral,country,unit_cost\n");
            for (supplier, m) in &pairs {
                let name = if rng.below(2) == 0 {
                    minerals[*m].to_uppercase()
                } else {
                    minerals[*m].to_string()
                };
                text.push_str(&format!("{supplier},{name},AUS,1\n"));
            }
            let mut first: HashMap<&(String, usize), u64> = HashMap::new();
            let mut expected = Vec::new();
            for (k, pair) in pairs.iter().enumerate() {
                let line = k as u64 + 2;
                if let Some(f) = first.get(pair) {
                    expected.push((line, *f));
                } else {
                    first.insert(pair, line);
                }
            }
            assert!(expected.len() > 5 && expected.len() < MAX_REPORTED_ISSUES);
            let files = ModelFiles::from_memory(&[(SUPPLIERS, text.as_bytes())]);
            let mut errors = InputErrors::default();
            let s = read(&files, &mut errors, &mut Vec::new()).unwrap();
            let found: Vec<(u64, u64)> = errors
                .issues
                .iter()
                .map(|i| {
                    let msg = &i.message;
                    let at = msg.find("first on line ").unwrap() + "first on line ".len();
                    let end = msg[at..].find(')').unwrap() + at;
                    (i.line.unwrap(), msg[at..end].parse().unwrap())
                })
                .collect();
            assert_eq!(found, expected, "seed {seed}");
            assert_eq!(s.offers.len(), n - expected.len());
            assert_eq!(s.minerals.len(), 3);
        }
    }
}
