//! One tabular result abstraction for every command: a [`Table`] is a name (the CSV file
//! stem and the workbook sheet), typed [`Column`]s, and a function that emits each row's
//! cells into a [`Cells`] sink. The CSV writer ([`CsvOut`], in either
//! [`Dialect`]) and the workbook writer ([`super::xlsx`]) are such sinks, so a command
//! that describes its results as tables gets `--csv-dialect` and `--xlsx` for free
//! (see [`super::outputs::write_tables`]).

pub use crate::write::cells::{Cells, CellsDyn, Dialect};
use crate::write::CsvOut;

/// What a column holds; decides the workbook's number format (CSV writes every number
/// as a plain decimal).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    /// Names and words.
    Text,
    /// Amounts of a mineral (thousands separators, three decimals).
    Quantity,
    /// Fractions of demand (shown as percentages).
    Share,
    /// Money (thousands separators, two decimals).
    Cost,
    /// Whole numbers.
    Count,
    /// `true` / `false`.
    Bool,
    /// Any other number (indices, bounds, probabilities): shown as is.
    Number,
}

/// A column: its header and its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    /// Header text (lower case, as in the CSV files).
    pub name: &'static str,
    /// What its cells hold.
    pub kind: ColumnKind,
}

impl Column {
    /// A column named `name` of `kind`.
    pub const fn new(name: &'static str, kind: ColumnKind) -> Self {
        Column { name, kind }
    }
}

/// Emits row `k` of a table into a sink.
type RowFn<'a> = dyn Fn(usize, &mut dyn CellsDyn) + Sync + 'a;

/// A result table: name, columns and rows (emitted on demand, so a table over a
/// million allocation rows costs no copy of them).
pub struct Table<'a> {
    /// File stem and sheet name, e.g. `allocation` (→ `allocation.csv`).
    pub name: &'static str,
    /// The columns, in order.
    pub columns: Vec<Column>,
    /// Number of data rows.
    pub len: usize,
    row: Box<RowFn<'a>>,
}

impl std::fmt::Debug for Table<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Table")
            .field("name", &self.name)
            .field("columns", &self.columns)
            .field("len", &self.len)
            .finish_non_exhaustive()
    }
}

impl<'a> Table<'a> {
    /// A table of `len` rows, row `k` emitted by `row(k, sink)` (which must end the row).
    pub fn new(
        name: &'static str,
        columns: &[Column],
        len: usize,
        row: impl Fn(usize, &mut dyn CellsDyn) + Sync + 'a,
    ) -> Self {
        Table {
            name,
            columns: columns.to_vec(),
            len,
            row: Box::new(row),
        }
    }

    /// A table with one row per item of `items`.
    pub fn from_rows<T: Sync>(
        name: &'static str,
        columns: &[Column],
        items: &'a [T],
        row: impl Fn(&mut dyn CellsDyn, &T) + Sync + 'a,
    ) -> Self {
        Table::new(name, columns, items.len(), move |k, c| row(c, &items[k]))
    }

    /// Emits row `k` into `sink`.
    pub fn emit(&self, k: usize, sink: &mut dyn CellsDyn) {
        (self.row)(k, sink);
    }

    /// The header names.
    pub fn header(&self) -> Vec<&'static str> {
        self.columns.iter().map(|c| c.name).collect()
    }

    /// The CSV file name, e.g. `allocation.csv`.
    pub fn file_name(&self) -> String {
        format!("{}.csv", self.name)
    }

    /// The whole table as CSV bytes in `dialect` (rows formatted in parallel chunks when
    /// there are many).
    pub fn to_csv(&self, dialect: Dialect) -> Vec<u8> {
        let mut out = CsvOut::with_dialect(&self.header(), dialect);
        let index: Vec<usize> = (0..self.len).collect();
        out.rows(&index, |c, &k| self.emit(k, c));
        out.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_writes_both_dialects() {
        let items = [("a;b", 1234.5, true), ("c,d", 0.25, false)];
        let cols = [
            Column::new("name", ColumnKind::Text),
            Column::new("value", ColumnKind::Number),
            Column::new("ok", ColumnKind::Bool),
        ];
        let t = Table::from_rows("t", &cols, &items, |c, r| {
            c.text(r.0).num(r.1).flag(r.2).end();
        });
        assert_eq!(
            String::from_utf8(t.to_csv(Dialect::Rfc4180)).unwrap(),
            "name,value,ok\na;b,1234.5,true\n\"c,d\",0.25,false\n"
        );
        assert_eq!(
            String::from_utf8(t.to_csv(Dialect::ExcelEu)).unwrap(),
            "name;value;ok\n\"a;b\";1234,5;true\nc,d;0,25;false\n"
        );
    }
}
