//! Reading one CSV file of a model into typed cells, collecting every problem found.
//!
//! Accepts what spreadsheets write: a UTF-8 BOM, CRLF line ends, quoted fields,
//! spaces around cells. Columns are matched by exact (lower-case) header name, in any
//! order; unknown columns are reported as warnings.

use std::path::Path;

use super::bytes::read_file;
pub use super::bytes::FileBytes;
/// The range a numeric column accepts ([`Table::number`]).
pub use super::number::Domain;
use crate::error::{InputErrors, InputIssue};
use crate::input::number::parse_plain_number;
use crate::input::scan::{self, Scanner};
use crate::write::Dialect;

/// Largest model file read, in bytes (4 GiB − 1, so offsets fit in 32 bits); larger
/// files are refused with a clear error.
pub const MAX_FILE_BYTES: u64 = (4 << 30) - 1;

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
    /// The fields of the records, one piece per part of the file read in parallel.
    pieces: Vec<Piece>,
    /// The data records, in file order.
    pub records: Vec<Record>,
    /// True for a `;`-separated file with decimal commas ([`detect_dialect`]).
    pub decimal_comma: bool,
}

/// The dialect of CSV `bytes`, told from the header line: `;` between fields and no `,`
/// (outside quotes) is Excel's European CSV (decimal commas), anything else RFC 4180.
pub fn detect_dialect(bytes: &[u8]) -> Dialect {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let (mut quoted, mut semicolons, mut commas) = (false, 0, 0);
    for &b in bytes.iter().take(1 << 20) {
        match b {
            b'"' => quoted = !quoted,
            b'\n' | b'\r' if !quoted => break,
            b';' if !quoted => semicolons += 1,
            b',' if !quoted => commas += 1,
            _ => {}
        }
    }
    if semicolons > 0 && commas == 0 {
        Dialect::ExcelEu
    } else {
        Dialect::Rfc4180
    }
}

/// A cell problem that has already been recorded in the error list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reported;

/// One data record with the line it starts on.
#[derive(Debug)]
pub struct Record {
    /// 1-based line number of the record in the file.
    pub line: u64,
    /// Index in `Table::pieces` of the piece holding the record's fields.
    piece: u32,
    /// Index in the piece's `ends` of the record's first field.
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
    let bytes = file_bytes(files, file, errors)?;
    parse_table(file, bytes, columns, errors, warnings)
}

/// The bytes of `file` in `files`; `None` (with the reason in `errors`) when it is
/// missing or unreadable.
pub(crate) fn file_bytes<'f>(
    files: &'f ModelFiles,
    file: &str,
    errors: &mut InputErrors,
) -> Option<&'f [u8]> {
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
        Some(Ok(bytes)) => Some(&bytes[..]),
    }
}

/// The raw files of a model, read from a folder or given in memory (tests, fuzzing).
#[derive(Debug, Clone, Default)]
pub struct ModelFiles {
    location: String,
    contents: std::collections::BTreeMap<String, Result<FileBytes, String>>,
}

impl ModelFiles {
    /// Reads the files named in `names` that exist in `dir`.
    pub fn read_dir(dir: &Path, names: &[&str]) -> ModelFiles {
        let mut contents = std::collections::BTreeMap::new();
        for &name in names {
            if let Some(entry) = read_file(&dir.join(name)) {
                contents.insert(name.to_string(), entry);
            }
        }
        ModelFiles {
            location: dir.display().to_string(),
            contents,
        }
    }

    /// Reads the file at `path` under `name` (absent if it does not exist).
    pub fn read_path(name: &str, path: &Path) -> ModelFiles {
        let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
        ModelFiles {
            location: parent.map_or_else(|| ".".into(), |p| p.display().to_string()),
            contents: read_file(path)
                .map(|entry| (name.to_string(), entry))
                .into_iter()
                .collect(),
        }
    }

    /// Files given in memory as (name, bytes).
    pub fn from_memory(files: &[(&str, &[u8])]) -> ModelFiles {
        ModelFiles {
            location: "the model".into(),
            contents: files
                .iter()
                .map(|(n, b)| (n.to_string(), Ok(FileBytes::Held(b.to_vec()))))
                .collect(),
        }
    }

    /// The same files, named as coming from `location` in messages.
    pub fn located(mut self, location: &str) -> ModelFiles {
        self.location = location.to_string();
        self
    }

    /// True when `name` is present (readable or not).
    pub fn has(&self, name: &str) -> bool {
        self.contents.contains_key(name)
    }

    /// The bytes of `name`, or why they could not be read; `None` when absent.
    pub fn get(&self, name: &str) -> Option<&Result<FileBytes, String>> {
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
    let opened = open(file, bytes, columns, errors, warnings)?;
    let parts = read_body(file, &opened);
    Some(assemble(
        file,
        opened.index,
        opened.names,
        parts,
        opened.dialect,
        errors,
    ))
}

/// A CSV file whose header has been read and matched to the columns wanted.
pub(crate) struct Opened<'b> {
    /// The file's bytes without a BOM.
    pub bytes: &'b [u8],
    /// Its dialect ([`detect_dialect`]).
    pub dialect: Dialect,
    /// The header's names, trimmed, in file order.
    pub header: Vec<String>,
    /// The known column names: required, then optional.
    pub names: Vec<&'static str>,
    /// The position in the header of each of `names`.
    pub index: Vec<Option<usize>>,
    /// Where the records after the header start in `bytes`.
    pub body_start: usize,
}

impl Opened<'_> {
    /// Line of the first byte of the body.
    pub fn body_line(&self) -> u64 {
        1 + count_newlines(&self.bytes[..self.body_start])
    }

    /// The body: the bytes after the header.
    pub fn body(&self) -> &[u8] {
        &self.bytes[self.body_start..]
    }
}

/// Strips a BOM, tells the dialect (a warning for Excel's European CSV), reads and
/// checks the header ([`match_header`]).
pub(crate) fn open<'b>(
    file: &str,
    bytes: &'b [u8],
    columns: &Columns,
    errors: &mut InputErrors,
    warnings: &mut Vec<String>,
) -> Option<Opened<'b>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let dialect = detect_dialect(bytes);
    if dialect == Dialect::ExcelEu {
        warnings.push(format!(
            "{file}: read as semicolon-separated with decimal commas (Excel's European CSV), as its header has `;` and no `,`"
        ));
    }
    let (header, body_start) = read_header(file, bytes, dialect, errors)?;
    let (names, index) = match_header(file, &header, columns, errors, warnings)?;
    Some(Opened {
        bytes,
        dialect,
        header: header.iter().map(str::to_string).collect(),
        names,
        index,
        body_start,
    })
}

/// The header (the first record, each name trimmed) of `bytes` (without BOM), and where
/// the records after it start; `None` with the problem in `errors` when it is not UTF-8.
pub(crate) fn read_header(
    file: &str,
    bytes: &[u8],
    dialect: Dialect,
    errors: &mut InputErrors,
) -> Option<(csv::StringRecord, usize)> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(dialect.separator())
        .has_headers(true)
        .flexible(true)
        .trim(csv::Trim::Headers)
        .from_reader(bytes);
    match reader.headers() {
        Ok(h) => {
            let header = h.clone();
            Some((header, (reader.position().byte() as usize).min(bytes.len())))
        }
        Err(e) => {
            errors.push(InputIssue::line(file, 1, csv_message(&e)));
            None
        }
    }
}

/// Checks the header (not empty, not too wide, no column twice, every required column)
/// and finds each known column's position; unknown columns are warnings. Returns the
/// known names (required, then optional) and their positions.
pub(crate) fn match_header(
    file: &str,
    header: &csv::StringRecord,
    columns: &Columns,
    errors: &mut InputErrors,
    warnings: &mut Vec<String>,
) -> Option<(Vec<&'static str>, Vec<Option<usize>>)> {
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
            None if name.is_empty() || matches_wildcard(&names, name) => {}
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
    Some((names, index))
}

/// True when `name` matches a wildcard column `prefix*` of `names` (read by the file's
/// own reader, e.g. suppliers.csv's `origin_<stage>`).
fn matches_wildcard(names: &[&str], name: &str) -> bool {
    names.iter().any(|n| {
        n.strip_suffix('*')
            .is_some_and(|prefix| name.len() > prefix.len() && name.starts_with(prefix))
    })
}

/// Reads the records after the header, in parallel pieces when the body is large
/// ([`scan::read_pieces`]).
fn read_body(file: &str, opened: &Opened<'_>) -> Vec<Part> {
    scan::read_pieces(
        opened.body(),
        opened.dialect.separator(),
        opened.body_line(),
        |scanner| read_records(scanner, file, &opened.header),
        |part| part.ended_in_quotes,
    )
}

/// The table of the parts read, in file order, up to the first part that stopped; past
/// [`MAX_RECORDS`] rows an error.
fn assemble(
    file: &str,
    columns: Vec<Option<usize>>,
    names: Vec<&'static str>,
    parts: Vec<Part>,
    dialect: Dialect,
    errors: &mut InputErrors,
) -> Table {
    let mut table = Table {
        file: file.to_string(),
        columns,
        names,
        pieces: Vec::with_capacity(parts.len()),
        records: Vec::with_capacity(parts.iter().map(|p| p.records.len()).sum()),
        decimal_comma: dialect == Dialect::ExcelEu,
    };
    for (k, part) in parts.into_iter().enumerate() {
        table.records.extend(part.records.iter().map(|r| Record {
            piece: k as u32,
            ..*r
        }));
        table.pieces.push(part.piece);
        errors.append(part.errors);
        if part.stopped {
            break;
        }
    }
    if table.records.len() > MAX_RECORDS {
        let line = table.records[MAX_RECORDS].line;
        table.records.truncate(MAX_RECORDS);
        errors.push(InputIssue::line(
            file,
            line,
            format!("is past the limit of {MAX_RECORDS} data rows per file"),
        ));
    }
    table
}

/// Number of `\n` in `bytes`.
pub(crate) fn count_newlines(bytes: &[u8]) -> u64 {
    memchr::memchr_iter(b'\n', bytes).count() as u64
}

/// The fields of consecutive records: their text concatenated (one allocation, not one
/// per record) and the end offset of each field.
#[derive(Debug, Default)]
struct Piece {
    data: String,
    ends: Vec<u32>,
}

/// The records of one part of a file, as read by [`read_records`].
struct Part {
    piece: Piece,
    records: Vec<Record>,
    errors: InputErrors,
    /// True when reading stopped early (a limit or unreadable CSV).
    stopped: bool,
    /// True when the part ended inside a quoted field ([`Scanner::ended_in_quotes`]).
    ended_in_quotes: bool,
}

/// Reads the records of `scanner` until its end: each field trimmed, checked for UTF-8
/// and length, and appended to one buffer (no owned record per row).
fn read_records(mut scanner: Scanner<'_>, file: &str, header: &[String]) -> Part {
    let width = header.len();
    let bytes = scanner.remaining();
    let rows_hint = (count_newlines(bytes) as usize + 1).min(MAX_RECORDS);
    let mut part = Part {
        piece: Piece {
            data: String::with_capacity(bytes.len()),
            ends: Vec::with_capacity(rows_hint.saturating_mul(width)),
        },
        records: Vec::with_capacity(rows_hint),
        errors: InputErrors::default(),
        stopped: false,
        ended_in_quotes: false,
    };
    while let Some(line) = scanner.next_record() {
        if let Some(problem) = check_shape(&scanner, width, file, line) {
            match problem {
                Shape::Blank => {}
                Shape::Bad(issue) => part.errors.push(issue),
            }
            continue;
        }
        if part.records.len() == MAX_RECORDS {
            part.errors.push(InputIssue::line(
                file,
                line,
                format!("is past the limit of {MAX_RECORDS} data rows per file"),
            ));
            part.stopped = true;
            break;
        }
        let piece = &mut part.piece;
        let first = piece.ends.len();
        if let Some(issue) = push_fields(piece, &scanner, header, file, line) {
            part.errors.push(issue);
            continue;
        }
        part.records.push(Record {
            line,
            piece: 0,
            first,
            len: piece.ends.len() - first,
        });
    }
    part.ended_in_quotes = scanner.ended_in_quotes();
    part
}

/// Why a record is not read as data.
pub(crate) enum Shape {
    /// A line of spaces only.
    Blank,
    /// More fields than the header has.
    Bad(InputIssue),
}

/// A blank record or one with more (non-empty) fields than the header's `width`.
pub(crate) fn check_shape(
    scanner: &Scanner<'_>,
    width: usize,
    file: &str,
    line: u64,
) -> Option<Shape> {
    let len = scanner.len();
    if len == 1 && scanner.field(0).trim_ascii().is_empty() {
        return Some(Shape::Blank);
    }
    if len > width && (width..len).any(|k| !scanner.field(k).trim_ascii().is_empty()) {
        return Some(Shape::Bad(InputIssue::line(
            file,
            line,
            format!("has {len} fields but the header has {width}"),
        )));
    }
    None
}

/// A field's text ([`Scanner::field_str`]), trimmed; the problem when it is not UTF-8 or longer than
/// [`MAX_CELL_BYTES`] (`column` names it).
#[inline]
pub(crate) fn cell_text<'f>(
    field: Option<&'f str>,
    column: &str,
    file: &str,
    line: u64,
) -> Result<&'f str, InputIssue> {
    match field.map(trim_str) {
        Some(text) if text.len() <= MAX_CELL_BYTES => Ok(text),
        text => Err(cell_text_problem(text, column, file, line)),
    }
}

/// What is wrong with a cell [`cell_text`] refuses: not UTF-8 (`None`) or too long.
#[cold]
fn cell_text_problem(text: Option<&str>, column: &str, file: &str, line: u64) -> InputIssue {
    match text {
        None => InputIssue::line(file, line, "is not valid UTF-8; save the file as UTF-8 CSV"),
        Some(text) => InputIssue::cell(
            file,
            line,
            column,
            &format!("{}…", &text[..text.floor_char_boundary(40)]),
            format!(
                "is {} bytes long; expected at most {MAX_CELL_BYTES}",
                text.len()
            ),
        ),
    }
}

/// Appends the record's fields (trimmed, at most one per header column) to `piece`; on
/// a field that is not UTF-8 or too long, appends nothing and returns the problem.
fn push_fields(
    piece: &mut Piece,
    scanner: &Scanner<'_>,
    header: &[String],
    file: &str,
    line: u64,
) -> Option<InputIssue> {
    let first = piece.ends.len();
    let mark = piece.data.len();
    for (k, column) in header.iter().enumerate().take(scanner.len()) {
        match cell_text(scanner.field_str(k), column, file, line) {
            Ok(text) => {
                piece.data.push_str(text);
                // Fits: the data is shorter than the file (< 4 GiB, MAX_FILE_BYTES).
                piece.ends.push(piece.data.len() as u32);
            }
            Err(issue) => {
                piece.data.truncate(mark);
                piece.ends.truncate(first);
                return Some(issue);
            }
        }
    }
    None
}

/// `text` without surrounding whitespace (Unicode, as `str::trim`), fast for ASCII.
#[inline]
fn trim_str(text: &str) -> &str {
    let t = text.trim_ascii();
    match (t.as_bytes().first(), t.as_bytes().last()) {
        (Some(a), Some(b)) if !a.is_ascii() || !b.is_ascii() => t.trim(),
        _ => t,
    }
}

fn csv_message(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Utf8 { .. } => "is not valid UTF-8; save the file as UTF-8 CSV".into(),
        _ => format!("cannot be read as CSV: {e}"),
    }
}

/// A column of a [`Table`] looked up once, for reading many records
/// ([`Table::column`]).
#[derive(Debug, Clone, Copy)]
pub struct Col {
    name: &'static str,
    position: Option<usize>,
}

impl Table {
    fn position(&self, column: &str) -> Option<usize> {
        let k = self.names.iter().position(|n| *n == column)?;
        self.columns[k]
    }

    /// The column named `name` (one of the names the table was read with).
    pub fn column(&self, name: &'static str) -> Col {
        Col {
            name,
            position: self.position(name),
        }
    }

    /// The trimmed text of a cell in `col`, empty when the column or cell is absent.
    pub fn cell(&self, record: &Record, col: Col) -> &str {
        match col.position {
            Some(pos) if pos < record.len => {
                let piece = &self.pieces[record.piece as usize];
                let k = record.first + pos;
                let start = if k == 0 {
                    0
                } else {
                    piece.ends[k - 1] as usize
                };
                &piece.data[start..piece.ends[k] as usize]
            }
            _ => "",
        }
    }

    /// True when the header has `column`.
    pub fn has_column(&self, column: &str) -> bool {
        self.position(column).is_some()
    }

    /// The trimmed text of a cell, empty when the column or cell is absent.
    pub fn text(&self, record: &Record, column: impl AsColumn) -> &str {
        self.cell(record, column.resolve(self))
    }

    /// The text of a required cell; an empty cell is reported.
    pub fn required_text(
        &self,
        record: &Record,
        column: impl AsColumn,
        errors: &mut InputErrors,
    ) -> Option<&str> {
        let col = column.resolve(self);
        let text = self.cell(record, col);
        if text.is_empty() {
            self.empty(record, col, "a value is required", errors);
            None
        } else {
            Some(text)
        }
    }

    fn empty(&self, record: &Record, col: Col, expected: &str, errors: &mut InputErrors) {
        errors.push(InputIssue::cell(
            &self.file,
            record.line,
            col.name,
            "",
            format!("is empty; {expected}"),
        ));
    }

    /// A required number in `domain`.
    pub fn number(
        &self,
        record: &Record,
        column: impl AsColumn,
        domain: Domain,
        errors: &mut InputErrors,
    ) -> Option<f64> {
        let col = column.resolve(self);
        let text = self.cell(record, col);
        if text.is_empty() {
            self.empty(record, col, domain.expected(), errors);
            return None;
        }
        self.parse(record, col, text, domain, errors)
    }

    /// An optional number in `domain`: `Ok(None)` for an empty cell, `Err(Reported)`
    /// when bad (the problem is already in `errors`).
    pub fn optional_number(
        &self,
        record: &Record,
        column: impl AsColumn,
        domain: Domain,
        errors: &mut InputErrors,
    ) -> Result<Option<f64>, Reported> {
        let col = column.resolve(self);
        let text = self.cell(record, col);
        if text.is_empty() {
            return Ok(None);
        }
        self.parse(record, col, text, domain, errors)
            .map(Some)
            .ok_or(Reported)
    }

    fn parse(
        &self,
        record: &Record,
        col: Col,
        text: &str,
        domain: Domain,
        errors: &mut InputErrors,
    ) -> Option<f64> {
        match parse_number_cell(text, self.decimal_comma, domain) {
            Ok(v) => Some(v),
            Err(message) => {
                errors.push(InputIssue::cell(
                    &self.file,
                    record.line,
                    col.name,
                    text,
                    message,
                ));
                None
            }
        }
    }
}

/// The value of the number cell `text` (trimmed, not empty) in `domain`, or what is
/// wrong with it. With `decimal_comma` the decimal separator is `,` and a `.` is refused.
#[inline]
pub(crate) fn parse_number_cell(
    text: &str,
    decimal_comma: bool,
    domain: Domain,
) -> Result<f64, String> {
    let mut copy = [0u8; 64];
    let number_text = if decimal_comma {
        if text.contains('.') {
            return Err("has a `.` in a file read with decimal commas; write the number without thousands separators, e.g. 1250 or 0,35".into());
        }
        match text.len() <= copy.len() {
            true if text.contains(',') => {
                for (c, b) in copy.iter_mut().zip(text.bytes()) {
                    *c = if b == b',' { b'.' } else { b };
                }
                // Only ASCII `,` became ASCII `.`: still UTF-8.
                std::str::from_utf8(&copy[..text.len()]).unwrap_or(text)
            }
            true => text,
            false => return parse_long_comma_number(text, domain),
        }
    } else {
        text
    };
    let v = parse_plain_number(number_text)?;
    domain
        .check(v)
        .map(|()| v)
        .map_err(|e| format!("is out of range; {e}"))
}

/// [`parse_number_cell`] of a decimal-comma cell longer than its stack copy.
fn parse_long_comma_number(text: &str, domain: Domain) -> Result<f64, String> {
    parse_number_cell(&text.replace(',', "."), false, domain)
}

/// A column named or already looked up: the cell readers take either.
pub trait AsColumn: Copy {
    /// The column in `table`.
    fn resolve(self, table: &Table) -> Col;
}

impl AsColumn for &'static str {
    fn resolve(self, table: &Table) -> Col {
        table.column(self)
    }
}

impl AsColumn for Col {
    fn resolve(self, _: &Table) -> Col {
        self
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

    /// A file large enough to be read in parallel pieces, with blank lines, CRLF and
    /// bad rows scattered through it.
    fn big_file(quote_one_cell: bool) -> String {
        let mut text = String::from("a,b,c\r\n");
        for k in 1..=160_000 {
            match k % 997 {
                0 => text.push_str("\r\n"),
                1 => text.push_str(&format!("{k},x,1,extra\n")),
                _ if k == 5 && quote_one_cell => text.push_str("\"5\",  five ,\n"),
                _ if k == 5 => text.push_str("5,  five ,\n"),
                _ => text.push_str(&format!(" {k} , v{k},{}\r\n", k % 7)),
            }
        }
        text
    }

    #[test]
    fn parallel_pieces_read_like_one_sequential_pass() {
        let parallel = big_file(false);
        let sequential = big_file(true);
        // Both are read in pieces: the quoted cell is no reason for one pass.
        assert!(scan::split(parallel.as_bytes(), 1, 4).len() > 1);
        let (tp, ep, _) = parse(&parallel);
        let (ts, es, _) = parse(&sequential);
        assert_eq!(ep, es);
        // Every 997th row has a fourth field: reported with its own line number.
        let first_bad = ep.issues.first().unwrap();
        assert_eq!(first_bad.line, Some(2), "{ep}");
        assert!(ep.issues.len() > 3 && ep.issues.iter().all(|i| i.message.contains("4 fields")));
        let (tp, ts) = (tp.unwrap(), ts.unwrap());
        assert!(parallel.len() > 2 * scan::PARALLEL_MIN_BYTES);
        for (p, q) in tp.records.iter().zip(&ts.records) {
            assert_eq!(p.line, q.line);
            for col in ["a", "b", "c"] {
                assert_eq!(tp.text(p, col), ts.text(q, col));
            }
        }
        // Lines counted independently: data line k is file line k + 1.
        let r = tp
            .records
            .iter()
            .find(|r| tp.text(r, "a") == "5000")
            .unwrap();
        assert_eq!(r.line, 5001);
        assert_eq!(tp.text(r, "b"), "v5000");
        assert_eq!(tp.text(&tp.records[3], "b"), "five");
    }

    #[test]
    fn semicolon_files_with_decimal_commas_are_detected() {
        assert_eq!(detect_dialect(b"a;b\n1,5;2\n"), Dialect::ExcelEu);
        assert_eq!(detect_dialect(b"a,b\n1;2\n"), Dialect::Rfc4180);
        assert_eq!(detect_dialect(b"\"a,x\";b\n"), Dialect::ExcelEu);
        assert_eq!(detect_dialect(b"\"a;x\",b\n"), Dialect::Rfc4180);
        assert_eq!(detect_dialect(b"a\n1\n"), Dialect::Rfc4180);
        let (t, errors, warnings) = parse("a;b;c\n1,5;\"x;y\";1.250\n");
        assert!(errors.is_empty(), "{errors}");
        assert!(warnings[0].contains("decimal commas"), "{warnings:?}");
        let t = t.unwrap();
        let mut errors = InputErrors::default();
        let r = &t.records[0];
        assert_eq!(
            t.number(r, "a", Domain::NonNegative, &mut errors),
            Some(1.5)
        );
        assert_eq!(t.text(r, "b"), "x;y");
        assert_eq!(t.number(r, "c", Domain::NonNegative, &mut errors), None);
        assert!(
            errors.to_string().contains("t.csv:2: column c: \"1.250\""),
            "{errors}"
        );
    }

    #[test]
    fn too_many_fields() {
        let (_, errors, _) = parse("a,b\n1,2,3\n");
        assert!(errors.to_string().contains("t.csv:2:"), "{errors}");
    }
}
