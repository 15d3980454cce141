//! A model as one workbook: sheets named like the CSV files (`suppliers`, `demand`,
//! `countries`, `constraints`, `scenarios`, `tiers`, `bundles`, `discounts`). Each sheet is turned into the CSV text the
//! folder reader takes, one line per sheet row, so every validation rule is the folder's
//! own; messages are then moved back to the sheet: `x.xlsx: sheet suppliers, cell D14
//! (row 14, column unit_cost): …`.
//!
//! Numeric cells arrive as numbers (written as their shortest exact decimal), whatever
//! the locale of the application that saved the workbook; text cells as text.

use std::io::Cursor;
use std::path::Path;

use calamine::{open_workbook_auto_from_rs, Data, Range, Reader};

use super::table::{ModelFiles, MAX_FILE_BYTES};
use super::{files, parse, Loaded};
use crate::error::{Error, InputErrors, InputIssue, Result};
use crate::write::numbers::write_exact_bytes;
use crate::write::CsvOut;

/// The sheets of a model workbook, with the file each stands for.
pub const SHEETS: [(&str, &str); 8] = [
    ("suppliers", files::SUPPLIERS),
    ("demand", files::DEMAND),
    ("countries", files::COUNTRIES),
    ("constraints", files::CONSTRAINTS),
    ("scenarios", files::SCENARIOS),
    ("tiers", files::TIERS),
    ("bundles", files::BUNDLES),
    ("discounts", files::DISCOUNTS),
];

/// True when `path` names a workbook (by extension: xlsx, xlsm, xls, ods).
pub(crate) fn is_workbook(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        matches!(
            e.to_ascii_lowercase().as_str(),
            "xlsx" | "xlsm" | "xls" | "ods"
        )
    })
}

/// One model sheet as CSV text, with what it takes to name its cells.
#[derive(Debug, Clone)]
pub struct SheetText {
    /// The sheet's name as in the workbook.
    pub sheet: String,
    /// The file it stands for, e.g. `suppliers.csv`.
    pub file: &'static str,
    /// The sheet as CSV (RFC 4180; numbers as exact decimals).
    pub csv: Vec<u8>,
    /// Header cells, in order.
    header: Vec<String>,
    /// (CSV line, sheet row), both 1-based, for every row written.
    rows: Vec<(u64, u64)>,
    /// 0-based sheet column of the first CSV field.
    first_col: u32,
}

impl SheetText {
    /// The 1-based sheet row of CSV line `line`.
    fn row_of(&self, line: u64) -> u64 {
        match self.rows.binary_search_by_key(&line, |&(l, _)| l) {
            Ok(k) => self.rows[k].1,
            Err(k) => k
                .checked_sub(1)
                .map_or(line, |p| self.rows[p].1 + (line - self.rows[p].0)),
        }
    }

    /// Where issue coordinates (CSV line, column name) are in the sheet.
    fn place(&self, book: &str, line: Option<u64>, column: Option<&str>) -> String {
        let sheet = &self.sheet;
        let Some(line) = line else {
            return format!("{book}: sheet {sheet}");
        };
        let row = self.row_of(line);
        let col = column.and_then(|c| self.header.iter().position(|h| h.trim() == c));
        match (column, col) {
            (Some(name), Some(p)) => format!(
                "{book}: sheet {sheet}, cell {}{row} (row {row}, column {name})",
                column_letters(self.first_col + p as u32)
            ),
            (Some(name), None) => format!("{book}: sheet {sheet}, row {row}, column {name}"),
            _ => format!("{book}: sheet {sheet}, row {row}"),
        }
    }
}

/// Excel's letters for 0-based column `col`: 0 → A, 25 → Z, 26 → AA.
pub(crate) fn column_letters(col: u32) -> String {
    let mut n = col as u64 + 1;
    let mut out = Vec::new();
    while n > 0 {
        let r = ((n - 1) % 26) as u8;
        out.push(b'A' + r);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// The model sheets of the workbook in `bytes` (named `book` in messages), and
/// warnings for the sheets that are not model sheets.
pub fn workbook_sheets(book: &str, bytes: &[u8]) -> Result<(Vec<SheetText>, Vec<String>)> {
    let fail = |why: String| Error::Input(one_issue(book, why));
    let mut wb = open_workbook_auto_from_rs(Cursor::new(bytes))
        .map_err(|e| fail(format!("cannot be read as a workbook: {e}")))?;
    let mut sheets = Vec::new();
    let mut warnings = Vec::new();
    for name in wb.sheet_names() {
        let key = name.trim().to_ascii_lowercase();
        let Some(&(_, file)) = SHEETS.iter().find(|(s, _)| *s == key) else {
            warnings.push(format!(
                "{book}: sheet {name:?} ignored (model sheets: suppliers, demand, countries, constraints, scenarios, tiers, bundles, discounts)"
            ));
            continue;
        };
        if sheets.iter().any(|s: &SheetText| s.file == file) {
            return Err(fail(format!("has two sheets named {key}")));
        }
        let range = wb
            .worksheet_range(&name)
            .map_err(|e| fail(format!("sheet {name} cannot be read: {e}")))?;
        let text = sheet_text(name, file, &range);
        if text.csv.len() as u64 > MAX_FILE_BYTES {
            return Err(fail(format!("sheet {key} is too large")));
        }
        sheets.push(text);
    }
    Ok((sheets, warnings))
}

fn one_issue(book: &str, message: String) -> InputErrors {
    InputErrors {
        issues: vec![InputIssue::file(book, message)],
        omitted: 0,
    }
}

/// A sheet's cells as CSV, a line per row from its first used row.
fn sheet_text(sheet: String, file: &'static str, range: &Range<Data>) -> SheetText {
    let (first_row, first_col) = range.start().unwrap_or((0, 0));
    let mut out = CsvOut::lines(range.get_size().0 * 64);
    let mut rows = Vec::new();
    let mut header = Vec::new();
    let mut line = 1u64;
    for (k, cells) in range.rows().enumerate() {
        let row = first_row as u64 + k as u64 + 1;
        rows.push((line, row));
        let mut newlines = 0;
        // Rows as wide as the header (a trailing empty cell is an empty field), wider
        // only where cells are used past it; a fully empty row is a blank line.
        let used = cells
            .iter()
            .rposition(|c| *c != Data::Empty)
            .map_or(0, |p| p + 1);
        let width = if used == 0 { 1 } else { used.max(header.len()) };
        for c in &cells[..width.min(cells.len())] {
            let text = cell_text(c);
            newlines += text.matches('\n').count() as u64;
            if k == 0 {
                header.push(text.clone());
            }
            out.text(&text);
        }
        out.end();
        line += 1 + newlines;
    }
    SheetText {
        sheet,
        file,
        csv: out.finish(),
        header,
        rows,
        first_col,
    }
}

/// A cell as the CSV text the folder reader would see.
pub(crate) fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Float(f) => {
            let mut buf = Vec::new();
            write_exact_bytes(&mut buf, *f);
            String::from_utf8(buf).unwrap_or_default()
        }
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => format!("(a date: {})", d.as_f64()),
        Data::Error(e) => format!("{e}"),
    }
}

/// Reads and validates the model in the workbook at `path` (see the module docs).
pub(crate) fn load_workbook(path: &Path) -> Result<Loaded> {
    let book = path.display().to_string();
    let bytes = match std::fs::metadata(path) {
        Ok(m) if m.len() > MAX_FILE_BYTES => {
            return Err(Error::Input(one_issue(
                &book,
                format!(
                    "is {} bytes; the largest file read is {MAX_FILE_BYTES} bytes",
                    m.len()
                ),
            )))
        }
        _ => std::fs::read(path)
            .map_err(|e| Error::Input(one_issue(&book, format!("cannot be read: {e}"))))?,
    };
    parse_workbook(&book, &bytes)
}

/// Validates a model workbook given as bytes (named `book` in messages).
pub fn parse_workbook(book: &str, bytes: &[u8]) -> Result<Loaded> {
    let (sheets, sheet_warnings) = workbook_sheets(book, bytes)?;
    let files: Vec<(&str, &[u8])> = sheets.iter().map(|s| (s.file, s.csv.as_slice())).collect();
    let input = ModelFiles::from_memory(&files).located(book);
    match parse(&input) {
        Ok(mut loaded) => {
            let mut warnings = sheet_warnings;
            warnings.extend(
                loaded
                    .warnings
                    .iter()
                    .map(|w| locate_text(book, &sheets, w)),
            );
            loaded.warnings = warnings;
            Ok(loaded)
        }
        Err(Error::Input(mut errors)) => {
            for issue in &mut errors.issues {
                locate(book, &sheets, issue);
            }
            Err(Error::Input(errors))
        }
        Err(other) => Err(other),
    }
}

/// Moves an issue about a CSV file onto its sheet.
fn locate(book: &str, sheets: &[SheetText], issue: &mut InputIssue) {
    let place = match sheets.iter().find(|s| s.file == issue.file) {
        Some(s) => s.place(book, issue.line, issue.column.as_deref()),
        None => match SHEETS.iter().find(|(_, f)| *f == issue.file) {
            Some((sheet, _)) => format!("{book}: sheet {sheet}"),
            None => return,
        },
    };
    issue.file = place;
    issue.line = None;
    issue.column = None;
    issue.message = rename_files(&issue.message);
}

/// A warning `file:line: …` about a CSV file, moved onto its sheet.
fn locate_text(book: &str, sheets: &[SheetText], text: &str) -> String {
    for s in sheets {
        if let Some(rest) = text.strip_prefix(s.file).and_then(|r| r.strip_prefix(':')) {
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            if let (Ok(line), Some(tail)) = (digits.parse(), rest.get(digits.len()..)) {
                let tail = tail.strip_prefix(':').unwrap_or(tail);
                return format!("{}:{}", s.place(book, Some(line), None), rename_files(tail));
            }
        }
    }
    rename_files(text)
}

/// `demand.csv` → `sheet demand` in a message.
fn rename_files(message: &str) -> String {
    let mut out = message.to_string();
    for (sheet, file) in SHEETS {
        out = out.replace(file, &format!("sheet {sheet}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters_follow_excel() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(3), "D");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(701), "ZZ");
        assert_eq!(column_letters(702), "AAA");
    }
}
