//! A plan for `stress`: contracted quantities per offer, in the layout of the
//! allocation.csv that `solve` writes (`mineral,supplier,quantity`, with `country` checked
//! when present and solve's other columns ignored).

use rustc_hash::FxHashMap;

use super::number::Domain;
use super::table::{read_table, Columns, ModelFiles, Record, Table};
use crate::error::{Error, InputErrors, InputIssue, Result};
use crate::model::Model;
use crate::tolerance::FEASIBILITY;
use crate::write::numbers::plain;

const COLUMNS: Columns = Columns {
    required: &["mineral", "supplier", "quantity"],
    optional: &["country", "share", "landed_unit_cost", "cost"],
};

/// Contracted quantities, one per offer of the model (`Model::offers` order; 0 for
/// offers the plan does not name).
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// x_i per offer.
    pub quantities: Vec<f64>,
    /// Things worth knowing that do not stop the run (extra columns, an empty plan).
    pub warnings: Vec<String>,
}

/// Reads plan file `name` of `files` against `model`. Every row must name an offer of
/// the model once, with a quantity within its capacity; a mineral's quantities may not
/// add up to more than its demand. All problems are reported, each with its line.
pub fn parse_plan(files: &ModelFiles, name: &str, model: &Model) -> Result<Plan> {
    let mut errors = InputErrors::default();
    let mut warnings = Vec::new();
    let Some(table) = read_table(files, name, &COLUMNS, &mut errors, &mut warnings) else {
        return Err(Error::Input(errors));
    };
    let mut reader = PlanReader::new(name, model, table.has_column("country"));
    for r in &table.records {
        reader.row(&table, r, &mut errors);
    }
    let quantities = reader.quantities;
    check_demands(name, model, &quantities, &mut errors);
    errors.into_result()?;
    if table.records.is_empty() {
        warnings.push(format!(
            "{name} has no rows: the plan contracts nothing, so all demand is unmet (at the unmet_penalty)"
        ));
    }
    Ok(Plan {
        quantities,
        warnings,
    })
}

/// The look-ups and the state of reading one plan file.
struct PlanReader<'m> {
    name: &'m str,
    model: &'m Model,
    has_country: bool,
    mineral_of: FxHashMap<String, usize>,
    offer_of: FxHashMap<(usize, &'m str), usize>,
    quantities: Vec<f64>,
    line_of: Vec<Option<u64>>,
}

impl<'m> PlanReader<'m> {
    fn new(name: &'m str, model: &'m Model, has_country: bool) -> Self {
        PlanReader {
            name,
            model,
            has_country,
            mineral_of: model
                .minerals
                .iter()
                .enumerate()
                .map(|(m, mineral)| (mineral.name.to_lowercase(), m))
                .collect(),
            offer_of: model
                .offers
                .iter()
                .enumerate()
                .map(|(i, o)| ((o.mineral, o.supplier.as_str()), i))
                .collect(),
            quantities: vec![0.0; model.offers.len()],
            line_of: vec![None; model.offers.len()],
        }
    }

    /// Reads one row: its offer, country, uniqueness and quantity.
    fn row(&mut self, table: &Table, r: &Record, errors: &mut InputErrors) {
        let mineral = table.required_text(r, "mineral", errors);
        let supplier = table.required_text(r, "supplier", errors);
        let quantity = table.number(r, "quantity", Domain::NonNegative, errors);
        let Some(m) = mineral.and_then(|text| self.mineral(r, text, errors)) else {
            return;
        };
        let Some(supplier) = supplier else { return };
        let Some(i) = self.offer(r, m, supplier, errors) else {
            return;
        };
        if self.has_country {
            self.check_country(r, i, table.text(r, "country"), errors);
        }
        if let Some(first) = self.line_of[i] {
            errors.push(InputIssue::cell(
                self.name,
                r.line,
                "supplier",
                supplier,
                format!(
                    "is planned for {} again (first on line {first}); expected one row per offer",
                    self.model.minerals[m].name
                ),
            ));
            return;
        }
        self.line_of[i] = Some(r.line);
        if let Some(x) = quantity {
            self.set_quantity(r, i, x, errors);
        }
    }

    fn mineral(&self, r: &Record, text: &str, errors: &mut InputErrors) -> Option<usize> {
        let m = self.mineral_of.get(&text.to_lowercase()).copied();
        if m.is_none() {
            errors.push(InputIssue::cell(
                self.name,
                r.line,
                "mineral",
                text,
                format!(
                    "is not a mineral of the model; expected one of: {}",
                    super::list(self.model.minerals.iter().map(|m| m.name.as_str()))
                ),
            ));
        }
        m
    }

    fn offer(
        &self,
        r: &Record,
        m: usize,
        supplier: &str,
        errors: &mut InputErrors,
    ) -> Option<usize> {
        let i = self.offer_of.get(&(m, supplier)).copied();
        if i.is_none() {
            errors.push(InputIssue::cell(
                self.name,
                r.line,
                "supplier",
                supplier,
                format!(
                    "has no offer of {} in suppliers.csv; expected a supplier offering it",
                    self.model.minerals[m].name
                ),
            ));
        }
        i
    }

    fn check_country(&self, r: &Record, i: usize, country: &str, errors: &mut InputErrors) {
        let offer = &self.model.offers[i];
        let code = &self.model.countries[offer.country].code;
        if !country.is_empty() && !country.eq_ignore_ascii_case(code) {
            errors.push(InputIssue::cell(
                self.name,
                r.line,
                "country",
                country,
                format!(
                    "differs from the offer's country in suppliers.csv; expected {code} (suppliers.csv:{})",
                    offer.line
                ),
            ));
        }
    }

    fn set_quantity(&mut self, r: &Record, i: usize, x: f64, errors: &mut InputErrors) {
        let offer = &self.model.offers[i];
        if let Some(cap) = offer.capacity {
            if x > cap + FEASIBILITY * self.model.minerals[offer.mineral].demand {
                errors.push(InputIssue::cell(
                    self.name,
                    r.line,
                    "quantity",
                    &plain(x),
                    format!(
                        "is above the offer's capacity; expected at most {} (suppliers.csv:{})",
                        plain(cap),
                        offer.line
                    ),
                ));
                return;
            }
        }
        self.quantities[i] = x;
    }
}

/// No mineral may be planned above its demand, plus what its stock can take (what a
/// plan buys above demand is stock built: see `analysis::stock`).
fn check_demands(name: &str, model: &Model, quantities: &[f64], errors: &mut InputErrors) {
    for mineral in &model.minerals {
        let bought: f64 = quantities[mineral.offers.clone()].iter().sum();
        if mineral.stock.is_some() {
            let most = mineral.demand + mineral.stock_room();
            if bought > most + FEASIBILITY * mineral.demand {
                errors.push(InputIssue::file(
                    name,
                    format!(
                        "buys {} of {}, more than its demand {} plus the {} its stock can take (demand.csv:{}); expected at most {}",
                        plain(bought),
                        mineral.name,
                        plain(mineral.demand),
                        plain(mineral.stock_room()),
                        mineral.line,
                        plain(most)
                    ),
                ));
            }
            continue;
        }
        if bought > mineral.demand * (1.0 + FEASIBILITY) {
            errors.push(InputIssue::file(
                name,
                format!(
                    "buys {} of {}, more than its demand {} (demand.csv:{}); expected a plan that meets demand or leaves part of it unmet",
                    plain(bought),
                    mineral.name,
                    plain(mineral.demand),
                    mineral.line
                ),
            ));
        }
    }
}
