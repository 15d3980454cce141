//! The result of `compare` as a file (compare.csv) and as text.

use super::table::{Cells, Column, ColumnKind, Table};
use super::text::{pct, short, table};
use crate::analysis::compare::{CompareRow, Comparison};

/// Name of the file `compare` writes.
pub const COMPARE_CSV: &str = "compare.csv";

/// The columns of compare.csv.
pub const COMPARE_COLUMNS: &[Column] = &[
    Column::new("case", ColumnKind::Text),
    Column::new("mineral", ColumnKind::Text),
    Column::new("status", ColumnKind::Text),
    Column::new("cost", ColumnKind::Cost),
    Column::new("saving", ColumnKind::Cost),
    Column::new("saving_share", ColumnKind::Share),
    Column::new("suppliers", ColumnKind::Count),
    Column::new("countries", ColumnKind::Count),
    Column::new("top_country", ColumnKind::Text),
    Column::new("top_country_share", ColumnKind::Share),
    Column::new("hhi", ColumnKind::Number),
    Column::new("avg_risk", ColumnKind::Number),
    Column::new("expected_cost", ColumnKind::Cost),
    Column::new("cvar_cost", ColumnKind::Cost),
    Column::new("binding_rules", ColumnKind::Text),
    Column::new("broken_rules", ColumnKind::Text),
];

/// The columns of compare.csv when some case has a soft rule: `penalties` after `cost`.
pub const COMPARE_SOFT_COLUMNS: &[Column] = &[
    COMPARE_COLUMNS[0],
    COMPARE_COLUMNS[1],
    COMPARE_COLUMNS[2],
    COMPARE_COLUMNS[3],
    Column::new("penalties", ColumnKind::Cost),
    COMPARE_COLUMNS[4],
    COMPARE_COLUMNS[5],
    COMPARE_COLUMNS[6],
    COMPARE_COLUMNS[7],
    COMPARE_COLUMNS[8],
    COMPARE_COLUMNS[9],
    COMPARE_COLUMNS[10],
    COMPARE_COLUMNS[11],
    COMPARE_COLUMNS[12],
    COMPARE_COLUMNS[13],
    COMPARE_COLUMNS[14],
    COMPARE_COLUMNS[15],
];

/// compare.csv of `comparison`: one row per case and mineral, then the case's `*` row.
pub fn compare_table(comparison: &Comparison) -> Table<'_> {
    let columns = match comparison.soft {
        true => COMPARE_SOFT_COLUMNS,
        false => COMPARE_COLUMNS,
    };
    let soft = comparison.soft;
    Table::from_rows("compare", columns, &comparison.rows, move |c, r| {
        let count = |c: &mut dyn super::CellsDyn, n: Option<usize>| match n {
            Some(n) => {
                c.count(n);
            }
            None => {
                c.text("");
            }
        };
        c.text(&r.case)
            .text(&r.mineral)
            .text(r.status.name())
            .opt(r.cost);
        if soft {
            c.opt(r.penalties);
        }
        c.opt(r.saving).opt(r.saving_share);
        count(c, r.suppliers);
        count(c, r.countries);
        c.text(r.top_country.as_deref().unwrap_or(""))
            .opt(r.top_country_share)
            .opt(r.hhi)
            .opt(r.avg_risk)
            .opt(r.expected_cost)
            .opt(r.cvar_cost)
            .text(&r.binding_rules.join("; "))
            .text(&r.broken_rules.join("; "));
        c.end();
    })
}

/// Each case's totals as a table for a person, then each case's binding (or broken)
/// rules per mineral.
pub fn render_compare(comparison: &Comparison) -> String {
    let totals: Vec<&CompareRow> = comparison
        .rows
        .iter()
        .filter(|r| r.mineral == "*")
        .collect();
    let mut header = vec![
        "case",
        "status",
        "cost",
        "saving",
        "saving %",
        "suppliers",
        "countries",
        "top country",
    ];
    if comparison.stressed {
        header.extend(["expected cost", "CVaR"]);
    }
    let mut rows = vec![header.into_iter().map(String::from).collect::<Vec<_>>()];
    let opt = |v: Option<f64>| v.map(short).unwrap_or_default();
    let count = |v: Option<usize>| v.map(|n| n.to_string()).unwrap_or_default();
    for r in &totals {
        let mut row = vec![
            r.case.clone(),
            r.status.name().to_string(),
            opt(r.cost),
            opt(r.saving),
            pct(r.saving_share),
            count(r.suppliers),
            count(r.countries),
            r.top_country
                .as_ref()
                .map(|c| format!("{c} {}", pct(r.top_country_share)))
                .unwrap_or_default(),
        ];
        if comparison.stressed {
            row.extend([opt(r.expected_cost), opt(r.cvar_cost)]);
        }
        rows.push(row);
    }
    let mut out = String::new();
    table(&mut out, &rows, &[0, 1, 7]);
    out.push_str(&format!(
        "(saving: the first case's cost minus the case's; top country: largest part of the purchase spend{}{})\n",
        if comparison.stressed {
            format!("; CVaR at {}", comparison.alpha)
        } else {
            String::new()
        },
        if comparison.soft {
            "; cost includes the penalties of the soft rules each plan breaks"
        } else {
            ""
        }
    ));
    for r in &totals {
        let without: Vec<&str> = comparison
            .rows
            .iter()
            .filter(|m| m.case == r.case && m.mineral != "*" && !m.status.has_plan())
            .map(|m| m.mineral.as_str())
            .collect();
        if !without.is_empty() {
            out.push_str(&format!(
                "\n{} — no plan for {} ({}; `explain` on the edited model says what to relax)\n",
                r.case,
                without.join(", "),
                r.status.name()
            ));
        }
        let (what, rules) = if r.broken_rules.is_empty() {
            ("binds", &r.binding_rules)
        } else {
            ("is broken", &r.broken_rules)
        };
        if rules.is_empty() {
            continue;
        }
        out.push_str(&format!("\n{} — what {what}:\n", r.case));
        for rule in rules {
            out.push_str(&format!("  {rule}\n"));
        }
    }
    out
}
