//! Reading one CSV file of a model into typed cells, collecting every problem found.
//!
//! Accepts what spreadsheets write: a UTF-8 BOM, CRLF line ends, quoted fields,
//! spaces around cells. Columns are matched by exact (lower-case) header name, in any
//! order; unknown columns are reported as warnings.

use std::path::Path;

use crate::error::{InputErrors, InputIssue};
use crate::input::number::{parse_plain_number, Domain};

/// Largest model file read, in bytes; larger files are refused with a clear error.
pub const MAX_FILE_BYTES: u64 = 4 << 30;

/// Most data rows read from one file.
pub const MAX_RECORDS: usize = 20_000_000;

/// Most columns a header may have.
pub const MAX_COLUMNS: usize = 1_000;

/// Longest cell, in bytes.
pub const MAX_CELL_BYTES: usize = 10_000;

/// A CSV file as read: its header and its records with their line numbers.
#[derive(Debug)]
pub struct Table {
    /// The file name as shown in messages, e.g. `suppliers.csv`.
    pub file: String,
    columns: Vec<Option<usize>>,
    names: Vec<&'static str>,
    /// Every field of every record, concatenated (one allocation, not one per record).
    data: String,
    /// End offset in `data` of each field.
    ends: Vec<usize>,
    /// The data records, in file order.
    pub records: Vec<Record>,
}

/// A cell problem that has already been recorded in the error list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reported;

/// One data record with the line it starts on.
#[derive(Debug)]
pub struct Record {
    /// 1-based line number of the record in the file.
    pub line: u64,
    /// Index in `Table::ends` of the record's first field.
    first: usize,
    /// Number of fields.
    len: usize,
}

/// The columns a file has: required ones must be present, optional ones may be.
pub struct Columns {
    /// Columns that must be in the header.
    pub required: &'static [&'static str],
    /// Columns that may be in the header.
    pub optional: &'static [&'static str],
}

/// Parses `file` from `files`. Returns `None` (with the reason in `errors`) when the file
/// is missing, unreadable or unusable; optional files are checked with
/// [`ModelFiles::has`] first.
pub fn read_table(
    files: &ModelFiles,
    file: &str,
    columns: &Columns,
    errors: &mut InputErrors,
    warnings: &mut Vec<String>,
) -> Option<Table> {
    match files.get(file) {
        None => {
            errors.push(InputIssue::file(
                file,
                format!("not found in {}", files.location()),
            ));
            None
        }
        Some(Err(message)) => {
            errors.push(InputIssue::file(file, message.clone()));
            None
        }
        Some(Ok(bytes)) => parse_table(file, bytes, columns, errors, warnings),
    }
}

/// The raw files of a model, read from a folder or given in memory (tests, fuzzing).
#[derive(Debug, Clone, Default)]
pub struct ModelFiles {
    location: String,
    contents: std::collections::BTreeMap<String, Result<Vec<u8>, String>>,
}

impl ModelFiles {
    /// Reads the files named in `names` that exist in `dir`.
    pub fn read_dir(dir: &Path, names: &[&str]) -> ModelFiles {
        let mut contents = std::collections::BTreeMap::new();
        for &name in names {
            let path = dir.join(name);
            let entry = match std::fs::metadata(&path) {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => Err(format!("cannot be read: {e}")),
                Ok(meta) if meta.is_dir() => Err("is a folder; expected a CSV file".to_string()),
                Ok(meta) if meta.len() > MAX_FILE_BYTES => Err(format!(
                    "is {} bytes; the largest file read is {MAX_FILE_BYTES} bytes",
                    meta.len()
                )),
                Ok(_) => std::fs::read(&path).map_err(|e| format!("cannot be read: {e}")),
            };
            contents.insert(name.to_string(), entry);
        }
        ModelFiles {
            location: dir.display().to_string(),
            contents,
        }
    }

    /// Files given in memory as (name, bytes).
    pub fn from_memory(files: &[(&str, &[u8])]) -> ModelFiles {
        ModelFiles {
            location: "the model".into(),
            contents: files
                .iter()
                .map(|(n, b)| (n.to_string(), Ok(b.to_vec())))
                .collect(),
        }
    }

    /// True when `name` is present (readable or not).
    pub fn has(&self, name: &str) -> bool {
        self.contents.contains_key(name)
    }

    /// The bytes of `name`, or why they could not be read; `None` when absent.
    pub fn get(&self, name: &str) -> Option<&Result<Vec<u8>, String>> {
        self.contents.get(name)
    }

    /// Where the files came from, for messages.
    pub fn location(&self) -> &str {
        &self.location
    }
}

/// Parses CSV bytes (see [`read_table`]).
pub fn parse_table(
    file: &str,
    bytes: &[u8],
    columns: &Columns,
    errors: &mut InputErrors,
    warnings: &mut Vec<String>,
) -> Option<Table> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let header = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            errors.push(InputIssue::line(file, 1, csv_message(&e)));
            return None;
        }
    };
    if header.iter().all(|h| h.is_empty()) {
        errors.push(InputIssue::file(
            file,
            format!(
                "is empty; expected a header row with columns {}",
                columns.required.join(",")
            ),
        ));
        return None;
    }
    if header.len() > MAX_COLUMNS {
        errors.push(InputIssue::line(
            file,
            1,
            format!(
                "has {} columns; expected at most {MAX_COLUMNS}",
                header.len()
            ),
        ));
        return None;
    }
    let mut names: Vec<&'static str> = Vec::new();
    names.extend(columns.required.iter());
    names.extend(columns.optional.iter());
    let mut index = vec![None; names.len()];
    for (pos, name) in header.iter().enumerate() {
        match names.iter().position(|n| *n == name) {
            Some(k) if index[k].is_some() => {
                errors.push(InputIssue::line(
                    file,
                    1,
                    format!("column {name:?} appears twice in the header"),
                ));
            }
            Some(k) => index[k] = Some(pos),
            None if name.is_empty() => {}
            None => warnings.push(format!(
                "{file}:1: unknown column {name:?} ignored (known columns: {})",
                names.join(", ")
            )),
        }
    }
    let missing: Vec<&str> = columns
        .required
        .iter()
        .enumerate()
        .filter(|(k, _)| index[*k].is_none())
        .map(|(_, n)| *n)
        .collect();
    if !missing.is_empty() {
        errors.push(InputIssue::line(
            file,
            1,
            format!(
                "missing required column{} {}; the header has: {}",
                if missing.len() > 1 { "s" } else { "" },
                missing.join(", "),
                header.iter().collect::<Vec<_>>().join(", ")
            ),
        ));
        return None;
    }
    let width = header.len();
    let mut records = Vec::new();
    let mut data = String::with_capacity(bytes.len());
    let mut ends = Vec::new();
    let mut fields = csv::StringRecord::new();
    let mut lines = LineCounter::new(bytes);
    loop {
        match reader.read_record(&mut fields) {
            Ok(false) => break,
            Ok(true) => {
                let line = fields.position().map_or(0, |p| lines.line_at(p.byte()));
                if fields.len() == 1 && fields.get(0) == Some("") {
                    continue; // a blank line
                }
                if fields.len() > width && fields.iter().skip(width).any(|f| !f.is_empty()) {
                    errors.push(InputIssue::line(
                        file,
                        line,
                        format!("has {} fields but the header has {width}", fields.len()),
                    ));
                    continue;
                }
                if records.len() == MAX_RECORDS {
                    errors.push(InputIssue::line(
                        file,
                        line,
                        format!("is past the limit of {MAX_RECORDS} data rows per file"),
                    ));
                    break;
                }
                if let Some((k, f)) = fields
                    .iter()
                    .enumerate()
                    .find(|(_, f)| f.len() > MAX_CELL_BYTES)
                {
                    errors.push(InputIssue::cell(
                        file,
                        line,
                        header.get(k).unwrap_or("?"),
                        &format!("{}…", &f[..f.floor_char_boundary(40)]),
                        format!(
                            "is {} bytes long; expected at most {MAX_CELL_BYTES}",
                            f.len()
                        ),
                    ));
                    continue;
                }
                let first = ends.len();
                for f in fields.iter().take(width) {
                    data.push_str(f);
                    ends.push(data.len());
                }
                records.push(Record {
                    line,
                    first,
                    len: ends.len() - first,
                });
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| lines.line_at(p.byte()));
                errors.push(InputIssue::line(file, line, csv_message(&e)));
                if !matches!(e.kind(), csv::ErrorKind::Utf8 { .. }) {
                    break;
                }
            }
        }
    }
    Some(Table {
        file: file.to_string(),
        columns: index,
        names,
        data,
        ends,
        records,
    })
}

/// Line numbers from byte offsets. The csv crate's own line count is off after blank
/// lines and CRLF; its byte offsets may point at the previous record's line ending, which
/// is skipped here. Offsets must come in increasing order.
struct LineCounter<'a> {
    bytes: &'a [u8],
    cursor: usize,
    line: u64,
}

impl<'a> LineCounter<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        LineCounter {
            bytes,
            cursor: 0,
            line: 1,
        }
    }

    fn line_at(&mut self, byte: u64) -> u64 {
        let mut start = (byte as usize).min(self.bytes.len());
        while start < self.bytes.len() && matches!(self.bytes[start], b'\r' | b'\n') {
            start += 1;
        }
        if start >= self.cursor {
            self.line += self.bytes[self.cursor..start]
                .iter()
                .filter(|&&b| b == b'\n')
                .count() as u64;
            self.cursor = start;
        }
        self.line
    }
}

fn csv_message(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Utf8 { .. } => "is not valid UTF-8; save the file as UTF-8 CSV".into(),
        _ => format!("cannot be read as CSV: {e}"),
    }
}

impl Table {
    fn position(&self, column: &str) -> Option<usize> {
        let k = self.names.iter().position(|n| *n == column)?;
        self.columns[k]
    }

    /// True when the header has `column`.
    pub fn has_column(&self, column: &str) -> bool {
        self.position(column).is_some()
    }

    /// The trimmed text of a cell, empty when the column or cell is absent.
    pub fn text(&self, record: &Record, column: &str) -> &str {
        match self.position(column) {
            Some(pos) if pos < record.len => {
                let k = record.first + pos;
                let start = if k == 0 { 0 } else { self.ends[k - 1] };
                &self.data[start..self.ends[k]]
            }
            _ => "",
        }
    }

    /// The text of a required cell; an empty cell is reported.
    pub fn required_text(
        &self,
        record: &Record,
        column: &str,
        errors: &mut InputErrors,
    ) -> Option<&str> {
        let text = self.text(record, column);
        if text.is_empty() {
            self.empty(record, column, "a value is required", errors);
            None
        } else {
            Some(text)
        }
    }

    fn empty(&self, record: &Record, column: &str, expected: &str, errors: &mut InputErrors) {
        errors.push(InputIssue::cell(
            &self.file,
            record.line,
            column,
            "",
            format!("is empty; {expected}"),
        ));
    }

    /// A required number in `domain`.
    pub fn number(
        &self,
        record: &Record,
        column: &str,
        domain: Domain,
        errors: &mut InputErrors,
    ) -> Option<f64> {
        let text = self.text(record, column);
        if text.is_empty() {
            self.empty(record, column, domain.expected(), errors);
            return None;
        }
        self.parse(record, column, text, domain, errors)
    }

    /// An optional number in `domain`: `Ok(None)` for an empty cell, `Err(Reported)`
    /// when bad (the problem is already in `errors`).
    pub fn optional_number(
        &self,
        record: &Record,
        column: &str,
        domain: Domain,
        errors: &mut InputErrors,
    ) -> Result<Option<f64>, Reported> {
        let text = self.text(record, column);
        if text.is_empty() {
            return Ok(None);
        }
        self.parse(record, column, text, domain, errors)
            .map(Some)
            .ok_or(Reported)
    }

    fn parse(
        &self,
        record: &Record,
        column: &str,
        text: &str,
        domain: Domain,
        errors: &mut InputErrors,
    ) -> Option<f64> {
        let result = parse_plain_number(text).and_then(|v| {
            domain
                .check(v)
                .map(|()| v)
                .map_err(|e| format!("is out of range; {e}"))
        });
        match result {
            Ok(v) => Some(v),
            Err(message) => {
                errors.push(InputIssue::cell(
                    &self.file,
                    record.line,
                    column,
                    text,
                    message,
                ));
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLS: Columns = Columns {
        required: &["a", "b"],
        optional: &["c"],
    };

    fn parse(text: &str) -> (Option<Table>, InputErrors, Vec<String>) {
        let mut errors = InputErrors::default();
        let mut warnings = Vec::new();
        let t = parse_table("t.csv", text.as_bytes(), &COLS, &mut errors, &mut warnings);
        (t, errors, warnings)
    }

    #[test]
    fn bom_crlf_quotes_spaces_and_order() {
        let (t, errors, warnings) =
            parse("\u{feff}b , a,zz\r\n\" 2 \", x ,1\r\n\r\n3,\"y, z\",\r\n");
        assert!(errors.is_empty(), "{errors}");
        assert_eq!(warnings.len(), 1);
        let t = t.unwrap();
        assert_eq!(t.records.len(), 2);
        assert_eq!(t.text(&t.records[0], "a"), "x");
        assert_eq!(t.text(&t.records[0], "b"), "2");
        assert_eq!(t.text(&t.records[1], "a"), "y, z");
        assert_eq!(t.records[1].line, 4);
        assert_eq!(t.text(&t.records[1], "c"), "");
    }

    #[test]
    fn line_numbers_survive_blank_lines_crlf_and_multiline_fields() {
        for (text, want) in [
            ("a,b\n1,2\n\n3,4\n5,6\n", vec![2, 4, 5]),
            ("a,b\r\n1,2\r\n\r\n3,4\r\n", vec![2, 4]),
            ("a,b\n\"1\n2\",2\n3,4\n", vec![2, 4]),
        ] {
            let (t, errors, _) = parse(text);
            assert!(errors.is_empty(), "{errors}");
            let lines: Vec<u64> = t.unwrap().records.iter().map(|r| r.line).collect();
            assert_eq!(lines, want, "{text:?}");
        }
    }

    #[test]
    fn missing_column_lists_header() {
        let (t, errors, _) = parse("a,x\n1,2\n");
        assert!(t.is_none());
        let msg = errors.to_string();
        assert!(
            msg.contains("t.csv:1:") && msg.contains("b") && msg.contains("a, x"),
            "{msg}"
        );
    }

    #[test]
    fn number_errors_name_line_and_column() {
        let (t, _, _) = parse("a,b\n1,\"1,250\"\n");
        let t = t.unwrap();
        let mut errors = InputErrors::default();
        assert_eq!(
            t.number(&t.records[0], "b", Domain::NonNegative, &mut errors),
            None
        );
        assert_eq!(
            errors.to_string(),
            "t.csv:2: column b: \"1,250\" is not a plain number; write it without separators, e.g. 1250"
        );
    }

    #[test]
    fn too_many_fields() {
        let (_, errors, _) = parse("a,b\n1,2,3\n");
        assert!(errors.to_string().contains("t.csv:2:"), "{errors}");
    }
}
