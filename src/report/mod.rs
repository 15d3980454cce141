//! Reports of a solve: the rows of allocation.csv, summary.csv and constraints.csv
//! (SPEC §4), built once and written as CSV, JSON or a text table.

mod bundles;
mod check;
mod compare;
mod explain;
mod frontier;
mod hedge;
pub mod html;
pub(crate) mod inputs;
pub mod json;
pub(crate) mod outputs;
mod policy;
mod ranging;
mod scenarios;
mod soft;
mod stages;
mod stress;
pub(crate) mod stress_tables;
pub(crate) mod table;
mod text;
mod tiers;
pub(crate) mod words;
pub(crate) mod xlsx;

use rayon::prelude::*;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::Result;
use crate::model::name::Name;
use crate::model::Model;
use crate::plan::{Metrics, MineralOutcome, Plan};
use crate::solve::Status;
use crate::write::{atomic, CsvOut};

pub use bundles::{
    bundle_rows, bundles_table, lot_rows, lots_table, BundleRow, LotRow, BUNDLE_COLUMNS,
    LOT_COLUMNS,
};
pub use check::render_check;
pub use compare::{compare_table, render_compare, COMPARE_COLUMNS, COMPARE_CSV};
pub use explain::{explain_table, render_explain, ExplainReport, EXPLAIN_COLUMNS, EXPLAIN_CSV};
pub use frontier::{frontier_table, FRONTIER_COLUMNS};
pub use hedge::{hedge_table, render_hedge, HEDGE_COLUMNS};
pub use outputs::{write_results, write_tables, write_tables_with, write_workbook, Outputs};
pub use policy::{policy_table, render_policy, PolicyReport, POLICY_COLUMNS, POLICY_CSV};
pub use ranging::{ranging_table, RANGING_COLUMNS};
pub use scenarios::{render_scenarios, scenarios_csv, scenarios_table, SCENARIOS_COLUMNS};
pub use soft::{render_soft_breaks, soft_notes};
pub use stages::{stage_lines, stage_rows, stages_table, StageRow, STAGE_COLUMNS};
pub use stress::{render_stress, stress_files};
pub use table::{Cells, CellsDyn, Column, ColumnKind, Dialect, Table};
pub use text::{render_solvers, render_text};
pub use tiers::{tier_rows, tiers_table, TierRow, TIER_COLUMNS};

/// One row of allocation.csv.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AllocationRow {
    /// Mineral name.
    pub mineral: Name,
    /// Supplier id.
    pub supplier: Name,
    /// Country code.
    pub country: Name,
    /// Quantity bought.
    pub quantity: f64,
    /// Quantity as a share of the mineral's demand.
    pub share: f64,
    /// Landed unit cost.
    pub landed_unit_cost: f64,
    /// quantity · landed_unit_cost (+ fixed cost when the offer has one).
    pub cost: f64,
}

/// One row of summary.csv (mineral `*` is the total).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SummaryRow {
    /// Mineral name, or `*` for the totals.
    pub mineral: Name,
    /// Demand.
    pub demand: f64,
    /// Quantity bought.
    pub purchased: f64,
    /// Demand left unmet.
    pub unmet: f64,
    /// Total cost including fixed costs and unmet penalties.
    pub cost: f64,
    /// Purchase cost (landed plus fixed costs, without unmet penalties) per unit bought.
    pub avg_unit_cost: Option<f64>,
    /// Σ_c (q_c / D)² (empty on the totals row).
    pub hhi: Option<f64>,
    /// Σ_c risk_c (q_c / D)² (empty on the totals row).
    pub risk_hhi: Option<f64>,
    /// Σ risk · x / D (empty on the totals row).
    pub avg_risk: Option<f64>,
    /// Country with the largest quantity.
    pub top_country: Name,
    /// Its quantity as a share of demand.
    pub top_country_share: Option<f64>,
    /// Offers used (distinct supplier ids on the totals row).
    pub suppliers: usize,
    /// Countries used.
    pub countries: usize,
    /// The stock columns, when demand.csv has stock columns.
    #[serde(flatten)]
    pub stock: Option<SummaryStock>,
}

/// The stock of a summary.csv row (README "Stock"), in stock.csv's words.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SummaryStock {
    /// S0: held at the start of the year.
    pub stock_on_hand: f64,
    /// b: what the plan buys above demand.
    pub stock_built: f64,
    /// S = S0 + b: held after the plan.
    pub stock: f64,
    /// h · S: its holding cost (part of `cost`).
    pub holding_cost: f64,
}

impl SummaryStock {
    /// Mineral `m`'s stock when it contracts `contracted`, `None` without stock columns.
    fn of(model: &Model, m: usize, contracted: f64) -> Option<SummaryStock> {
        let mineral = &model.minerals[m];
        let st = mineral.stock?;
        let built = mineral.stock_built(contracted);
        Some(SummaryStock {
            stock_on_hand: st.on_hand,
            stock_built: built,
            stock: st.on_hand + built,
            holding_cost: mineral.holding_cost(contracted),
        })
    }

    /// The totals of `rows` (`None` when no row has a stock).
    fn total<'a>(rows: impl Iterator<Item = &'a SummaryRow>) -> Option<SummaryStock> {
        rows.filter_map(|r| r.stock).reduce(|a, b| SummaryStock {
            stock_on_hand: a.stock_on_hand + b.stock_on_hand,
            stock_built: a.stock_built + b.stock_built,
            stock: a.stock + b.stock,
            holding_cost: a.holding_cost + b.holding_cost,
        })
    }
}

/// One row of constraints.csv: an expanded policy row on the plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConstraintRow {
    /// Rule name.
    pub constraint: &'static str,
    /// The rule (its name is `constraint`).
    #[serde(skip)]
    pub kind: crate::policy::Kind,
    /// Mineral name.
    pub mineral: Name,
    /// Target (country, supplier, group) or empty.
    pub target: Name,
    /// The bound.
    pub bound: f64,
    /// The row's left-hand side in the bound's units.
    pub value: f64,
    /// Distance to the bound on the allowed side (≥ 0 when satisfied).
    pub slack: f64,
    /// True when the row is at its bound.
    pub binding: bool,
    /// d total cost / d bound, when known.
    pub shadow_price: Option<f64>,
    /// `shadow_price` per point of the bound (see [`crate::policy::Kind::per_point`]).
    pub shadow_price_per_point: Option<f64>,
    /// The stage the row applies at ("" for the shipping country); `None` in a model
    /// without stages (constraints.csv then has no `stage` column).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage: Option<Name>,
    /// Line in constraints.csv.
    pub line: u64,
    /// A soft row's violation and its cost (see [`SoftCells`]); `None` in a model
    /// without soft rows, whose constraints.csv has no such columns.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub soft: Option<SoftCells>,
}

/// The violation columns of a constraints.csv row in a model with soft rows.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SoftCells {
    /// How far past its bound the row is, in points of the rule (0 when kept); `None`
    /// for a hard row.
    pub violation: Option<f64>,
    /// violation · penalty; `None` for a hard row.
    pub violation_cost: Option<f64>,
}

pub use crate::plan::RelaxationRow;

/// How one mineral's block was solved.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BlockRow {
    /// Mineral name.
    pub mineral: Name,
    /// Backend used.
    pub solver: String,
    /// Outcome of the block.
    pub status: String,
    /// Rounds of HHI tangent cuts after the first solve (0 without HHI caps, or when the
    /// caps were stated as cones).
    pub cut_rounds: usize,
    /// For a plan stopped by a limit: bound on its relative gap to the optimum.
    pub gap: Option<f64>,
}

/// Everything a solve reports. Serialized (JSON) with the rows of all minerals in one
/// `allocation` and one `constraints` list.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// Overall outcome (serialized as its name; details are in `problems`).
    pub status: Status,
    /// Total cost over minerals (plans only).
    pub total_cost: f64,
    /// How each mineral's block was solved, in mineral order.
    pub blocks: Vec<BlockRow>,
    /// The allocation.csv and constraints.csv rows of each mineral with a plan, in
    /// mineral order (see [`Report::allocation`] and [`Report::constraints`]).
    pub sections: Vec<MineralSection>,
    /// summary.csv rows.
    pub summary: Vec<SummaryRow>,
    /// For infeasible minerals: the least relaxation making them feasible.
    pub relaxations: Vec<RelaxationRow>,
    /// Per-mineral problems (infeasible, failed) in words.
    pub problems: Vec<String>,
    /// Warnings from reading the model.
    pub warnings: Vec<String>,
    /// True when constraints.csv has the soft rows' columns (`violation`,
    /// `violation_cost`): some policy row names a penalty or a priority.
    pub soft_columns: bool,
}

/// The report rows of one mineral, with its lines of allocation.csv and constraints.csv
/// already formatted (they are built as soon as the mineral's block is solved, while
/// other blocks still solve).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MineralSection {
    /// allocation.csv rows, by quantity descending.
    pub allocation: Vec<AllocationRow>,
    /// constraints.csv rows, in expansion order.
    pub constraints: Vec<ConstraintRow>,
    /// `allocation` as CSV lines (no header).
    allocation_csv: Vec<u8>,
    /// `constraints` as CSV lines (no header).
    constraints_csv: Vec<u8>,
}

impl Report {
    /// allocation.csv rows: by mineral, then quantity descending.
    pub fn allocation(&self) -> impl Iterator<Item = &AllocationRow> + Clone {
        self.sections.iter().flat_map(|s| &s.allocation)
    }

    /// constraints.csv rows: by mineral, then in expansion order.
    pub fn constraints(&self) -> impl Iterator<Item = &ConstraintRow> + Clone {
        self.sections.iter().flat_map(|s| &s.constraints)
    }
}

impl Serialize for Report {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        /// An iterator serialized as a sequence.
        struct Seq<I>(I);
        impl<I: Iterator<Item = T> + Clone, T: Serialize> Serialize for Seq<I> {
            fn serialize<S: serde::Serializer>(
                &self,
                s: S,
            ) -> std::result::Result<S::Ok, S::Error> {
                s.collect_seq(self.0.clone())
            }
        }
        let mut st = s.serialize_struct("Report", 9)?;
        st.serialize_field("status", self.status.name())?;
        // The summary's `*` cost, with the same exact digits.
        let exact = match self.summary.split_last() {
            Some((last, rows)) if last.mineral == "*" => totals(rows)[3].0.clone(),
            _ => None,
        };
        match exact.map(serde_json::value::RawValue::from_string) {
            Some(Ok(raw)) => st.serialize_field("total_cost", &raw)?,
            _ => st.serialize_field("total_cost", &self.total_cost)?,
        }
        st.serialize_field("blocks", &self.blocks)?;
        st.serialize_field("allocation", &Seq(self.allocation()))?;
        st.serialize_field("summary", &SummaryJson(&self.summary))?;
        st.serialize_field("constraints", &Seq(self.constraints()))?;
        st.serialize_field("relaxations", &self.relaxations)?;
        st.serialize_field("problems", &self.problems)?;
        st.serialize_field("warnings", &self.warnings)?;
        st.end()
    }
}

/// summary rows in JSON: the `*` totals row with the exact digits summary.csv writes
/// (see [`totals`]), the others as they are.
struct SummaryJson<'a>(&'a [SummaryRow]);

impl Serialize for SummaryJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let rows = self.0;
        let mut seq = s.serialize_seq(Some(rows.len()))?;
        for (k, r) in rows.iter().enumerate() {
            if k + 1 == rows.len() && r.mineral == "*" {
                seq.serialize_element(&TotalsJson {
                    row: r,
                    sums: totals(&rows[..k]),
                })?;
            } else {
                seq.serialize_element(r)?;
            }
        }
        seq.end()
    }
}

/// The `*` summary row with its four sums as their exact digits (its fields are
/// [`SummaryRow`]'s, in its order; a test compares the sets).
struct TotalsJson<'a> {
    row: &'a SummaryRow,
    sums: [(Option<String>, f64); 4],
}

impl Serialize for TotalsJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::{Error, SerializeStruct};
        let r = self.row;
        let mut st = s.serialize_struct("SummaryRow", 13)?;
        st.serialize_field("mineral", &r.mineral)?;
        for (name, (digits, v)) in ["demand", "purchased", "unmet", "cost"]
            .iter()
            .zip(&self.sums)
        {
            match digits {
                Some(d) => {
                    let raw = serde_json::value::RawValue::from_string(d.clone())
                        .map_err(S::Error::custom)?;
                    st.serialize_field(name, &raw)?;
                }
                None => st.serialize_field(name, v)?,
            }
        }
        st.serialize_field("avg_unit_cost", &r.avg_unit_cost)?;
        st.serialize_field("hhi", &r.hhi)?;
        st.serialize_field("risk_hhi", &r.risk_hhi)?;
        st.serialize_field("avg_risk", &r.avg_risk)?;
        st.serialize_field("top_country", &r.top_country)?;
        st.serialize_field("top_country_share", &r.top_country_share)?;
        st.serialize_field("suppliers", &r.suppliers)?;
        st.serialize_field("countries", &r.countries)?;
        if let Some(k) = &r.stock {
            st.serialize_field("stock_on_hand", &k.stock_on_hand)?;
            st.serialize_field("stock_built", &k.stock_built)?;
            st.serialize_field("stock", &k.stock)?;
            st.serialize_field("holding_cost", &k.holding_cost)?;
        }
        st.end()
    }
}

/// Builds the report of `plan` (each mineral's part in parallel).
pub fn build_report(model: &Model, plan: &Plan) -> Report {
    let parts: Vec<MineralPart> = plan
        .minerals
        .par_iter()
        .map(|m| mineral_part(model, m))
        .collect();
    assemble(model, plan, parts)
}

/// Builds the report of `plan` from the parts of its minerals, in mineral order (from
/// [`mineral_part`], e.g. made as each block was solved: see
/// [`crate::plan::solve_plan_then`]).
pub fn assemble(model: &Model, plan: &Plan, parts: Vec<MineralPart>) -> Report {
    let mut report = Report {
        status: plan.status.clone(),
        total_cost: 0.0,
        blocks: plan
            .minerals
            .iter()
            .map(|m| BlockRow {
                mineral: model.minerals[m.mineral].name.clone(),
                solver: m.solver.name().to_string(),
                status: m.status.name().to_string(),
                cut_rounds: m.cut_rounds,
                gap: m.gap,
            })
            .collect(),
        sections: Vec::new(),
        summary: Vec::new(),
        relaxations: Vec::new(),
        problems: Vec::new(),
        warnings: plan
            .minerals
            .iter()
            .flat_map(|m| &m.warnings)
            .cloned()
            .collect(),
        soft_columns: model.has_soft_rows(),
    };
    for part in parts {
        report.problems.extend(part.problems);
        report.relaxations.extend(part.relaxations);
        let Some(summary) = part.summary else {
            continue;
        };
        report.summary.push(summary);
        report.sections.push(part.section);
    }
    let [demand, purchased, unmet, cost] = totals(&report.summary).map(|(_, v)| v);
    report.total_cost = cost;
    let stock = SummaryStock::total(report.summary.iter());
    report.summary.push(SummaryRow {
        mineral: Name::from("*"),
        demand,
        purchased,
        unmet,
        cost,
        avg_unit_cost: (purchased > 0.0).then(|| plan.purchase_cost / purchased),
        hhi: None,
        risk_hhi: None,
        avg_risk: None,
        top_country: Name::default(),
        top_country_share: None,
        suppliers: plan.suppliers,
        countries: plan.countries,
        stock,
    });
    report
}

/// The demand, purchased, unmet and cost totals of the per-mineral summary `rows`: each
/// the exact decimal sum of the values written above it (its digits, and their nearest
/// double), so that re-summing summary.csv gives its `*` row. A sum too long for exact
/// digits (values some 10^25 apart) falls back to the float sum, digits `None`.
fn totals(rows: &[SummaryRow]) -> [(Option<String>, f64); 4] {
    let fields: [fn(&SummaryRow) -> f64; 4] =
        [|r| r.demand, |r| r.purchased, |r| r.unmet, |r| r.cost];
    fields.map(
        |f| match crate::write::numbers::written_sum(rows.iter().map(f)) {
            Some(digits) => {
                let v = digits.parse().unwrap_or_else(|_| rows.iter().map(f).sum());
                (Some(digits), v)
            }
            None => (None, rows.iter().map(f).sum()),
        },
    )
}

/// What one mineral adds to a [`Report`] (see [`mineral_part`] and [`assemble`]).
#[derive(Default)]
pub struct MineralPart {
    problems: Vec<String>,
    relaxations: Vec<RelaxationRow>,
    /// `None` when the mineral has no plan.
    summary: Option<SummaryRow>,
    /// Its allocation and constraints rows, formatted too.
    section: MineralSection,
}

/// The report rows of one mineral of a plan, its CSV lines formatted.
pub fn mineral_part(model: &Model, mo: &MineralOutcome) -> MineralPart {
    let mut part = MineralPart::default();
    let mineral = &model.minerals[mo.mineral];
    if mo.status == Status::Feasible {
        part.problems.push(format!(
            "{}: a time limit stopped the solver with a feasible plan, not proven optimal{}",
            mineral.name,
            mo.gap
                .map(|g| format!("; its cost is at most {:.4}% above the optimum", g * 100.0))
                .unwrap_or_default()
        ));
    }
    let Some(metrics) = mo.metrics.as_ref().filter(|_| mo.has_plan()) else {
        part.problems.push(problem_text(model, mo));
        part.relaxations.extend(mo.relaxations.iter().cloned());
        return part;
    };
    let allocation = allocation_rows(model, mo);
    part.summary = Some(summary_row(model, mo, metrics));
    let constraints = constraint_rows(model, mo);
    part.section = MineralSection {
        allocation_csv: allocation_lines(&allocation),
        constraints_csv: constraint_lines(&constraints),
        allocation,
        constraints,
    };
    part
}

/// allocation.csv rows of a mineral with a plan, in the plan's allocation order.
fn allocation_rows(model: &Model, mo: &MineralOutcome) -> Vec<AllocationRow> {
    let mineral = &model.minerals[mo.mineral];
    let d = mineral.demand;
    let offers = model.offers_of(mo.mineral);
    mo.allocation
        .iter()
        .map(|&k| {
            let (o, x) = (&offers[k], mo.quantities[k]);
            AllocationRow {
                mineral: mineral.name.clone(),
                supplier: o.supplier.clone(),
                country: model.countries[o.country].code.clone(),
                quantity: x,
                share: x / d,
                landed_unit_cost: o.average_cost(x),
                cost: o.purchase_cost(x) + o.fixed_cost,
            }
        })
        .collect()
}

/// The summary.csv row of a mineral with a plan.
fn summary_row(model: &Model, mo: &MineralOutcome, metrics: &Metrics) -> SummaryRow {
    let mineral = &model.minerals[mo.mineral];
    let bought = metrics.purchased;
    SummaryRow {
        mineral: mineral.name.clone(),
        demand: mineral.demand,
        purchased: bought,
        unmet: mo.unmet,
        cost: mo.cost,
        avg_unit_cost: (bought > 0.0).then(|| metrics.purchase_cost / bought),
        hhi: Some(metrics.hhi),
        risk_hhi: Some(metrics.risk_hhi),
        avg_risk: Some(metrics.avg_risk),
        top_country: metrics
            .top_country
            .map(|c| model.countries[c].code.clone())
            .unwrap_or_default(),
        top_country_share: metrics.top_country_share,
        suppliers: metrics.suppliers,
        countries: metrics.countries,
        stock: SummaryStock::of(model, mo.mineral, mo.quantities.iter().sum()),
    }
}

/// constraints.csv rows of a mineral with a plan, in expansion order.
fn constraint_rows(model: &Model, mo: &MineralOutcome) -> Vec<ConstraintRow> {
    let mineral = &model.minerals[mo.mineral];
    mo.rows
        .iter()
        .map(|r| {
            let inst = &r.instance;
            ConstraintRow {
                constraint: inst.kind.name(),
                kind: inst.kind,
                mineral: mineral.name.clone(),
                target: inst.target_name(model),
                bound: inst.bound,
                value: r.value,
                slack: r.slack,
                binding: r.binding,
                shadow_price: r.shadow_price,
                shadow_price_per_point: r.shadow_price_per_point,
                stage: (!model.stages.names.is_empty())
                    .then(|| Name::from(model.stages.label(inst.stage))),
                line: model.policy[inst.policy].line,
                soft: model
                    .has_soft_rows()
                    .then(|| soft_cells(model, inst, r.slack, r.value)),
            }
        })
        .collect()
}

/// The violation columns of a row with `value` (its slack as computed, negative past
/// the bound): empty for a hard row.
fn soft_cells(
    model: &Model,
    inst: &crate::policy::rows::RowInstance,
    _slack: f64,
    value: f64,
) -> SoftCells {
    let soft = &model.policy[inst.policy].soft;
    if !soft.elastic() {
        return SoftCells {
            violation: None,
            violation_cost: None,
        };
    }
    let v = crate::plan::violation_points(inst, value);
    SoftCells {
        violation: Some(v),
        violation_cost: Some(v * soft.cost_per_point()),
    }
}

/// The problem of a mineral without a plan, in words.
fn problem_text(model: &Model, mo: &MineralOutcome) -> String {
    let mineral = &model.minerals[mo.mineral];
    match &mo.status {
        Status::Infeasible => words::no_solution_account(&mineral.name, &mo.relaxations),
        Status::LimitNoSolution { limit } => format!(
            "{}: the solver stopped without a feasible plan ({limit})",
            mineral.name
        ),
        Status::Failed { message, .. } => format!("{}: {message}", mineral.name),
        Status::Optimal | Status::Feasible => String::new(),
    }
}

/// The three CSV files of SPEC §4 as bytes.
pub fn csv_files(report: &Report) -> Vec<(&'static str, Vec<u8>)> {
    let join = |header: &[&str], body: &dyn Fn(&MineralSection) -> &[u8]| {
        let mut out = Vec::new();
        write_sections(&mut out, report, header, body).expect("writing to memory succeeds");
        out
    };
    vec![
        (
            ALLOCATION_CSV,
            join(ALLOCATION_HEADER, &|s| &s.allocation_csv),
        ),
        (SUMMARY_CSV, summary_csv(report)),
        (
            CONSTRAINTS_CSV,
            join(&constraints_header(report), &|s| &s.constraints_csv),
        ),
    ]
}

/// True when the report's rows carry a stage (a model with stages).
fn staged(report: &Report) -> bool {
    report.constraints().any(|c| c.stage.is_some())
}

/// A file of the sections: `header`, then each mineral's lines (`body`) in order.
fn write_sections(
    w: &mut impl Write,
    report: &Report,
    header: &[&str],
    body: &dyn Fn(&MineralSection) -> &[u8],
) -> std::io::Result<()> {
    w.write_all(&CsvOut::new(header).finish())?;
    for s in &report.sections {
        w.write_all(body(s))?;
    }
    Ok(())
}

const ALLOCATION_CSV: &str = "allocation.csv";
const SUMMARY_CSV: &str = "summary.csv";
const CONSTRAINTS_CSV: &str = "constraints.csv";

const ALLOCATION_HEADER: &[&str] = &[
    "mineral",
    "supplier",
    "country",
    "quantity",
    "share",
    "landed_unit_cost",
    "cost",
];

/// The columns of allocation.csv.
pub const ALLOCATION_COLUMNS: &[Column] = &[
    Column::new("mineral", ColumnKind::Text),
    Column::new("supplier", ColumnKind::Text),
    Column::new("country", ColumnKind::Text),
    Column::new("quantity", ColumnKind::Quantity),
    Column::new("share", ColumnKind::Share),
    Column::new("landed_unit_cost", ColumnKind::Cost),
    Column::new("cost", ColumnKind::Cost),
];

/// The header of `report`'s constraints.csv: the names of [`constraints_columns`].
fn constraints_header(report: &Report) -> Vec<&'static str> {
    constraints_columns(report).iter().map(|c| c.name).collect()
}

/// The columns of `report`'s constraints.csv: the soft rows' columns when the model has
/// soft rows, then the stage when it has stages.
fn constraints_columns(report: &Report) -> &'static [Column] {
    match (report.soft_columns, staged(report)) {
        (false, false) => CONSTRAINTS_COLUMNS,
        (true, false) => CONSTRAINTS_SOFT_COLUMNS,
        (false, true) => STAGED_CONSTRAINTS_COLUMNS,
        (true, true) => SOFT_STAGED_CONSTRAINTS_COLUMNS,
    }
}

/// The soft rows' columns of constraints.csv.
const SOFT_COLUMNS: [Column; 2] = [
    Column::new("violation", ColumnKind::Number),
    Column::new("violation_cost", ColumnKind::Cost),
];

/// The stage column of constraints.csv.
const STAGE_COLUMN: Column = Column::new("stage", ColumnKind::Text);

/// The columns of constraints.csv in a model with soft rows.
pub const CONSTRAINTS_SOFT_COLUMNS: &[Column] = &[
    CONSTRAINTS_COLUMNS[0],
    CONSTRAINTS_COLUMNS[1],
    CONSTRAINTS_COLUMNS[2],
    CONSTRAINTS_COLUMNS[3],
    CONSTRAINTS_COLUMNS[4],
    CONSTRAINTS_COLUMNS[5],
    CONSTRAINTS_COLUMNS[6],
    CONSTRAINTS_COLUMNS[7],
    CONSTRAINTS_COLUMNS[8],
    SOFT_COLUMNS[0],
    SOFT_COLUMNS[1],
];

/// The columns of constraints.csv in a model with stages.
pub const STAGED_CONSTRAINTS_COLUMNS: &[Column] = &[
    CONSTRAINTS_COLUMNS[0],
    CONSTRAINTS_COLUMNS[1],
    CONSTRAINTS_COLUMNS[2],
    CONSTRAINTS_COLUMNS[3],
    CONSTRAINTS_COLUMNS[4],
    CONSTRAINTS_COLUMNS[5],
    CONSTRAINTS_COLUMNS[6],
    CONSTRAINTS_COLUMNS[7],
    CONSTRAINTS_COLUMNS[8],
    STAGE_COLUMN,
];

/// The columns of constraints.csv with soft rows and stages.
pub const SOFT_STAGED_CONSTRAINTS_COLUMNS: &[Column] = &[
    CONSTRAINTS_COLUMNS[0],
    CONSTRAINTS_COLUMNS[1],
    CONSTRAINTS_COLUMNS[2],
    CONSTRAINTS_COLUMNS[3],
    CONSTRAINTS_COLUMNS[4],
    CONSTRAINTS_COLUMNS[5],
    CONSTRAINTS_COLUMNS[6],
    CONSTRAINTS_COLUMNS[7],
    CONSTRAINTS_COLUMNS[8],
    SOFT_COLUMNS[0],
    SOFT_COLUMNS[1],
    STAGE_COLUMN,
];

/// The columns of constraints.csv.
pub const CONSTRAINTS_COLUMNS: &[Column] = &[
    Column::new("constraint", ColumnKind::Text),
    Column::new("mineral", ColumnKind::Text),
    Column::new("target", ColumnKind::Text),
    Column::new("bound", ColumnKind::Number),
    Column::new("value", ColumnKind::Number),
    Column::new("slack", ColumnKind::Number),
    Column::new("binding", ColumnKind::Bool),
    Column::new("shadow_price", ColumnKind::Cost),
    Column::new("shadow_price_per_point", ColumnKind::Cost),
];

/// The columns of summary.csv.
pub const SUMMARY_COLUMNS: &[Column] = &[
    Column::new("mineral", ColumnKind::Text),
    Column::new("demand", ColumnKind::Quantity),
    Column::new("purchased", ColumnKind::Quantity),
    Column::new("unmet", ColumnKind::Quantity),
    Column::new("cost", ColumnKind::Cost),
    Column::new("avg_unit_cost", ColumnKind::Cost),
    Column::new("hhi", ColumnKind::Number),
    Column::new("risk_hhi", ColumnKind::Number),
    Column::new("avg_risk", ColumnKind::Number),
    Column::new("top_country", ColumnKind::Text),
    Column::new("top_country_share", ColumnKind::Share),
    Column::new("suppliers", ColumnKind::Count),
    Column::new("countries", ColumnKind::Count),
];

/// The columns of summary.csv when demand.csv has stock columns: [`SUMMARY_COLUMNS`]
/// then the stock's.
pub const SUMMARY_STOCK_COLUMNS: &[Column] = &[
    Column::new("mineral", ColumnKind::Text),
    Column::new("demand", ColumnKind::Quantity),
    Column::new("purchased", ColumnKind::Quantity),
    Column::new("unmet", ColumnKind::Quantity),
    Column::new("cost", ColumnKind::Cost),
    Column::new("avg_unit_cost", ColumnKind::Cost),
    Column::new("hhi", ColumnKind::Number),
    Column::new("risk_hhi", ColumnKind::Number),
    Column::new("avg_risk", ColumnKind::Number),
    Column::new("top_country", ColumnKind::Text),
    Column::new("top_country_share", ColumnKind::Share),
    Column::new("suppliers", ColumnKind::Count),
    Column::new("countries", ColumnKind::Count),
    Column::new("stock_on_hand", ColumnKind::Quantity),
    Column::new("stock_built", ColumnKind::Quantity),
    Column::new("stock", ColumnKind::Quantity),
    Column::new("holding_cost", ColumnKind::Cost),
];

/// One allocation.csv row's cells.
fn allocation_cells(a: &mut dyn CellsDyn, r: &AllocationRow) {
    a.text(&r.mineral).text(&r.supplier).text(&r.country);
    a.num(r.quantity)
        .num(r.share)
        .num(r.landed_unit_cost)
        .num(r.cost);
    a.end();
}

/// One constraints.csv row's cells.
fn constraint_cells(c: &mut dyn CellsDyn, r: &ConstraintRow) {
    c.text(r.constraint).text(&r.mineral).text(&r.target);
    c.num(r.bound).num(r.value).num(r.slack);
    c.flag(r.binding);
    c.opt(r.shadow_price).opt(r.shadow_price_per_point);
    if let Some(soft) = &r.soft {
        c.opt(soft.violation).opt(soft.violation_cost);
    }
    if let Some(stage) = &r.stage {
        c.text(stage);
    }
    c.end();
}

/// One summary.csv row's cells.
fn summary_cells(s: &mut dyn CellsDyn, r: &SummaryRow) {
    s.text(&r.mineral)
        .num(r.demand)
        .num(r.purchased)
        .num(r.unmet)
        .num(r.cost);
    summary_rest(s, r);
}

/// The cells of a summary.csv row after its cost.
fn summary_rest(s: &mut dyn CellsDyn, r: &SummaryRow) {
    s.opt(r.avg_unit_cost)
        .opt(r.hhi)
        .opt(r.risk_hhi)
        .opt(r.avg_risk);
    s.text(&r.top_country).opt(r.top_country_share);
    s.count(r.suppliers).count(r.countries);
    if let Some(k) = &r.stock {
        s.num(k.stock_on_hand)
            .num(k.stock_built)
            .num(k.stock)
            .num(k.holding_cost);
    }
    s.end();
}

/// Lines of allocation.csv for `rows` (no header).
fn allocation_lines(rows: &[AllocationRow]) -> Vec<u8> {
    let mut a = CsvOut::lines(rows.len() * 64);
    a.rows(rows, |a, r| allocation_cells(a, r));
    a.finish()
}

/// Lines of constraints.csv for `rows` (no header).
fn constraint_lines(rows: &[ConstraintRow]) -> Vec<u8> {
    let mut c = CsvOut::lines(rows.len() * 64);
    c.rows(rows, |c, r| constraint_cells(c, r));
    c.finish()
}

fn summary_csv(report: &Report) -> Vec<u8> {
    summary_table(report).to_csv(Dialect::Rfc4180)
}

/// summary.csv: a row per mineral with a plan, then the `*` totals whose demand,
/// purchased, unmet and cost are written as the exact sums of the rows above (see
/// [`totals`]).
fn summary_table(report: &Report) -> Table<'_> {
    let rows = &report.summary;
    let columns = if rows.iter().any(|r| r.stock.is_some()) {
        SUMMARY_STOCK_COLUMNS
    } else {
        SUMMARY_COLUMNS
    };
    Table::new("summary", columns, rows.len(), move |k, s| {
        if k + 1 < rows.len() || rows[k].mineral != "*" {
            return summary_cells(s, &rows[k]);
        }
        let r = &rows[k];
        s.text(&r.mineral);
        let sums = totals(&rows[..k]);
        for ((digits, _), v) in sums.iter().zip([r.demand, r.purchased, r.unmet, r.cost]) {
            match digits {
                Some(d) => s.decimal(d, v),
                None => s.num(v),
            };
        }
        summary_rest(s, r);
    })
}

impl Report {
    /// The three result tables (allocation, summary, constraints), for any writer.
    pub fn tables(&self) -> Vec<Table<'_>> {
        let allocation: Vec<&AllocationRow> = self.allocation().collect();
        let constraints: Vec<&ConstraintRow> = self.constraints().collect();
        vec![
            Table::new(
                "allocation",
                ALLOCATION_COLUMNS,
                allocation.len(),
                move |k, c| allocation_cells(c, allocation[k]),
            ),
            summary_table(self),
            Table::new(
                "constraints",
                constraints_columns(self),
                constraints.len(),
                move |k, c| constraint_cells(c, constraints[k]),
            ),
        ]
    }
}

/// Writes the solve's files to `outputs` (all or none): allocation.csv, summary.csv and
/// constraints.csv in its dialect, the `extra` tables (e.g. ranging) after them, the
/// `other` files (the `--report` page), and the
/// workbook with an `inputs` sheet echoing `model`'s demand and policy when asked. The
/// default dialect uses the lines already formatted while blocks solved.
pub fn write_report(
    outputs: &Outputs,
    model: &Model,
    report: &Report,
    extra: &[Table<'_>],
    other: Vec<(PathBuf, Vec<u8>)>,
) -> Result<Vec<PathBuf>> {
    outputs.validate()?;
    let book = match &outputs.xlsx {
        Some(path) => {
            let tables = report.tables();
            let inputs = inputs::inputs_table(model);
            let sheets: Vec<&Table> = tables.iter().chain(extra).chain([&inputs]).collect();
            Some((path, outputs::workbook_bytes(path, &sheets)?))
        }
        None => None,
    };
    atomic::create_out_dir(&outputs.dir)?;
    let mut staged = atomic::Staged::results(&outputs.dir);
    if let Some((path, bytes)) = book {
        outputs::stage_workbook_bytes(&mut staged, path, bytes)?;
    }
    let csv = |tables: &[Table<'_>]| -> Vec<(PathBuf, Vec<u8>)> {
        tables
            .iter()
            .map(|t| (outputs.dir.join(t.file_name()), t.to_csv(outputs.dialect)))
            .collect()
    };
    if outputs.dialect == Dialect::Rfc4180 {
        staged.append(stage_csv(&outputs.dir, report)?)?;
    } else {
        staged.write_buffers(&csv(&report.tables()))?;
    }
    staged.write_buffers(&csv(extra))?;
    staged.write_buffers(&other)?;
    Ok(staged.commit()?)
}

/// Writes allocation.csv, summary.csv and constraints.csv into `dir` (created if
/// needed), all or none: each mineral's formatted lines are written in order after the
/// header, the files are synced concurrently, then all are renamed.
pub fn write_csv(dir: &Path, report: &Report) -> Result<Vec<PathBuf>> {
    Ok(stage_csv(dir, report)?.commit()?)
}

/// Writes the three CSV files of `report` to temporary names in `dir` (see
/// [`write_csv`]), to be committed with other files.
fn stage_csv(dir: &Path, report: &Report) -> Result<atomic::Staged> {
    atomic::create_out_dir(dir)?;
    let write = |name: &str, header: &[&str], body: &dyn Fn(&MineralSection) -> &[u8]| {
        let mut staged = atomic::Staged::results(dir);
        staged.write(&dir.join(name), |w| write_sections(w, report, header, body))?;
        staged.sync()?;
        Ok::<_, atomic::WriteError>(staged)
    };
    let (first, second) = rayon::join(
        || {
            let mut staged = write(ALLOCATION_CSV, ALLOCATION_HEADER, &|s| &s.allocation_csv)?;
            staged.append(atomic::stage_results(
                dir,
                &[(dir.join(SUMMARY_CSV), summary_csv(report))],
            )?)?;
            Ok::<_, atomic::WriteError>(staged)
        },
        || {
            let header = constraints_header(report);
            write(CONSTRAINTS_CSV, &header, &|s| &s.constraints_csv)
        },
    );
    let mut staged = first?;
    staged.append(second?)?;
    Ok(staged)
}
