//! Result tables as one Excel workbook: a sheet per [`Table`] named like its CSV file,
//! header row bold and frozen, an autofilter, number formats by [`ColumnKind`]
//! (quantities with thousands separators, shares as percentages, costs with two
//! decimals), column widths fitted to the cells, and numbers stored as numbers (the same values the
//! CSV files write, see [`crate::write::numbers::written`]).
//!
//! Workbooks are byte-for-byte reproducible: the document's creation date is fixed
//! ([`FIXED_DATE`]) and the zip entries carry no time.

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

use super::table::{Cells, ColumnKind, Table};
use crate::write::numbers::written;

/// The creation date written into every workbook (so output does not depend on the
/// clock): 2000-01-01.
pub const FIXED_DATE: (u16, u8, u8) = (2000, 1, 1);

/// Most data rows a sheet holds (Excel's 1,048,576 rows less the header).
pub const MAX_SHEET_ROWS: usize = 1_048_575;

/// The number format of a column kind (Excel format codes, locale-independent: Excel
/// shows them with the reader's own separators).
pub fn number_format(kind: ColumnKind) -> Option<&'static str> {
    match kind {
        ColumnKind::Quantity => Some("#,##0.000"),
        ColumnKind::Share => Some("0.00%"),
        ColumnKind::Cost => Some("#,##0.00"),
        ColumnKind::Count => Some("0"),
        ColumnKind::Text | ColumnKind::Bool | ColumnKind::Number => None,
    }
}

/// A new workbook with the fixed document properties.
pub fn new_workbook() -> Result<Workbook, XlsxError> {
    let mut wb = Workbook::new();
    let (y, m, d) = FIXED_DATE;
    let props = DocProperties::new()
        .set_creation_datetime(&ExcelDateTime::from_ymd(y, m, d)?)
        .set_author("sourcemix");
    wb.set_properties(&props);
    Ok(wb)
}

/// The workbook of `tables` as bytes; an error names the table too large for a sheet.
pub fn workbook(tables: &[&Table<'_>]) -> Result<Vec<u8>, String> {
    for t in tables {
        if t.len > MAX_SHEET_ROWS {
            return Err(format!(
                "{} has {} rows; a workbook sheet holds at most {MAX_SHEET_ROWS} (write CSV instead)",
                t.name, t.len
            ));
        }
    }
    let build = || -> Result<Vec<u8>, XlsxError> {
        let mut wb = new_workbook()?;
        for t in tables {
            let ws = wb.add_worksheet();
            write_sheet(ws, t)?;
        }
        wb.save_to_buffer()
    };
    build().map_err(|e| format!("the workbook could not be built: {e}"))
}

/// Writes `table` into `ws`: header, rows, formats, frozen header, filter, widths.
pub fn write_sheet(ws: &mut Worksheet, table: &Table<'_>) -> Result<(), XlsxError> {
    ws.set_name(table.name)?;
    let bold = Format::new().set_bold();
    for (k, c) in table.columns.iter().enumerate() {
        ws.write_string_with_format(0, k as u16, c.name, &bold)?;
    }
    let formats: Vec<Option<Format>> = table
        .columns
        .iter()
        .map(|c| number_format(c.kind).map(|f| Format::new().set_num_format(f)))
        .collect();
    let mut sink = SheetSink {
        ws,
        formats: &formats,
        kinds: table.columns.iter().map(|c| c.kind).collect(),
        widths: table
            .columns
            .iter()
            .map(|c| c.name.chars().count())
            .collect(),
        row: 1,
        col: 0,
        error: None,
    };
    for k in 0..table.len {
        table.emit(k, &mut sink);
    }
    if let Some(e) = sink.error {
        return Err(e);
    }
    let widths = std::mem::take(&mut sink.widths);
    // Widths fitted from the cells as written (the autofilter button takes two more
    // characters), computed while writing: the library's autofit re-reads every cell,
    // which doubles the time of a large sheet.
    for (k, w) in widths.into_iter().enumerate() {
        ws.set_column_width(k as u16, (w + 3).min(MAX_WIDTH) as f64)?;
    }
    let last_col = table.columns.len().saturating_sub(1) as u16;
    ws.set_freeze_panes(1, 0)?;
    ws.autofilter(0, 0, table.len as u32, last_col)?;
    Ok(())
}

/// Widest column set, in characters.
const MAX_WIDTH: usize = 60;

/// Characters a number takes in a column of `kind` as the format shows it.
fn shown_width(kind: ColumnKind, v: f64) -> usize {
    let int_digits = |x: f64| {
        let x = x.abs().round();
        if x < 1.0 {
            1
        } else {
            x.log10().floor() as usize + 1
        }
    };
    let grouped = |x: f64| {
        let d = int_digits(x);
        d + (d - 1) / 3 + usize::from(x < 0.0)
    };
    match kind {
        ColumnKind::Quantity => grouped(v) + 4,
        ColumnKind::Cost => grouped(v) + 3,
        ColumnKind::Share => int_digits(v * 100.0) + 4 + usize::from(v < 0.0),
        _ => crate::write::numbers::plain(v).len().min(12),
    }
}

/// Writes a sheet's cells as a [`Table`] emits them, measuring column widths.
struct SheetSink<'w> {
    ws: &'w mut Worksheet,
    formats: &'w [Option<Format>],
    kinds: Vec<ColumnKind>,
    widths: Vec<usize>,
    row: u32,
    col: u16,
    error: Option<XlsxError>,
}

impl SheetSink<'_> {
    fn fit(&mut self, width: usize) {
        if let Some(w) = self.widths.get_mut(self.col as usize) {
            *w = (*w).max(width);
        }
    }

    /// A number cell holding `v` as is, in its column's format.
    fn number(&mut self, v: f64) {
        if !v.is_finite() {
            self.col += 1;
            return;
        }
        let kind = self.kinds.get(self.col as usize).copied();
        self.fit(shown_width(kind.unwrap_or(ColumnKind::Number), v));
        let r = match self.formats.get(self.col as usize).and_then(Option::as_ref) {
            Some(f) => self
                .ws
                .write_number_with_format(self.row, self.col, v, f)
                .map(|_| ()),
            None => self.ws.write_number(self.row, self.col, v).map(|_| ()),
        };
        self.keep(r);
    }

    fn keep<T>(&mut self, r: Result<T, XlsxError>) {
        if let Err(e) = r {
            self.error.get_or_insert(e);
        }
        self.col += 1;
    }
}

impl Cells for SheetSink<'_> {
    fn text(&mut self, s: &str) -> &mut Self {
        if s.is_empty() {
            self.col += 1;
        } else {
            self.fit(s.chars().count());
            let r = self.ws.write_string(self.row, self.col, s).map(|_| ());
            self.keep(r);
        }
        self
    }

    fn num(&mut self, v: f64) -> &mut Self {
        self.number(written(v));
        self
    }

    fn decimal(&mut self, _digits: &str, v: f64) -> &mut Self {
        self.number(v);
        self
    }

    fn count(&mut self, n: usize) -> &mut Self {
        let r = self
            .ws
            .write_number(self.row, self.col, n as f64)
            .map(|_| ());
        self.keep(r);
        self
    }

    fn flag(&mut self, b: bool) -> &mut Self {
        self.fit(5);
        let r = self.ws.write_boolean(self.row, self.col, b).map(|_| ());
        self.keep(r);
        self
    }

    fn end(&mut self) {
        self.row += 1;
        self.col = 0;
    }
}
