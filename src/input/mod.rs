//! Loading a model folder (SPEC §1): parse every file, check every cross-reference,
//! and return a [`Model`] or every problem found.

mod bytes;
mod cases;
mod chains;
pub mod correlation;
pub(crate) mod number;
pub(crate) mod scan;
pub mod table;
pub mod workbook;

mod bundles;
mod countries;
mod demand;
mod discounts;
mod plan;
mod policy;
mod scenarios;
mod soft;
mod suppliers;
mod tiers;

use std::collections::BTreeMap;
use std::path::Path;

use crate::error::{Error, InputErrors, InputIssue, Result};
use crate::model::name::Name;
use crate::model::{Country, Model, Offer, Scenario};
pub use cases::{load_cases, CaseKind, CaseSpec};
pub use plan::{parse_plan, Plan};
pub use scenarios::SCENARIO_COLUMNS;
pub use suppliers::SUPPLIER_COLUMNS;
pub use table::ModelFiles;

/// The file names a model folder may hold.
pub mod files {
    /// Offers (required).
    pub const SUPPLIERS: &str = "suppliers.csv";
    /// Demand per mineral (required).
    pub const DEMAND: &str = "demand.csv";
    /// Country risk, groups and tariffs (optional).
    pub const COUNTRIES: &str = "countries.csv";
    /// The planner's policy (optional).
    pub const CONSTRAINTS: &str = "constraints.csv";
    /// Disruption scenarios (optional).
    pub const SCENARIOS: &str = "scenarios.csv";
    /// Price tiers per offer (optional).
    pub const TIERS: &str = "tiers.csv";
    /// Bundle bids (optional).
    pub const BUNDLES: &str = "bundles.csv";
    /// Lot discounts (optional).
    pub const DISCOUNTS: &str = "discounts.csv";
}

/// Longest name (supplier id, mineral, group tag) accepted, in bytes.
pub const MAX_NAME_BYTES: usize = 200;

/// A model as read: the validated model, the disruption scenarios of its scenarios.csv
/// (empty without one), and the reader's non-fatal remarks (unknown columns, …).
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded {
    /// The validated model.
    pub model: Model,
    /// Disruption scenarios, in file order.
    pub scenarios: Vec<Scenario>,
    /// Warnings found while reading.
    pub warnings: Vec<String>,
}

/// A loaded model reads as its [`Model`] (`&loaded` where a `&Model` is expected), so the
/// scenarios and warnings beside it never need to be taken apart to reach it.
impl std::ops::Deref for Loaded {
    type Target = Model;
    fn deref(&self) -> &Model {
        &self.model
    }
}

/// Reads and validates the model in folder `dir` (with its scenarios and warnings), or in
/// the workbook `dir` names (see [`workbook`]).
pub fn load(dir: &Path) -> Result<Loaded> {
    if dir.is_file() && workbook::is_workbook(dir) {
        return workbook::load_workbook(dir);
    }
    if !dir.is_dir() {
        return Err(Error::Input(InputErrors {
            issues: vec![InputIssue::file(
                &dir.display().to_string(),
                "is not a folder; expected a model folder holding suppliers.csv and demand.csv, or a workbook (.xlsx) with those sheets",
            )],
            omitted: 0,
        }));
    }
    let names = [
        files::SUPPLIERS,
        files::DEMAND,
        files::COUNTRIES,
        files::CONSTRAINTS,
        files::SCENARIOS,
        files::TIERS,
        files::BUNDLES,
        files::DISCOUNTS,
    ];
    parse(&ModelFiles::read_dir(dir, &names))
}

/// [`load`]'s model alone, for callers that need neither its scenarios nor its warnings
/// (every file is validated all the same).
pub fn load_model(dir: &Path) -> Result<Model> {
    Ok(load(dir)?.model)
}

/// Reads the plan at `path` (allocation.csv layout) for `model`; messages name `path`.
pub fn load_plan(path: &Path, model: &Model) -> Result<Plan> {
    let name = path.display().to_string();
    parse_plan(&ModelFiles::read_path(&name, path), &name, model)
}

/// Reads disruption scenarios from `path` (scenarios.csv layout) for `model`, in place
/// of the model's own scenarios.csv; messages name `path`. Also returns warnings.
pub fn load_scenarios(
    path: &Path,
    model: &Model,
) -> Result<(Vec<crate::model::Scenario>, Vec<String>)> {
    let files = ModelFiles::read_path(files::SCENARIOS, path);
    parse_scenarios(&files, model).map_err(|e| match e {
        // The reader names the file scenarios.csv: name it as the user did.
        Error::Input(mut errors) => {
            for issue in &mut errors.issues {
                issue.file = path.display().to_string();
            }
            Error::Input(errors)
        }
        other => other,
    })
}

/// Reads the scenarios.csv of `files` for `model` (see [`load_scenarios`]); an absent
/// file is an error.
pub fn parse_scenarios(
    files: &ModelFiles,
    model: &Model,
) -> Result<(Vec<crate::model::Scenario>, Vec<String>)> {
    let mut errors = InputErrors::default();
    let mut warnings = Vec::new();
    let scenarios = scenarios::read(files, model, &mut errors, &mut warnings);
    errors.into_result()?;
    Ok((scenarios, warnings))
}

/// [`parse`]'s model alone (see [`load_model`]).
pub fn parse_model(input: &ModelFiles) -> Result<Model> {
    Ok(parse(input)?.model)
}

/// Validates a model given as files (see [`ModelFiles`]); the same checks as [`load`].
pub fn parse(input: &ModelFiles) -> Result<Loaded> {
    let mut errors = InputErrors::default();
    let mut warnings = Vec::new();

    let demand = demand::read(input, &mut errors, &mut warnings);
    let offers = suppliers::read(input, &mut errors, &mut warnings);
    let countries = if input.has(files::COUNTRIES) {
        Some(countries::read(input, &mut errors, &mut warnings))
    } else {
        None
    };
    errors.clone().into_result()?;

    // Minerals: demand.csv defines them; suppliers.csv must match.
    let mut minerals = demand.unwrap_or_default();
    minerals.sort_by(|a, b| a.key.cmp(&b.key));
    let mut supplied = offers.unwrap_or_default();
    let file_chains = std::mem::take(&mut supplied.chains);
    let mineral_of = match_minerals(&minerals, &supplied, &mut errors);

    // Countries: countries.csv (if any) must list every supplier country.
    let has_country_file = countries.is_some();
    let country_rows: BTreeMap<String, countries::RawCountry> = countries
        .flatten()
        .into_iter()
        .flatten()
        .map(|c| (c.code.clone(), c))
        .collect();
    let mut codes = codes_used(&supplied.countries);
    for (code, line) in codes_used(&file_chains.origins) {
        codes.entry(code).or_insert(line);
    }
    if has_country_file {
        check_listed(&codes, &country_rows, &mut errors);
    }
    check_controllers(
        &file_chains.controllers,
        &codes,
        has_country_file.then_some(&country_rows),
        &mut errors,
    );
    errors.clone().into_result()?;

    let (countries, groups) = build_countries(&codes, &country_rows);
    let stages = chains::resolve(file_chains, &country_slots(&countries));
    let (model_offers, model_minerals) = group_offers(
        supplied.offers,
        &supplied.runs,
        &mineral_of,
        minerals,
        &countries,
    );
    let mut model = Model {
        minerals: model_minerals,
        offers: model_offers,
        countries,
        groups: groups.into_iter().map(Name::from).collect(),
        policy: Vec::new(),
        coupling: Default::default(),
        stages,
    };
    if input.has(files::TIERS) {
        tiers::read(input, &mut model, &mut errors, &mut warnings);
    }
    if input.has(files::BUNDLES) {
        model.coupling.bundles = bundles::read(input, &model, &mut errors, &mut warnings);
    }
    if input.has(files::DISCOUNTS) {
        model.coupling.discounts = discounts::read(input, &model, &mut errors, &mut warnings);
    }
    if input.has(files::CONSTRAINTS) {
        model.policy = policy::read(input, &model, &mut errors, &mut warnings);
    }
    let scenarios = if input.has(files::SCENARIOS) {
        scenarios::read(input, &model, &mut errors, &mut warnings)
    } else {
        Vec::new()
    };
    errors.into_result()?;
    Ok(Loaded {
        model,
        scenarios,
        warnings,
    })
}

/// Maps each suppliers.csv mineral to its demand.csv mineral (sorted by key); reports
/// suppliers' minerals without demand and minerals without offers.
fn match_minerals(
    minerals: &[demand::RawMineral],
    supplied: &suppliers::Suppliers,
    errors: &mut InputErrors,
) -> Vec<Option<usize>> {
    let mineral_index: BTreeMap<&str, usize> = minerals
        .iter()
        .enumerate()
        .map(|(k, m)| (m.key.as_str(), k))
        .collect();
    // Supplier-file mineral index → model mineral index.
    let mineral_of: Vec<Option<usize>> = supplied
        .minerals
        .iter()
        .map(|(_, key)| mineral_index.get(key.as_str()).copied())
        .collect();
    let mut offered = vec![false; minerals.len()];
    let mut unknown: BTreeMap<&str, u64> = BTreeMap::new();
    for run in &supplied.runs {
        match mineral_of[run.mineral] {
            Some(m) => offered[m] = true,
            None => {
                unknown
                    .entry(supplied.minerals[run.mineral].0.as_str())
                    .or_insert(run.first_line);
            }
        }
    }
    for (name, line) in &unknown {
        errors.push(InputIssue::cell(
            files::SUPPLIERS,
            *line,
            "mineral",
            name,
            format!(
                "has no row in demand.csv; expected one of: {}",
                list(minerals.iter().map(|m| m.name.as_str()))
            ),
        ));
    }
    for (m, mineral) in minerals.iter().enumerate() {
        if !offered[m] {
            errors.push(InputIssue::cell(
                files::DEMAND,
                mineral.line,
                "mineral",
                &mineral.name,
                "has no offer in suppliers.csv; every mineral with demand needs at least one offer",
            ));
        }
    }
    mineral_of
}

/// Country codes used by offers, with the first line using each, from the slots of
/// their codes as read ([`suppliers::Suppliers::countries`]).
fn codes_used(slots: &[(usize, u64)]) -> BTreeMap<String, u64> {
    slots
        .iter()
        .map(|&(slot, line)| (iso3_str(&iso3_of_slot(slot)).to_string(), line))
        .collect()
}

/// Reports the supplier countries countries.csv does not list.
fn check_listed(
    codes: &BTreeMap<String, u64>,
    country_rows: &BTreeMap<String, countries::RawCountry>,
    errors: &mut InputErrors,
) {
    let missing: Vec<(&String, &u64)> = codes
        .iter()
        .filter(|(c, _)| !country_rows.contains_key(c.as_str()))
        .collect();
    if !missing.is_empty() {
        errors.push(InputIssue::file(
            files::COUNTRIES,
            format!(
                "does not list {} countr{} used in suppliers.csv: {}",
                missing.len(),
                if missing.len() == 1 { "y" } else { "ies" },
                list(
                    missing
                        .iter()
                        .map(|(c, l)| format!("{c} (suppliers.csv:{l})"))
                )
            ),
        ));
    }
}

/// Reports each `controlled_by` code that countries.csv does not list (or, without it,
/// that no offer's country or origin names).
fn check_controllers(
    controllers: &[(usize, u64)],
    codes: &BTreeMap<String, u64>,
    country_rows: Option<&BTreeMap<String, countries::RawCountry>>,
    errors: &mut InputErrors,
) {
    for &(slot, line) in controllers {
        let code = iso3_of_slot(slot);
        let code = iso3_str(&code);
        let (known, expected) = match country_rows {
            Some(rows) => (rows.contains_key(code), "is not listed in countries.csv; expected a country code that countries.csv lists"),
            None => (codes.contains_key(code), "is not a country of this model; expected a code that suppliers.csv names (or list it in countries.csv)"),
        };
        if !known {
            errors.push(InputIssue::cell(
                files::SUPPLIERS,
                line,
                "controlled_by",
                code,
                expected,
            ));
        }
    }
}

/// The model country of each ISO3 slot (`usize::MAX` for codes the model lacks).
fn country_slots(countries: &[Country]) -> Vec<usize> {
    let mut country_of_slot = vec![usize::MAX; ISO3_SLOTS];
    for (k, c) in countries.iter().enumerate() {
        if let Ok(code) = <[u8; 3]>::try_from(c.code.as_bytes()) {
            country_of_slot[iso3_slot(&code)] = k;
        }
    }
    country_of_slot
}

/// The model's countries (every code used or listed, sorted) and group tags (sorted).
fn build_countries(
    codes: &BTreeMap<String, u64>,
    country_rows: &BTreeMap<String, countries::RawCountry>,
) -> (Vec<Country>, Vec<String>) {
    let mut all_codes: Vec<String> = codes.keys().cloned().collect();
    all_codes.extend(country_rows.keys().cloned());
    all_codes.sort();
    all_codes.dedup();
    let mut groups: Vec<String> = country_rows
        .values()
        .flat_map(|c| c.groups.iter().cloned())
        .collect();
    groups.sort();
    groups.dedup();
    let countries: Vec<Country> = all_codes
        .iter()
        .map(|code| match country_rows.get(code) {
            Some(raw) => Country {
                code: code.as_str().into(),
                risk: raw.risk,
                groups: raw
                    .groups
                    .iter()
                    .map(|g| groups.binary_search(g).expect("group collected above"))
                    .collect(),
                tariff: raw.tariff,
                disruption_prob: raw.disruption_prob,
                line: Some(raw.line),
            },
            None => Country {
                code: code.as_str().into(),
                risk: 0.0,
                groups: Vec::new(),
                tariff: 0.0,
                disruption_prob: None,
                line: None,
            },
        })
        .collect();
    (countries, groups)
}

/// Offers grouped by mineral, file order within a mineral (a stable sort by mineral,
/// skipped when the file already is: told from the `runs` of minerals as read), their
/// minerals, countries and landed costs resolved; and the minerals with their offer
/// ranges.
fn group_offers(
    mut offers: Vec<Offer>,
    runs: &[suppliers::MineralRun],
    mineral_of: &[Option<usize>],
    minerals: Vec<demand::RawMineral>,
    countries: &[Country],
) -> (Vec<Offer>, Vec<crate::model::Mineral>) {
    use rayon::prelude::*;
    let country_of_slot = country_slots(countries);
    let of_file = |m: usize| mineral_of[m].expect("unknown minerals reported above");
    let model_mineral = |o: &Offer| of_file(o.mineral);
    debug_assert_eq!(runs.iter().map(|r| r.count).sum::<usize>(), offers.len());
    if !runs.is_sorted_by_key(|r| of_file(r.mineral)) {
        offers.par_sort_by_key(model_mineral);
    }
    offers.par_iter_mut().for_each(|o| {
        o.mineral = model_mineral(o);
        o.country = country_of_slot[o.country];
        o.landed_cost = o.unit_cost * (1.0 + countries[o.country].tariff) + o.freight;
    });
    let mut counts = vec![0usize; minerals.len()];
    for run in runs {
        counts[of_file(run.mineral)] += run.count;
    }
    let mut start = 0;
    let model_minerals = minerals
        .into_iter()
        .zip(counts)
        .map(|(raw, count)| {
            start += count;
            crate::model::Mineral {
                name: raw.name.into(),
                demand: raw.quantity,
                unmet_penalty: raw.unmet_penalty,
                offers: start - count..start,
                line: raw.line,
                stock: raw.stock,
            }
        })
        .collect();
    (offers, model_minerals)
}

/// Number of possible ISO3 codes (three letters A–Z).
const ISO3_SLOTS: usize = 26 * 26 * 26;

/// The slot of an upper-case ISO3 code in tables indexed by code.
pub(crate) fn iso3_slot(code: &[u8; 3]) -> usize {
    code.iter().fold(0, |acc, &b| {
        acc * 26 + usize::from(b.saturating_sub(b'A')).min(25)
    })
}

/// The code of a slot of [`iso3_slot`] (of an upper-case code).
fn iso3_of_slot(slot: usize) -> [u8; 3] {
    let letter = |k: usize| b'A' + (k % 26) as u8;
    [letter(slot / 676), letter(slot / 26), letter(slot)]
}

/// An ISO3 code as text (it holds ASCII letters only).
pub(crate) fn iso3_str(code: &[u8; 3]) -> &str {
    std::str::from_utf8(code).unwrap_or("???")
}

/// Joins names for a message, eliding a long list.
pub(crate) fn list<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> String {
    const SHOWN: usize = 12;
    let mut out = String::new();
    let mut n = 0;
    for item in items {
        if n < SHOWN {
            if n > 0 {
                out.push_str(", ");
            }
            out.push_str(item.as_ref());
        }
        n += 1;
    }
    if n > SHOWN {
        out.push_str(&format!(" … ({n} in all)"));
    }
    out
}

/// Checks a name cell: non-empty (already checked), not too long, no control characters.
#[inline]
pub(crate) fn check_name(
    file: &str,
    line: u64,
    column: &str,
    value: &str,
    errors: &mut InputErrors,
) -> bool {
    let plain = value.len() <= MAX_NAME_BYTES && value.bytes().all(|b| (0x20..0x7f).contains(&b));
    plain || check_unusual_name(file, line, column, value, errors)
}

/// [`check_name`] of a long name or one with other than printable ASCII.
#[cold]
fn check_unusual_name(
    file: &str,
    line: u64,
    column: &str,
    value: &str,
    errors: &mut InputErrors,
) -> bool {
    if value.len() > MAX_NAME_BYTES {
        errors.push(InputIssue::cell(
            file,
            line,
            column,
            &format!("{}…", &value[..value.floor_char_boundary(40)]),
            format!(
                "is {} bytes long; expected at most {MAX_NAME_BYTES}",
                value.len()
            ),
        ));
        return false;
    }
    let printable_ascii = value.bytes().all(|b| (0x20..0x7f).contains(&b));
    if !printable_ascii && value.chars().any(char::is_control) {
        errors.push(InputIssue::cell(
            file,
            line,
            column,
            value,
            "contains a control character (a line break or tab); expected a plain name",
        ));
        return false;
    }
    true
}

/// Parses an ISO 3166-1 alpha-3 code (three letters, any case) to upper case.
pub(crate) fn parse_iso3(
    file: &str,
    line: u64,
    column: &str,
    value: &str,
    errors: &mut InputErrors,
) -> Option<[u8; 3]> {
    let b = value.as_bytes();
    if b.len() == 3 && b.iter().all(|b| b.is_ascii_alphabetic()) {
        Some([
            b[0].to_ascii_uppercase(),
            b[1].to_ascii_uppercase(),
            b[2].to_ascii_uppercase(),
        ])
    } else {
        errors.push(InputIssue::cell(
            file,
            line,
            column,
            value,
            "is not an ISO 3166-1 alpha-3 code; expected three letters like AUS or CHN",
        ));
        None
    }
}

/// Supplier ids → their offers, built on first use: few models name a supplier in a rule
/// or a shock, and a large model need not pay for the map.
pub(crate) struct SupplierLookup<'m> {
    model: &'m crate::model::Model,
    map: Option<rustc_hash::FxHashMap<&'m str, Vec<usize>>>,
}

impl<'m> SupplierLookup<'m> {
    /// A lookup over the offers of `model`.
    pub(crate) fn new(model: &'m crate::model::Model) -> Self {
        SupplierLookup { model, map: None }
    }

    /// The supplier `id` with its offers, or `None` when no offer has that id.
    pub(crate) fn get(&mut self, id: &str) -> Option<crate::model::SupplierRef> {
        let model = self.model;
        let map = self.map.get_or_insert_with(|| {
            let mut map: rustc_hash::FxHashMap<&str, Vec<usize>> = Default::default();
            for (i, o) in model.offers.iter().enumerate() {
                map.entry(o.supplier.as_str()).or_default().push(i);
            }
            map
        });
        let offers = map.get(id)?;
        Some(crate::model::SupplierRef {
            name: model.offers[offers[0]].supplier.clone(),
            offers: offers.clone(),
        })
    }
}
