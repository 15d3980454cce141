//! `convert SRC DST`: a model folder into one workbook and back, losslessly. Numeric
//! columns become number cells (text that is not a number stays text, so nothing is
//! lost or silently changed); numbers come back as the shortest decimal that reads as
//! exactly the same value.

use std::path::{Path, PathBuf};

use crate::error::{Error, InputErrors, InputIssue, Result};
use crate::input::number::parse_plain_number;
use crate::input::table::{detect_dialect, ModelFiles};
use crate::input::workbook::{self, is_workbook, SHEETS};
use crate::report::{xlsx, Dialect};
use crate::write::atomic;

/// Columns whose cells are numbers, in any model file.
pub const NUMERIC_COLUMNS: &[&str] = &[
    "unit_cost",
    "from",
    "capacity",
    "freight",
    "min_order",
    "fixed_cost",
    "quantity",
    "unmet_penalty",
    "stock_on_hand",
    "holding_cost",
    "stock_cap",
    "risk",
    "tariff",
    "disruption_prob",
    "bound",
    "probability",
    "capacity_factor",
    "price_factor",
    "price",
    "discount",
    "min_lots",
];

/// What `convert` did.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ConvertRun {
    /// Files written.
    pub written: Vec<PathBuf>,
    /// Model files (or sheets) converted, e.g. `suppliers`.
    pub tables: Vec<String>,
    /// Warnings (sheets ignored, …).
    pub warnings: Vec<String>,
}

/// Converts `src` (a model folder or workbook) into `dst` (a workbook or folder): a
/// folder becomes a workbook when `dst` ends in `.xlsx`, a workbook becomes a folder.
pub fn convert(src: &Path, dst: &Path) -> Result<ConvertRun> {
    if src.is_dir() {
        if !dst
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"))
            || dst.is_dir()
        {
            return Err(Error::Usage(format!(
                "DST {} must be a workbook file ending in .xlsx when SRC is a model folder",
                dst.display()
            )));
        }
        folder_to_workbook(src, dst)
    } else if src.is_file() && is_workbook(src) {
        if dst.is_file() {
            return Err(Error::Usage(format!(
                "DST {} is a file; expected a folder for the model's CSV files",
                dst.display()
            )));
        }
        workbook_to_folder(src, dst)
    } else {
        Err(Error::Input(InputErrors {
            issues: vec![InputIssue::file(
                &src.display().to_string(),
                "is neither a model folder nor a workbook (.xlsx)",
            )],
            omitted: 0,
        }))
    }
}

/// The model files of folder `src` as one workbook at `dst` (written whole or not).
pub fn folder_to_workbook(src: &Path, dst: &Path) -> Result<ConvertRun> {
    let names: Vec<&str> = SHEETS.iter().map(|(_, f)| *f).collect();
    let files = ModelFiles::read_dir(src, &names);
    let mut wb = xlsx::new_workbook().map_err(xlsx_error)?;
    let mut tables = Vec::new();
    for (sheet, file) in SHEETS {
        let Some(entry) = files.get(file) else {
            continue;
        };
        let bytes = entry
            .as_ref()
            .map_err(|why| Error::Input(issue(&src.join(file), why)))?;
        let rows = csv_rows(&src.join(file), bytes)?;
        let ws = wb.add_worksheet();
        ws.set_name(sheet).map_err(xlsx_error)?;
        write_rows(ws, &rows).map_err(xlsx_error)?;
        tables.push(sheet.to_string());
    }
    if tables.is_empty() {
        return Err(Error::Input(issue(
            src,
            "holds no model file (suppliers.csv, demand.csv, …)",
        )));
    }
    let bytes = wb.save_to_buffer().map_err(xlsx_error)?;
    if let Some(parent) = dst.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| Error::write(parent, e))?;
    }
    let written = atomic::stage_all(&[(dst.to_path_buf(), bytes)])?.commit()?;
    Ok(ConvertRun {
        written,
        tables,
        warnings: Vec::new(),
    })
}

/// The sheets of workbook `src` as CSV files in folder `dst` (all or none).
pub fn workbook_to_folder(src: &Path, dst: &Path) -> Result<ConvertRun> {
    let name = src.display().to_string();
    let bytes = std::fs::read(src)
        .map_err(|e| Error::Input(issue(src, &format!("cannot be read: {e}"))))?;
    let (sheets, warnings) = workbook::workbook_sheets(&name, &bytes)?;
    if sheets.is_empty() {
        return Err(Error::Input(issue(
            src,
            "has no model sheet (suppliers, demand, countries, constraints, scenarios, tiers, bundles, discounts)",
        )));
    }
    atomic::create_out_dir(dst)?;
    let files: Vec<(PathBuf, Vec<u8>)> = sheets
        .iter()
        .map(|s| (dst.join(s.file), s.csv.clone()))
        .collect();
    let written = atomic::stage_all(&files)?.commit()?;
    Ok(ConvertRun {
        written,
        tables: sheets.iter().map(|s| s.sheet.clone()).collect(),
        warnings,
    })
}

fn issue(path: &Path, message: &str) -> InputErrors {
    InputErrors {
        issues: vec![InputIssue::file(&path.display().to_string(), message)],
        omitted: 0,
    }
}

fn xlsx_error(e: rust_xlsxwriter::XlsxError) -> Error {
    Error::Usage(format!("the workbook could not be built: {e}"))
}

/// The records of a CSV file (either dialect), header first; numbers of a decimal-comma
/// file with `.` as their point.
fn csv_rows(path: &Path, bytes: &[u8]) -> Result<Vec<Vec<String>>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let dialect = detect_dialect(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(dialect.separator())
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut rows: Vec<Vec<String>> = Vec::new();
    for record in reader.records() {
        let record = record
            .map_err(|e| Error::Input(issue(path, &format!("cannot be read as CSV: {e}"))))?;
        rows.push(record.iter().map(|f| f.trim().to_string()).collect());
    }
    if dialect == Dialect::ExcelEu {
        let numeric = numeric_positions(rows.first().map(Vec::as_slice).unwrap_or(&[]));
        for row in rows.iter_mut().skip(1) {
            for &p in &numeric {
                if let Some(cell) = row.get_mut(p) {
                    if !cell.contains('.') {
                        *cell = cell.replace(',', ".");
                    }
                }
            }
        }
    }
    Ok(rows)
}

fn numeric_positions(header: &[String]) -> Vec<usize> {
    header
        .iter()
        .enumerate()
        .filter(|(_, h)| NUMERIC_COLUMNS.contains(&h.to_ascii_lowercase().as_str()))
        .map(|(k, _)| k)
        .collect()
}

/// Writes CSV records into a sheet: numeric columns' numbers as number cells, all else
/// as text; header bold and frozen.
fn write_rows(
    ws: &mut rust_xlsxwriter::Worksheet,
    rows: &[Vec<String>],
) -> std::result::Result<(), rust_xlsxwriter::XlsxError> {
    let Some(header) = rows.first() else {
        return Ok(());
    };
    let numeric = numeric_positions(header);
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r32, c16) = (r as u32, c as u16);
            if cell.is_empty() {
                continue;
            }
            if r == 0 {
                ws.write_string_with_format(r32, c16, cell, &bold)?;
            } else if let (true, Ok(v)) = (numeric.contains(&c), parse_plain_number(cell)) {
                ws.write_number(r32, c16, v)?;
            } else {
                ws.write_string(r32, c16, cell)?;
            }
        }
    }
    ws.set_freeze_panes(1, 0)?;
    ws.autofit();
    Ok(())
}
