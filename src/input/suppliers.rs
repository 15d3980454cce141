//! suppliers.csv: one row per offer (a supplier selling one mineral).
//!
//! The largest file of a model (a million offers is 40 MB), so it is read straight from
//! its bytes into offers: pieces of whole records are scanned in parallel
//! ([`scan::read_pieces`]), each field is checked and parsed where it lies in the file
//! (no table of copied cells, no owned record per row), and mineral names are interned
//! per piece. The checks and their messages are those of [`Table`](super::table::Table).

use std::mem::MaybeUninit;

use rayon::prelude::*;
use rustc_hash::{FxBuildHasher, FxHashMap};
use std::hash::BuildHasher;

use super::chains::{self, ChainColumns, FileChains, PieceChains};
use super::files::SUPPLIERS;
use super::number::Domain;
use super::scan::{self, Scanner};
use super::table::{
    cell_text, check_shape, file_bytes, open, parse_number_cell, Columns, ModelFiles, Shape,
    MAX_RECORDS,
};
use crate::error::{InputErrors, InputIssue};
use crate::model::name::Name;
use crate::model::Offer;

const COLUMNS: Columns = Columns {
    required: SUPPLIER_COLUMNS.split_at(4).0,
    optional: &[
        "capacity",
        "freight",
        "min_order",
        "fixed_cost",
        "controlled_by",
        "origin_*",
    ],
};

/// Position of `controlled_by` in a record's cells, and of the first stage's origin.
const CONTROLLED_BY: usize = 8;
const FIRST_ORIGIN: usize = 9;
/// Cells of a record: our columns, `controlled_by` and up to [`chains::MAX_STAGES`] origins.
const WIDTH: usize = FIRST_ORIGIN + chains::MAX_STAGES;

/// Positions in [`SUPPLIER_COLUMNS`].
const SUPPLIER: usize = 0;
const MINERAL: usize = 1;
const COUNTRY: usize = 2;
const UNIT_COST: usize = 3;
const CAPACITY: usize = 4;
const FREIGHT: usize = 5;
const MIN_ORDER: usize = 6;
const FIXED_COST: usize = 7;
/// The columns of suppliers.csv in SPEC order: what the reader accepts and what the
/// bundled models carry. The first four are required.
pub const SUPPLIER_COLUMNS: [&str; 8] = [
    "supplier",
    "mineral",
    "country",
    "unit_cost",
    "capacity",
    "freight",
    "min_order",
    "fixed_cost",
];

/// suppliers.csv as read: the offers in file order, with mineral names interned.
///
/// Each offer's `mineral` indexes [`Suppliers::minerals`], its `country` is the slot of
/// its ISO3 code ([`super::iso3_slot`]) and its `landed_cost` is not set yet: the model
/// resolves them ([`super::parse_model`]).
///
/// `runs` and `countries` summarize the offers as they were read, so that the model is
/// built without another pass over a million offers: rows refused for a problem are in
/// neither, repeated (supplier, mineral) pairs are in both, so they describe `offers`
/// when the file had no problems (the only case a model is built from).
#[derive(Default)]
pub struct Suppliers {
    pub offers: Vec<Offer>,
    /// (name as first written, lower-case key) of each mineral named.
    pub minerals: Vec<(String, String)>,
    /// The offers' minerals as runs of consecutive offers, in file order.
    pub runs: Vec<MineralRun>,
    /// The slots of the countries offered ([`super::iso3_slot`]), each with the line of
    /// the first row naming it, in order of those lines.
    pub countries: Vec<(usize, u64)>,
    /// The chain columns' stages and chains (none without those columns).
    pub chains: FileChains,
}

/// Consecutive offers of one mineral.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MineralRun {
    /// The mineral (an index into [`Suppliers::minerals`]; into the piece's own minerals
    /// while a piece is read).
    pub mineral: usize,
    /// Number of offers.
    pub count: usize,
    /// Line of the first.
    pub first_line: u64,
}

/// How to read the records of one file: the header and where our columns are in it.
struct Layout<'h> {
    header: &'h [String],
    /// For each header position, which cell of a record it fills ([`SUPPLIER_COLUMNS`],
    /// then [`CONTROLLED_BY`] and the origins from [`FIRST_ORIGIN`]).
    column_at: Vec<Option<usize>>,
    decimal_comma: bool,
    /// The origin columns' names, in stage order; with `controlled_by`, whether the
    /// file has chain columns at all.
    origins: Vec<String>,
    chained: bool,
}

/// What one piece of the file held besides its offers (written to its slots).
#[derive(Default)]
struct Chunk {
    /// Number of offers written.
    count: usize,
    /// The duplicate key of each offer ([`duplicate_key`]), its index in the piece in
    /// the low bits.
    keys: Vec<u64>,
    /// Mineral names as written, in order of first appearance in the piece; offers'
    /// `mineral` indexes them until [`assemble`] maps them to the file's minerals.
    minerals: Vec<String>,
    /// A hash of each of `minerals`' lower-case key (equal across pieces).
    mineral_hashes: Vec<u64>,
    /// The offers' minerals in runs (of `minerals` until [`assemble`]).
    runs: Vec<MineralRun>,
    /// Country slots named by the piece's offers with their first lines, in order.
    countries: Vec<(usize, u64)>,
    /// The chains of the piece's offers.
    chains: PieceChains,
    /// Problems with a record's shape or encoding (reported first, as by a table).
    shape_errors: InputErrors,
    /// Problems with cells.
    cell_errors: InputErrors,
    /// Records with a valid shape (rows a table would hold).
    records: usize,
    ended_in_quotes: bool,
    /// True when the piece's copy held more records than its bytes did when counted: the
    /// file changed while it was read.
    changed: bool,
}

/// Reads the records of one piece, writing its offers to `slots` (one per record at
/// most: [`scan::Piece::records_bound`]).
fn read_chunk(
    mut scanner: Scanner<'_>,
    layout: &Layout<'_>,
    slots: &mut [MaybeUninit<Offer>],
) -> Chunk {
    let mut chunk = Chunk {
        keys: Vec::with_capacity(slots.len()),
        ..Chunk::default()
    };
    let mut seen_country = vec![false; super::ISO3_SLOTS];
    while let Some(line) = scanner.next_record() {
        let Some(cells) = record_cells(&scanner, layout, line, &mut chunk.shape_errors) else {
            continue;
        };
        chunk.records += 1;
        if chunk.count == slots.len() {
            // More records than the piece's bytes held when they were counted.
            chunk.changed = true;
            break;
        }
        if let Some(offer) = parse_offer(&cells, layout.decimal_comma, line, &mut chunk) {
            if layout.chained {
                read_chain(&cells, layout, line, &mut chunk);
            }
            let key = duplicate_key(&offer.supplier, chunk.mineral_hashes[offer.mineral]);
            chunk.keys.push(key | chunk.count as u64);
            chunk.note(&offer, &mut seen_country);
            slots[chunk.count].write(offer);
            chunk.count += 1;
        }
    }
    chunk.ended_in_quotes = scanner.ended_in_quotes();
    chunk
}

impl Chunk {
    /// Adds `offer`'s mineral to the runs and its country, if new, to the countries.
    fn note(&mut self, offer: &Offer, seen_country: &mut [bool]) {
        match self.runs.last_mut() {
            Some(run) if run.mineral == offer.mineral => run.count += 1,
            _ => self.runs.push(MineralRun {
                mineral: offer.mineral,
                count: 1,
                first_line: offer.line,
            }),
        }
        if !std::mem::replace(&mut seen_country[offer.country], true) {
            self.countries.push((offer.country, offer.line));
        }
    }

    /// Keeps what describes the first `count` offers, those before line `cut`.
    fn truncate(&mut self, count: usize, cut: u64) {
        self.count = self.count.min(count);
        self.keys.truncate(self.count);
        let mut left = self.count;
        self.runs.retain_mut(|run| {
            run.count = run.count.min(left);
            left -= run.count;
            run.count > 0
        });
        self.countries.retain(|&(_, line)| line < cut);
        self.chains.lines.retain(|&(line, _)| line < cut);
    }
}

/// The chain cells of the offer on `line` into the chunk's chains.
fn read_chain(cells: &[&str; WIDTH], layout: &Layout<'_>, line: u64, chunk: &mut Chunk) {
    let origins: Vec<(&str, &str)> = layout
        .origins
        .iter()
        .enumerate()
        .map(|(s, name)| (name.as_str(), cells[FIRST_ORIGIN + s]))
        .collect();
    chunk.chains.read(
        cells[CONTROLLED_BY],
        &origins,
        line,
        layout.decimal_comma,
        &mut chunk.cell_errors,
    );
}

/// Bits of a duplicate key below its hash: an offer's index (rows are at most
/// [`MAX_RECORDS`]).
const INDEX_BITS: u32 = 25;
const _: () = assert!(MAX_RECORDS < 1 << INDEX_BITS);

/// The high bits of a duplicate key (the low [`INDEX_BITS`] zero): a hash of the
/// supplier and of the mineral's lower-case key (`mineral_hash`).
fn duplicate_key(supplier: &str, mineral_hash: u64) -> u64 {
    let hash = FxBuildHasher.hash_one(supplier);
    let mixed = (hash ^ mineral_hash.wrapping_mul(0x9e37_79b9_7f4a_7c15)).rotate_left(17);
    mixed << INDEX_BITS
}

/// The offers of the body's `pieces`, read in parallel, in file order in one vector
/// (each piece writes into its own part of the vector's capacity, then the parts are
/// closed up: the offers are not copied from piece vectors into a model vector), and
/// what else each piece held. A piece that did not start a record (see
/// [`scan::read_pieces`]) has the whole body read again in one pass.
fn read_offers(
    body: &[u8],
    separator: u8,
    pieces: &[scan::Piece],
    layout: &Layout<'_>,
) -> (Vec<Offer>, Vec<Chunk>) {
    let (offers, chunks) = fill(body, separator, pieces, layout);
    if chunks[..chunks.len() - 1].iter().any(|c| c.ended_in_quotes) {
        drop(offers);
        let whole = scan::split(body, pieces[0].first_line, 1);
        return fill(body, separator, &whole, layout);
    }
    (offers, chunks)
}

/// [`read_offers`] without the check that pieces started records.
fn fill(
    body: &[u8],
    separator: u8,
    pieces: &[scan::Piece],
    layout: &Layout<'_>,
) -> (Vec<Offer>, Vec<Chunk>) {
    let mut offers: Vec<Offer> = Vec::with_capacity(pieces.iter().map(|p| p.records_bound).sum());
    let mut slots = Vec::with_capacity(pieces.len());
    let mut rest = offers.spare_capacity_mut();
    for p in pieces {
        let (part, tail) = rest.split_at_mut(p.records_bound);
        slots.push(part);
        rest = tail;
    }
    let chunks: Vec<Chunk> = pieces
        .par_iter()
        .zip(slots)
        .map(|(p, slots)| scan::scan_copy(body, p, separator, |s| read_chunk(s, layout, slots)))
        .collect();
    let spare = offers.spare_capacity_mut();
    let (mut from, mut to) = (0, 0);
    for (p, c) in pieces.iter().zip(&chunks) {
        if from != to {
            for k in 0..c.count {
                spare.swap(to + k, from + k);
            }
        }
        to += c.count;
        from += p.records_bound;
    }
    // SAFETY: each piece wrote (initialized) the first `count` slots of its part, and
    // the swaps moved those, in order, to the first `to` slots of the capacity.
    unsafe { offers.set_len(to) };
    (offers, chunks)
}

/// The trimmed text of our columns in the current record (empty when absent); `None`
/// for a blank record or one whose shape or a cell's encoding or length is wrong (the
/// problem goes to `errors`).
fn record_cells<'s>(
    scanner: &'s Scanner<'_>,
    layout: &Layout<'_>,
    line: u64,
    errors: &mut InputErrors,
) -> Option<[&'s str; WIDTH]> {
    let width = layout.header.len();
    match check_shape(scanner, width, SUPPLIERS, line) {
        Some(Shape::Blank) => return None,
        Some(Shape::Bad(issue)) => {
            errors.push(issue);
            return None;
        }
        None => {}
    }
    let mut cells = [""; WIDTH];
    for k in 0..scanner.len().min(width) {
        match cell_text(scanner.field_str(k), &layout.header[k], SUPPLIERS, line) {
            Ok(text) => {
                if let Some(c) = layout.column_at[k] {
                    cells[c] = text;
                }
            }
            Err(issue) => {
                errors.push(issue);
                return None;
            }
        }
    }
    Some(cells)
}

/// The offer of one record's cells; every problem goes to the chunk's cell errors.
fn parse_offer(
    cells: &[&str; WIDTH],
    decimal_comma: bool,
    line: u64,
    chunk: &mut Chunk,
) -> Option<Offer> {
    let errors = &mut chunk.cell_errors;
    let required = |c: usize, errors: &mut InputErrors| {
        let text = cells[c];
        if text.is_empty() {
            errors.push(InputIssue::cell(
                SUPPLIERS,
                line,
                SUPPLIER_COLUMNS[c],
                "",
                "is empty; a value is required",
            ));
            None
        } else {
            Some(text)
        }
    };
    let supplier = required(SUPPLIER, errors);
    let mineral = required(MINERAL, errors);
    let country = required(COUNTRY, errors)
        .and_then(|c| super::parse_iso3(SUPPLIERS, line, "country", c, errors));
    let number = |c: usize, required: bool, errors: &mut InputErrors| -> Result<Option<f64>, ()> {
        let text = cells[c];
        if text.is_empty() {
            if required {
                let expected = Domain::NonNegative.expected();
                errors.push(InputIssue::cell(
                    SUPPLIERS,
                    line,
                    SUPPLIER_COLUMNS[c],
                    "",
                    format!("is empty; {expected}"),
                ));
                return Err(());
            }
            return Ok(None);
        }
        match parse_number_cell(text, decimal_comma, Domain::NonNegative) {
            Ok(v) => Ok(Some(v)),
            Err(message) => {
                errors.push(InputIssue::cell(
                    SUPPLIERS,
                    line,
                    SUPPLIER_COLUMNS[c],
                    text,
                    message,
                ));
                Err(())
            }
        }
    };
    let unit_cost = number(UNIT_COST, true, errors);
    let capacity = number(CAPACITY, false, errors);
    let freight = number(FREIGHT, false, errors);
    let min_order = number(MIN_ORDER, false, errors);
    let fixed_cost = number(FIXED_COST, false, errors);
    let (Some(supplier), Some(mineral), Some(country), Ok(Some(unit_cost))) =
        (supplier, mineral, country, unit_cost)
    else {
        return None;
    };
    let (Ok(capacity), Ok(freight), Ok(min_order), Ok(fixed_cost)) =
        (capacity, freight, min_order, fixed_cost)
    else {
        return None;
    };
    if !super::check_name(SUPPLIERS, line, "supplier", supplier, errors)
        || !super::check_name(SUPPLIERS, line, "mineral", mineral, errors)
    {
        return None;
    }
    // A piece names one or two minerals, usually.
    let local = match chunk.minerals.iter().rposition(|m| m == mineral) {
        Some(k) => k,
        None => {
            chunk.minerals.push(mineral.to_string());
            let key = mineral.to_lowercase();
            chunk
                .mineral_hashes
                .push(FxBuildHasher.hash_one(key.as_str()));
            chunk.minerals.len() - 1
        }
    };
    Some(Offer {
        supplier: Name::from(supplier),
        mineral: local,
        country: super::iso3_slot(&country),
        unit_cost,
        capacity,
        freight: freight.unwrap_or(0.0),
        min_order: min_order.unwrap_or(0.0),
        fixed_cost: fixed_cost.unwrap_or(0.0),
        landed_cost: 0.0,
        tiers: None,
        line,
    })
}

pub fn read(
    files: &ModelFiles,
    errors: &mut InputErrors,
    warnings: &mut Vec<String>,
) -> Option<Suppliers> {
    read_in(files, errors, warnings, scan::pieces_for)
}

/// [`read`], the body cut into `pieces(body bytes)` pieces.
fn read_in(
    files: &ModelFiles,
    errors: &mut InputErrors,
    warnings: &mut Vec<String>,
    pieces: impl Fn(usize) -> usize,
) -> Option<Suppliers> {
    let bytes = file_bytes(files, SUPPLIERS, errors)?;
    let opened = open(SUPPLIERS, bytes, &COLUMNS, errors, warnings)?;
    let mut column_at = vec![None; opened.header.len()];
    for (c, position) in opened.index.iter().enumerate() {
        if let Some(p) = *position {
            column_at[p] = Some(c);
        }
    }
    let mut stages = ChainColumns::default();
    let mut origins = Vec::new();
    for (p, name) in opened.header.iter().enumerate() {
        if let Some(s) = stages.add(name, errors) {
            column_at[p] = Some(FIRST_ORIGIN + s);
            origins.push(name.clone());
        }
    }
    let layout = Layout {
        header: &opened.header,
        column_at,
        decimal_comma: opened.dialect == crate::write::Dialect::ExcelEu,
        chained: !origins.is_empty() || opened.index[CONTROLLED_BY].is_some(),
        origins,
    };
    let body = opened.body();
    let split = scan::split(body, opened.body_line(), pieces(body.len()));
    let (mut offers, mut chunks) = read_offers(body, opened.dialect.separator(), &split, &layout);
    if chunks.iter().any(|c| c.changed) {
        errors.push(InputIssue::file(
            SUPPLIERS,
            "changed while it was being read; read it again once it is written whole",
        ));
        return None;
    }
    let records: usize = chunks.iter().map(|c| c.records).sum();
    let limit =
        (records > MAX_RECORDS).then(|| limit_records(&mut offers, &mut chunks, &opened, &layout));
    let (minerals, globals) = name_minerals(&chunks);
    let duplicates = find_duplicates(&offers, &chunks, &globals);
    let (runs, countries) = summarize(&chunks, &globals);
    let piece_chains = chunks
        .iter_mut()
        .map(|c| std::mem::take(&mut c.chains))
        .collect();
    let chains = FileChains::merge(stages.stages, piece_chains);
    let offers = assemble(offers, chunks, &globals, &duplicates, limit, errors);
    if records == 0 {
        errors.push(InputIssue::file(
            SUPPLIERS,
            "has no data rows; expected one row per offer",
        ));
    }
    Some(Suppliers {
        offers,
        minerals,
        runs,
        countries,
        chains,
    })
}

/// The file's mineral runs (of its minerals, `globals` of each chunk) and countries,
/// from those of its chunks (see [`Suppliers`]).
fn summarize(chunks: &[Chunk], globals: &[Vec<usize>]) -> (Vec<MineralRun>, Vec<(usize, u64)>) {
    let mut runs: Vec<MineralRun> = Vec::new();
    for (chunk, global) in chunks.iter().zip(globals) {
        for run in &chunk.runs {
            let mineral = global[run.mineral];
            match runs.last_mut() {
                Some(last) if last.mineral == mineral => last.count += run.count,
                _ => runs.push(MineralRun { mineral, ..*run }),
            }
        }
    }
    let mut seen = vec![false; super::ISO3_SLOTS];
    let countries = chunks
        .iter()
        .flat_map(|chunk| &chunk.countries)
        .filter(|&&(slot, _)| !std::mem::replace(&mut seen[slot], true))
        .copied()
        .collect();
    (runs, countries)
}

/// Past [`MAX_RECORDS`] records: an error at the first record past the limit, and the
/// offers and problems from there on dropped.
fn limit_records(
    offers: &mut Vec<Offer>,
    chunks: &mut [Chunk],
    opened: &super::table::Opened<'_>,
    layout: &Layout<'_>,
) -> InputIssue {
    // A private copy, as for the pieces (the file may be mapped).
    let body = opened.body().to_vec();
    let mut scanner = Scanner::new(&body, opened.dialect.separator(), opened.body_line());
    let (mut seen, mut ignored) = (0, InputErrors::default());
    let cut = loop {
        let Some(line) = scanner.next_record() else {
            // Fewer records than counted: the file changed while read; cut nothing.
            break u64::MAX;
        };
        if record_cells(&scanner, layout, line, &mut ignored).is_some() {
            if seen == MAX_RECORDS {
                break line;
            }
            seen += 1;
        }
    };
    offers.truncate(offers.partition_point(|o| o.line < cut));
    let mut left = offers.len();
    for chunk in chunks.iter_mut() {
        chunk.truncate(left, cut);
        left -= chunk.count;
        for list in [&mut chunk.shape_errors, &mut chunk.cell_errors] {
            list.issues.retain(|i| i.line.is_none_or(|l| l < cut));
        }
    }
    InputIssue::line(
        SUPPLIERS,
        cut,
        format!("is past the limit of {MAX_RECORDS} data rows per file"),
    )
}

/// The file's minerals: the same name in any case is one mineral; the first spelling is
/// kept. Also returns, per chunk, the file mineral of each of its minerals.
fn name_minerals(chunks: &[Chunk]) -> (Vec<(String, String)>, Vec<Vec<usize>>) {
    let mut by_key: FxHashMap<String, usize> = FxHashMap::default();
    let mut minerals: Vec<(String, String)> = Vec::new();
    let globals: Vec<Vec<usize>> = chunks
        .iter()
        .map(|chunk| {
            chunk
                .minerals
                .iter()
                .map(|raw| {
                    let key = raw.to_lowercase();
                    *by_key.entry(key).or_insert_with_key(|key| {
                        minerals.push((raw.clone(), key.clone()));
                        minerals.len() - 1
                    })
                })
                .collect()
        })
        .collect();
    (minerals, globals)
}

/// The first offer of each chunk, and the end of the last.
fn chunk_starts(chunks: &[Chunk]) -> Vec<usize> {
    let mut starts = Vec::with_capacity(chunks.len() + 1);
    starts.push(0);
    for chunk in chunks {
        starts.push(starts[starts.len() - 1] + chunk.count);
    }
    starts
}

/// `items` cut into one part per chunk (of its `count` items).
fn per_chunk<'v, T>(mut items: &'v mut [T], chunks: &[Chunk]) -> Vec<&'v mut [T]> {
    let mut parts = Vec::with_capacity(chunks.len());
    for chunk in chunks {
        let (part, tail) = items.split_at_mut(chunk.count);
        parts.push(part);
        items = tail;
    }
    parts
}

/// The offers without the `duplicates`, with their file minerals (`globals` of their
/// chunk); the problems in `errors`: every shape problem in file order, the `limit`,
/// then the cell problems and duplicates in file order.
fn assemble(
    mut offers: Vec<Offer>,
    mut chunks: Vec<Chunk>,
    globals: &[Vec<usize>],
    duplicates: &[(usize, u64)],
    limit: Option<InputIssue>,
    errors: &mut InputErrors,
) -> Vec<Offer> {
    for chunk in &mut chunks {
        errors.append(std::mem::take(&mut chunk.shape_errors));
    }
    if let Some(issue) = limit {
        errors.push(issue);
    }
    let starts = chunk_starts(&chunks);
    let chunk_of = |i: usize| starts.partition_point(|&s| s <= i) - 1;
    // Duplicates are named with their row's own spelling of the mineral.
    let mut issues: Vec<InputIssue> = duplicates
        .iter()
        .map(|&(i, first)| {
            let offer = &offers[i];
            InputIssue::cell(
                SUPPLIERS,
                offer.line,
                "supplier",
                &offer.supplier,
                format!(
                    "offers {} again (first on line {first}); expected supplier and mineral to be unique together",
                    chunks[chunk_of(i)].minerals[offer.mineral]
                ),
            )
        })
        .collect();
    per_chunk(&mut offers, &chunks)
        .into_par_iter()
        .zip(globals)
        .for_each(|(part, global)| {
            for offer in part {
                offer.mineral = global[offer.mineral];
            }
        });
    // Each chunk kept its first problems: enough for the first ones of the file.
    let mut omitted = 0;
    for chunk in chunks {
        issues.extend(chunk.cell_errors.issues);
        omitted += chunk.cell_errors.omitted;
    }
    issues.sort_by_key(|i| i.line);
    errors.append(InputErrors { issues, omitted });
    if !duplicates.is_empty() {
        let mut skip = duplicates.iter().map(|d| d.0).peekable();
        let mut k = 0;
        offers.retain(|_| {
            k += 1;
            skip.next_if_eq(&(k - 1)).is_none()
        });
    }
    offers
}

/// The offers repeating an earlier (supplier, mineral) pair, as (index, line of the
/// first offer), in file order. Each offer is one `u64` key, the high bits of a hash of
/// the pair above its index ([`duplicate_key`]); keys with equal high bits, sorted, are
/// next to each other in file order, and only they are compared. The keys are sorted in
/// buckets of their top bits, each piece's keys scattered into buckets and the buckets
/// sorted in parallel (no one sort of every key).
fn find_duplicates(
    offers: &[Offer],
    chunks: &[Chunk],
    globals: &[Vec<usize>],
) -> Vec<(usize, u64)> {
    let starts = chunk_starts(chunks);
    // About a thousand keys a bucket: each sorted in cache.
    let bits = (offers.len() >> 10).max(1).ilog2().min(12);
    let scattered: Vec<(Vec<u64>, Vec<usize>)> = chunks
        .par_iter()
        .zip(&starts)
        .map(|(chunk, &start)| scatter(&chunk.keys, start as u64, bits))
        .collect();
    let mineral = |i: usize| {
        let c = starts.partition_point(|&s| s <= i) - 1;
        globals[c][offers[i].mineral]
    };
    let mut found: Vec<(usize, u64)> = (0..1usize << bits)
        .into_par_iter()
        .flat_map_iter(|b| {
            let parts: Vec<&[u64]> = scattered
                .iter()
                .map(|(keys, bounds)| &keys[bounds[b]..bounds[b + 1]])
                .collect();
            let mut keys: Vec<u64> = Vec::with_capacity(parts.iter().map(|p| p.len()).sum());
            for part in parts {
                keys.extend_from_slice(part);
            }
            keys.sort_unstable();
            repeats(&keys, offers, &mineral)
        })
        .collect();
    found.sort_unstable();
    found
}

/// `keys` with `start` added to each (their indices made the file's), ordered by their
/// top `bits` bits (a counting sort), and where each bucket of those bits starts.
fn scatter(keys: &[u64], start: u64, bits: u32) -> (Vec<u64>, Vec<usize>) {
    let bucket = |key: u64| {
        if bits == 0 {
            0
        } else {
            (key >> (64 - bits)) as usize
        }
    };
    let mut bounds = vec![0usize; (1 << bits) + 1];
    for &key in keys {
        bounds[bucket(key) + 1] += 1;
    }
    for b in 1..bounds.len() {
        bounds[b] += bounds[b - 1];
    }
    let mut next = bounds.clone();
    let mut out = vec![0u64; keys.len()];
    for &key in keys {
        let slot = &mut next[bucket(key)];
        // The index stays below 2^INDEX_BITS: no carry into the hash bits.
        out[*slot] = key + start;
        *slot += 1;
    }
    (out, bounds)
}

/// The repeated pairs among sorted `keys` (see [`find_duplicates`]), as (index, line of
/// the first offer).
fn repeats(
    keys: &[u64],
    offers: &[Offer],
    mineral: &(impl Fn(usize) -> usize + Sync),
) -> Vec<(usize, u64)> {
    let index = |key: u64| (key & ((1 << INDEX_BITS) - 1)) as usize;
    let mut found = Vec::new();
    for run in keys
        .chunk_by(|a, b| a >> INDEX_BITS == b >> INDEX_BITS)
        .filter(|run| run.len() > 1)
    {
        for (j, &later) in run.iter().enumerate().skip(1) {
            let r = index(later);
            if let Some(first) = run[..j]
                .iter()
                .map(|&key| index(key))
                .find(|&f| mineral(f) == mineral(r) && offers[f].supplier == offers[r].supplier)
            {
                found.push((r, offers[first].line));
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows per piece in the tests: pieces of about this many rows.
    const ROWS_PER_TASK: usize = 4_096;

    /// [`read`] in pieces of about [`ROWS_PER_TASK`] rows.
    fn read(
        files: &ModelFiles,
        errors: &mut InputErrors,
        warnings: &mut Vec<String>,
    ) -> Option<Suppliers> {
        let rows = files
            .get(SUPPLIERS)
            .unwrap()
            .as_ref()
            .unwrap()
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        let pieces = rows.div_ceil(ROWS_PER_TASK);
        read_in(files, errors, warnings, |_| pieces)
    }

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
    /// The runs and countries summarized while reading equal those counted from the
    /// offers read, with minerals changing within and across pieces, in mixed case.
    #[test]
    fn summaries_equal_a_pass_over_the_offers() {
        use crate::rng::Rng;
        let mut rng = Rng::new(3);
        let mut text = String::from("supplier,mineral,country,unit_cost\n");
        let (mut mineral, n) = (0, 3 * ROWS_PER_TASK);
        for k in 0..n {
            if rng.below(400) == 0 {
                mineral = rng.below(4);
            }
            let name = ["cobalt", "Cobalt", "nickel", "LITHIUM"][mineral as usize];
            let country = ["AUS", "CHN", "COD", "chl"][rng.below(4) as usize];
            text.push_str(&format!("S{k},{name},{country},1\n"));
        }
        let files = ModelFiles::from_memory(&[(SUPPLIERS, text.as_bytes())]);
        let mut errors = InputErrors::default();
        let s = read(&files, &mut errors, &mut Vec::new()).unwrap();
        assert!(errors.is_empty(), "{errors}");
        let mut runs: Vec<MineralRun> = Vec::new();
        let mut countries: Vec<(usize, u64)> = Vec::new();
        for o in &s.offers {
            match runs.last_mut() {
                Some(r) if r.mineral == o.mineral => r.count += 1,
                _ => runs.push(MineralRun {
                    mineral: o.mineral,
                    count: 1,
                    first_line: o.line,
                }),
            }
            if !countries.iter().any(|c| c.0 == o.country) {
                countries.push((o.country, o.line));
            }
        }
        assert!(
            runs.len() > 3 && countries.len() == 4,
            "{runs:?} {countries:?}"
        );
        assert_eq!(s.runs, runs);
        assert_eq!(s.countries, countries);
        assert_eq!(s.minerals.len(), 3);
    }
}
