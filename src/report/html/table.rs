//! Result tables in the page, cell for cell as the CSV file writes them: each table is
//! formatted by the CSV writer (RFC 4180) and read back, so page and file agree digit
//! for digit.

use super::escape::{escape, id_part};
use crate::report::table::{Dialect, Table};

/// The header and the rows of `table`, each cell as its CSV file holds it.
pub fn cells(table: &Table<'_>) -> (Vec<String>, Vec<Vec<String>>) {
    let bytes = table.to_csv(Dialect::Rfc4180);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(bytes.as_slice());
    let header = reader
        .headers()
        .map(|h| h.iter().map(str::to_string).collect())
        .unwrap_or_default();
    let rows = reader
        .records()
        .filter_map(|r| r.ok())
        .map(|r| r.iter().map(str::to_string).collect())
        .collect();
    (header, rows)
}

/// `table` as an HTML table with id `t-NAME`; each cell carries
/// `data-cell="NAME:ROW:COLUMN"` (ROW from 0) so a reader can find any number.
pub fn html(table: &Table<'_>) -> String {
    let (header, rows) = cells(table);
    html_of(table.name, &header, rows.iter().map(|r| r.as_slice()))
}

/// Rows of a table (as from [`cells`]) named `name` as HTML.
pub fn html_of<'r>(
    name: &str,
    header: &[String],
    rows: impl Iterator<Item = &'r [String]>,
) -> String {
    let mut out = format!("<table id=\"t-{}\"><thead><tr>", id_part(name));
    for h in header {
        out.push_str(&format!("<th>{}</th>", escape(h)));
    }
    out.push_str("</tr></thead><tbody>\n");
    for (k, row) in rows.enumerate() {
        out.push_str("<tr>");
        for (cell, h) in row.iter().zip(header) {
            out.push_str(&format!(
                "<td data-cell=\"{}:{k}:{}\">{}</td>",
                escape(name),
                escape(h),
                escape(cell)
            ));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::table::{Cells, Column, ColumnKind};

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
}
