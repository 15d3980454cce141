//! `export`: the exact problem sourcemix solves, as a free-MPS or CPLEX-LP file any
//! external solver reads (SPEC §3).
//!
//! Each mineral's block (`formulate::formulate`) is written in the model's own
//! units: the block is stated in shares of demand D and a price unit of its own, and the
//! export multiplies that back (quantity columns by D, rows over quantities by D, costs
//! by `cost_scale · D`), so the objective of the file is the total cost `solve` reports.
//! Country shares `s_*` and their squares' epigraphs `t_*` stay shares (HHI is defined on
//! shares). Several minerals are independent blocks written one after the other in one
//! file, every name carrying its mineral.
//!
//! HHI caps are written as the tangent cuts of the final round of the cut loop (run here,
//! with the LP backend `auto` would use), or with `socp` as the quadratic constraints
//! t_c ≥ s_c² themselves.

mod build;
mod coupling;
mod cuts;
pub(crate) mod lp_format;
pub(crate) mod mps;
pub(crate) mod names;

use std::io::{self, Write};
use std::path::Path;

use serde::Serialize;

use crate::engine::lp::Sense;
use crate::error::{Error, Result};
use crate::model::Model;
use crate::write::atomic::{create_out_dir, Staged};

pub(crate) use build::build_problem;

/// File format of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    /// Free-format MPS (with CPLEX's QCMATRIX extension for quadratic rows).
    Mps,
    /// CPLEX LP format.
    Lp,
}

impl std::str::FromStr for ExportFormat {
    type Err = String;

    /// `mps` or `lp`, any case.
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "mps" => Ok(ExportFormat::Mps),
            "lp" => Ok(ExportFormat::Lp),
            _ => Err(format!("unknown format {s:?}; expected mps or lp")),
        }
    }
}

impl std::fmt::Display for ExportFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ExportFormat::Mps => "mps",
            ExportFormat::Lp => "lp",
        })
    }
}

/// What to export and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportOptions {
    /// File format.
    pub format: ExportFormat,
    /// One mineral (its name, any case), or `None` for the whole model.
    pub mineral: Option<String>,
    /// HHI caps as quadratic constraints t_c ≥ s_c² instead of tangent cuts.
    pub socp: bool,
}

/// One column of an exported problem, in the model's units.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Column {
    /// Unique name.
    pub name: String,
    /// Lower bound (finite).
    pub lower: f64,
    /// Upper bound (`f64::INFINITY` for none).
    pub upper: f64,
    /// Objective coefficient (minimized).
    pub cost: f64,
    /// Integer (here: binary) column.
    pub integer: bool,
}

/// One linear row of an exported problem.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LinearRow {
    /// Unique name.
    pub name: String,
    /// (column, coefficient), at least one.
    pub terms: Vec<(usize, f64)>,
    /// Direction.
    pub sense: Sense,
    /// Right-hand side.
    pub rhs: f64,
}

/// A quadratic row s² − t ≤ 0 (t ≥ s², the epigraph of one country's squared share).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SquareRow {
    /// Unique name.
    pub name: String,
    /// The share column s.
    pub s: usize,
    /// The epigraph column t.
    pub t: usize,
}

/// A whole exported problem: minimize Σ cost·x subject to the rows and bounds.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Problem {
    /// Name of the objective row.
    pub objective: String,
    /// Columns.
    pub columns: Vec<Column>,
    /// Linear rows.
    pub rows: Vec<LinearRow>,
    /// Quadratic rows (only with `socp`).
    pub squares: Vec<SquareRow>,
    /// Comment lines written at the top of the file.
    pub comments: Vec<String>,
}

/// How one mineral's HHI caps were written.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HhiNote {
    /// The mineral.
    pub mineral: String,
    /// `cuts` or `quadratic`.
    pub form: &'static str,
    /// Rounds of the cut loop after the first solve (0 with `quadratic`).
    pub cut_rounds: usize,
    /// The backend that ran the cut loop (empty with `quadratic`).
    pub solver: String,
    /// Whether every cap held within `tolerance::CUT_TOLERANCE` at the last solve (true with
    /// `quadratic`).
    pub converged: bool,
}

/// What `export` wrote.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExportSummary {
    /// The file written.
    pub file: String,
    /// Its format.
    pub format: ExportFormat,
    /// The minerals in it, in model order.
    pub minerals: Vec<String>,
    /// Number of columns.
    pub columns: usize,
    /// Number of integer columns.
    pub integer_columns: usize,
    /// Number of linear rows (without the objective).
    pub rows: usize,
    /// Number of quadratic rows.
    pub quadratic_rows: usize,
    /// Nonzero coefficients of the linear rows.
    pub nonzeros: usize,
    /// How HHI caps were written, per mineral that has them.
    pub hhi: Vec<HhiNote>,
}

/// Writes `problem` in `format` to `w`.
pub(crate) fn write_problem(
    problem: &Problem,
    format: ExportFormat,
    w: &mut impl Write,
) -> io::Result<()> {
    match format {
        ExportFormat::Mps => mps::write_mps(problem, w),
        ExportFormat::Lp => lp_format::write_lp(problem, w),
    }
}

/// Loads the model in `model_dir` and exports it to `file`, whole or not at all (written
/// to a temporary name and renamed; the parent folder is created if needed).
pub fn export_model(model_dir: &Path, file: &Path, opts: &ExportOptions) -> Result<ExportSummary> {
    let model = crate::input::load_model(model_dir)?;
    export(&model, file, opts)
}

/// Exports `model` to `file` (see [`export_model`]).
pub fn export(model: &Model, file: &Path, opts: &ExportOptions) -> Result<ExportSummary> {
    if file.is_dir() {
        return Err(Error::Usage(format!(
            "-o {} names a folder; expected a file name",
            file.display()
        )));
    }
    crate::report::outputs::refuse_non_regular("-o", file, false)?;
    let (problem, hhi) = build_problem(model, opts)?;
    if let Some(parent) = file.parent().filter(|p| !p.as_os_str().is_empty()) {
        create_out_dir(parent)?;
    }
    let mut staged = Staged::new();
    staged.write(file, |w| write_problem(&problem, opts.format, w))?;
    staged.commit()?;
    Ok(summary(model, &problem, hhi, file, opts))
}

fn summary(
    model: &Model,
    problem: &Problem,
    hhi: Vec<HhiNote>,
    file: &Path,
    opts: &ExportOptions,
) -> ExportSummary {
    let minerals = match &opts.mineral {
        Some(_) => problem_minerals(model, opts),
        None => model.minerals.iter().map(|m| m.name.to_string()).collect(),
    };
    ExportSummary {
        file: file.display().to_string(),
        format: opts.format,
        minerals,
        columns: problem.columns.len(),
        integer_columns: problem.columns.iter().filter(|c| c.integer).count(),
        rows: problem.rows.len(),
        quadratic_rows: problem.squares.len(),
        nonzeros: problem.rows.iter().map(|r| r.terms.len()).sum(),
        hhi,
    }
}

fn problem_minerals(model: &Model, opts: &ExportOptions) -> Vec<String> {
    build::select(model, opts.mineral.as_deref())
        .map(|ms| {
            ms.into_iter()
                .map(|m| model.minerals[m].name.to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// Writes `v` for a model file: the shortest form that reads back as `v`, after rounding
/// away float noise beyond 15 significant digits (the unscaling's `a / D · D`), integers
/// without a point, `-0` as `0`; exponents where shorter (`1e-7`), which both formats read.
pub(crate) fn write_num(w: &mut impl Write, v: f64) -> io::Result<()> {
    let v = clean(v);
    if v == 0.0 {
        return w.write_all(b"0");
    }
    if v.fract() == 0.0 && v.abs() < 1e15 {
        return w.write_all(itoa::Buffer::new().format(v as i64).as_bytes());
    }
    w.write_all(ryu::Buffer::new().format(v).as_bytes())
}

/// `v` rounded to 15 significant digits when its shortest form has more.
fn clean(v: f64) -> f64 {
    if !v.is_finite() {
        return v;
    }
    let mut buf = ryu::Buffer::new();
    let s = buf.format_finite(v);
    let mantissa = s.split(['e', 'E']).next().unwrap_or(s);
    let digits = mantissa
        .bytes()
        .filter(u8::is_ascii_digit)
        .skip_while(|&b| b == b'0')
        .count();
    if digits <= 15 {
        return v;
    }
    format!("{v:.14e}").parse().unwrap_or(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(v: f64) -> String {
        let mut out = Vec::new();
        write_num(&mut out, v).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn numbers_are_short_and_exact() {
        assert_eq!(num(1250.0000000000002), "1250");
        assert_eq!(num(0.1 + 0.2), "0.3");
        assert_eq!(num(-0.0), "0");
        assert_eq!(num(-3.0), "-3");
        assert_eq!(num(1e-7), "1e-7");
        assert_eq!(num(0.35), "0.35");
        assert_eq!(num(2.0 / 3.0), "0.666666666666667");
        assert_eq!(num(1e20), "1e20");
    }
}
