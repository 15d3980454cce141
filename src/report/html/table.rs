//! Result tables in the page, cell for cell as the CSV file writes them: each table's
//! rows go through a [`Cells`] sink that keeps every cell as the RFC 4180 file holds it
//! (numbers by the CSV writer's own `plain`), so page and file agree digit for digit.

use super::escape::{escape, id_part};
use crate::report::table::{Cells, Table};
use crate::write::numbers::plain;

/// The header and the rows of `table`, each cell as its CSV file holds it.
pub fn cells(table: &Table<'_>) -> (Vec<String>, Vec<Vec<String>>) {
    let mut sink = TextCells::default();
    for k in 0..table.len {
        table.emit(k, &mut sink);
    }
    let header = table.header().into_iter().map(String::from).collect();
    (header, sink.rows)
}

/// Rows of cells as text, as an RFC 4180 CSV file holds them (unquoted).
#[derive(Default)]
struct TextCells {
    row: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Cells for TextCells {
    fn text(&mut self, s: &str) -> &mut Self {
        self.row.push(s.to_string());
        self
    }
    fn num(&mut self, v: f64) -> &mut Self {
        self.row.push(plain(v));
        self
    }
    fn count(&mut self, n: usize) -> &mut Self {
        self.row.push(n.to_string());
        self
    }
    fn decimal(&mut self, digits: &str, _v: f64) -> &mut Self {
        self.row.push(digits.to_string());
        self
    }
    fn flag(&mut self, b: bool) -> &mut Self {
        self.text(if b { "true" } else { "false" })
    }
    fn end(&mut self) {
        self.rows.push(std::mem::take(&mut self.row));
    }
}

/// `table` as an HTML table with id `t-NAME`; each cell carries
/// `data-cell="NAME:ROW:COLUMN"` (ROW from 0) so a reader can find any number.
pub fn html(table: &Table<'_>) -> String {
    let (header, rows) = cells(table);
    html_of(table.name, &header, rows.iter().map(|r| r.as_slice()))
}

/// Widest table laid out with a column per field; a wider one with few rows is turned
/// (a row per field, a column per record), so it fits the width of an A4 page.
const WIDEST: usize = 7;
/// Most records of a table that is turned.
const TURNED_RECORDS: usize = 8;

/// Rows of a table (as from [`cells`]) named `name` as HTML: a row per record, or (wide
/// with few records) a row per field. Either way each cell carries its `data-cell`.
pub fn html_of<'r>(
    name: &str,
    header: &[String],
    rows: impl Iterator<Item = &'r [String]>,
) -> String {
    let rows: Vec<&[String]> = rows.collect();
    let turned = header.len() > WIDEST && rows.len() <= TURNED_RECORDS;
    let mut out = format!("<table id=\"t-{}\">", id_part(name));
    if turned {
        out.push_str("<tbody>\n");
        for (c, h) in header.iter().enumerate() {
            out.push_str(&format!("<tr><th>{}</th>", escape(h)));
            for (k, row) in rows.iter().enumerate() {
                out.push_str(&td(name, k, h, row.get(c).map_or("", |v| v)));
            }
            out.push_str("</tr>\n");
        }
    } else {
        out.push_str("<thead><tr>");
        for h in header {
            out.push_str(&format!("<th>{}</th>", escape(h)));
        }
        out.push_str("</tr></thead><tbody>\n");
        for (k, row) in rows.iter().enumerate() {
            out.push_str("<tr>");
            for (cell, h) in row.iter().zip(header) {
                out.push_str(&td(name, k, h, cell));
            }
            out.push_str("</tr>\n");
        }
    }
    out.push_str("</tbody></table>\n");
    out
}

/// One cell: row `k`, column `column` of table `name`.
fn td(name: &str, k: usize, column: &str, cell: &str) -> String {
    format!(
        "<td data-cell=\"{}:{k}:{}\">{}</td>",
        escape(name),
        escape(column),
        escape(cell)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::table::{Column, ColumnKind, Dialect};

    #[test]
    fn cells_are_the_csv_cells_escaped() {
        let items = [("<b>&co", 0.1 + 0.2), ("x,y", 1e21)];
        let cols = [
            Column::new("name", ColumnKind::Text),
            Column::new("value", ColumnKind::Number),
        ];
        let t = Table::from_rows("t", &cols, &items, |c, r| {
            c.text(r.0).num(r.1).end();
        });
        let page = html(&t);
        assert!(page.contains("<td data-cell=\"t:0:name\">&lt;b&gt;&amp;co</td>"));
        // The CSV writes 0.1 + 0.2 with its shortest round-trip digits.
        let csv = String::from_utf8(t.to_csv(Dialect::Rfc4180)).unwrap();
        let written = csv.lines().nth(1).unwrap().rsplit(',').next().unwrap();
        assert!(page.contains(&format!("<td data-cell=\"t:0:value\">{written}</td>")));
        assert!(page.contains("<td data-cell=\"t:1:name\">x,y</td>"));
    }

    #[test]
    fn a_wide_table_of_few_records_is_turned() {
        let cols: Vec<Column> = ["a", "b", "c", "d", "e", "f", "g", "h"]
            .iter()
            .map(|&n| Column::new(n, ColumnKind::Number))
            .collect();
        let t = Table::new("w", &cols, 2, |k, c| {
            for j in 0..8 {
                c.num((10 * k + j) as f64);
            }
            c.end();
        });
        let page = html(&t);
        // A row per field: field h holds record 0's 7 and record 1's 17.
        assert!(page.contains(
            "<tr><th>h</th><td data-cell=\"w:0:h\">7</td><td data-cell=\"w:1:h\">17</td></tr>"
        ));
        assert!(!page.contains("<thead>"));
    }
}
