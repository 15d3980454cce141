//! What a method returns: the status, exit code, text the CLI prints, the report as JSON
//! (its metrics), and the result tables, converted from the report layer's `Table`s.

use std::path::PathBuf;
use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::PyBytes;

use super::errors::to_py;
use crate::analysis::compare::Comparison as Cases;
use crate::analysis::frontier::Frontier;
use crate::analysis::hedge::Hedge;
use crate::analysis::sampling::SampledScenarios;
use crate::analysis::stress::StressReport;
use crate::commands::Solved;
use crate::model::Model;
use crate::report::{
    compare_table, explain_table, frontier_table, hedge_table, inputs::inputs_table, policy_table,
    scenarios_table, write_workbook, ColumnKind, ExplainReport, PolicyReport, Report, Table,
};

/// The typed result a method computed, whose tables the outcome hands out.
pub enum Body {
    /// `solve`: the report, the tables beyond it and the plan's quantities as written
    /// (for `stress`).
    Solve(Box<Solved>),
    /// `solve --robust`: the robust plan's report, its stress report (when it has a
    /// plan) and its quantities.
    Robust(
        Report,
        Option<StressReport>,
        Vec<f64>,
        crate::commands::Coupling,
    ),
    /// `policy`.
    Policy(PolicyReport),
    /// `explain`.
    Explain(ExplainReport),
    /// `frontier`.
    Frontier(Frontier),
    /// `frontier` of a model without a plan: its solve report.
    NoFrontier(Report),
    /// `stress`.
    Stress(StressReport),
    /// `compare`.
    Compare(Cases),
    /// `hedge`.
    Hedge(Hedge),
    /// `scenarios`: sampled disruptions.
    Scenarios(SampledScenarios),
    /// Nothing yet (while an outcome is being built).
    Empty,
}

impl Body {
    /// The result tables, in the order the CLI writes them.
    fn tables(&self) -> Vec<Table<'_>> {
        match self {
            Body::Solve(solved) => solved.tables(),
            Body::Robust(report, stress, _, coupling) => {
                let mut tables = report.tables();
                tables.extend(coupling.tables());
                tables.extend(stress.iter().flat_map(|s| s.tables()));
                tables
            }
            Body::Policy(report) => vec![policy_table(report)],
            Body::Explain(report) => vec![explain_table(report)],
            Body::Frontier(frontier) => vec![frontier_table(frontier)],
            Body::Stress(report) => report.tables(),
            Body::Compare(cases) => vec![compare_table(cases)],
            Body::Hedge(hedge) => vec![hedge_table(hedge)],
            Body::Scenarios(sampled) => vec![scenarios_table(sampled)],
            Body::NoFrontier(_) | Body::Empty => Vec::new(),
        }
    }

    /// The typed result as JSON (its metrics), written as `--format json` writes it
    /// (numbers to the digits the CSV files hold).
    fn json(&self) -> serde_json::Result<String> {
        use crate::report::json::to_string_pretty as to_json;
        match self {
            Body::Solve(solved) => to_json(&solved.report),
            Body::Robust(report, _, _, _) | Body::NoFrontier(report) => to_json(report),
            Body::Policy(report) => to_json(report),
            Body::Explain(report) => to_json(report),
            Body::Frontier(frontier) => to_json(frontier),
            Body::Stress(report) => to_json(report),
            Body::Compare(cases) => to_json(cases),
            Body::Hedge(hedge) => to_json(hedge),
            Body::Scenarios(sampled) => to_json(sampled),
            Body::Empty => Ok("null".into()),
        }
    }
}

/// A table for Python: its name, its columns as (name, kind), its CSV bytes.
type PyTable<'py> = (String, Vec<(String, String)>, Bound<'py, PyBytes>);

/// One method's result (wrapped by the Python layer's `Result`).
#[pyclass(module = "sourcemix._sourcemix", frozen)]
pub struct Outcome {
    /// The status name (`optimal`, `feasible`, `infeasible`, `limit_no_solution`, `failed`).
    #[pyo3(get)]
    pub status: String,
    /// The CLI's exit code for this outcome.
    #[pyo3(get)]
    pub exit_code: u8,
    /// The text the CLI prints.
    #[pyo3(get)]
    pub text: String,
    /// Warnings (reading the model, the plan, limits).
    #[pyo3(get)]
    pub warnings: Vec<String>,
    /// Problems of minerals without a plan (or of a limit-stopped plan).
    #[pyo3(get)]
    pub problems: Vec<String>,
    /// The result.
    pub body: Body,
    /// The model, for the workbook's `inputs` sheet.
    pub model: Arc<Model>,
}

#[pymethods]
impl Outcome {
    /// Each table as (name, [(column, kind)], CSV bytes): the bytes the CLI's file holds.
    fn tables<'py>(&self, py: Python<'py>) -> Vec<PyTable<'py>> {
        self.body
            .tables()
            .iter()
            .map(|t| {
                let columns = t
                    .columns
                    .iter()
                    .map(|c| (c.name.to_string(), kind_name(c.kind).to_string()))
                    .collect();
                let csv = t.to_csv(crate::report::Dialect::Rfc4180);
                (t.name.to_string(), columns, PyBytes::new(py, &csv))
            })
            .collect()
    }

    /// The typed result as JSON (its metrics), made when asked.
    fn json(&self) -> PyResult<String> {
        self.body
            .json()
            .map_err(|e| to_py(crate::Error::Serialize(e.to_string()), false))
    }

    /// Writes the tables and an `inputs` sheet into one workbook at `path`, as `--xlsx`.
    fn to_xlsx(&self, py: Python<'_>, path: PathBuf) -> PyResult<()> {
        py.allow_threads(|| {
            let tables = self.body.tables();
            let inputs = inputs_table(&self.model);
            let sheets: Vec<&Table> = tables.iter().chain([&inputs]).collect();
            write_workbook(&path, &sheets).map(|_| ())
        })
        .map_err(|e| to_py(e, false))
    }

    /// The plan's quantities, one per offer in model order (solve and robust only).
    fn quantities(&self) -> Option<Vec<f64>> {
        self.plan().map(<[f64]>::to_vec)
    }
}

impl Outcome {
    /// The plan's quantities as written, for outcomes that have a plan.
    pub fn plan(&self) -> Option<&[f64]> {
        match &self.body {
            Body::Solve(solved) => Some(&solved.quantities),
            Body::Robust(_, _, q, _) => Some(q),
            Body::Policy(_)
            | Body::Explain(_)
            | Body::Frontier(_)
            | Body::NoFrontier(_)
            | Body::Stress(_)
            | Body::Compare(_)
            | Body::Hedge(_)
            | Body::Scenarios(_)
            | Body::Empty => None,
        }
    }
}

/// The column kind's name in the Python layer.
fn kind_name(kind: ColumnKind) -> &'static str {
    match kind {
        ColumnKind::Text => "text",
        ColumnKind::Quantity => "quantity",
        ColumnKind::Share => "share",
        ColumnKind::Cost => "cost",
        ColumnKind::Count => "count",
        ColumnKind::Bool => "bool",
        ColumnKind::Number => "number",
    }
}
