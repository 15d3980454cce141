//! The result of `policy` as a file (policy.csv) and as text.

use serde::Serialize;

use super::table::{Cells, Column, ColumnKind, Table};
use super::words;
use crate::analysis::policy_cost::{Family, PolicyCost, PolicyCostRow};

/// What the policy costs, with its words.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PolicyReport {
    /// False when the full policy has no solution (then `rows` is empty and `accounts`
    /// says what must move).
    pub feasible: bool,
    /// The families present, in policy.csv order.
    pub families: Vec<Family>,
    /// policy.csv: per mineral (model order) every case, then `*` with the totals.
    pub rows: Vec<PolicyCostRow>,
    /// For a full policy with no solution: the least relaxation per mineral, in words.
    pub accounts: Vec<String>,
    /// Cases stopped by a time limit (their cost is that of a feasible plan, an upper
    /// bound on the optimum), in words.
    pub warnings: Vec<String>,
}

impl PolicyReport {
    /// The report of `cost`.
    pub fn new(cost: PolicyCost) -> PolicyReport {
        PolicyReport {
            feasible: cost.feasible,
            families: cost.families,
            rows: cost.rows,
            accounts: super::explain::accounts(&cost.relaxations),
            warnings: cost.warnings,
        }
    }
}

/// Name of the file `policy` writes.
pub const POLICY_CSV: &str = "policy.csv";

/// The columns of policy.csv.
pub const POLICY_COLUMNS: &[Column] = &[
    Column::new("mineral", ColumnKind::Text),
    Column::new("case", ColumnKind::Text),
    Column::new("cost", ColumnKind::Cost),
    Column::new("saving", ColumnKind::Cost),
];

/// policy.csv of `report`: `mineral,case,cost,saving`.
pub fn policy_table(report: &PolicyReport) -> Table<'_> {
    Table::from_rows("policy", POLICY_COLUMNS, &report.rows, |c, r| {
        c.text(&r.mineral).text(&r.case).num(r.cost).num(r.saving);
        c.end();
    })
}

/// The totals in words ("the country caps cost 2.1% of the total"), then a table of
/// each case's total cost and saving.
pub fn render_policy(report: &PolicyReport) -> String {
    if !report.feasible {
        let mut out = String::from("the full policy has no solution:\n");
        for a in &report.accounts {
            out.push_str(a);
            out.push('\n');
        }
        return out;
    }
    let totals: Vec<&PolicyCostRow> = report.rows.iter().filter(|r| r.mineral == "*").collect();
    let full = totals
        .iter()
        .find(|r| r.case == "full_policy")
        .map_or(0.0, |r| r.cost);
    let share = |saving: f64| {
        if full > 0.0 {
            format!("{} of the total", words::percent(saving / full))
        } else {
            "nothing".into()
        }
    };
    let mut out = format!(
        "what the policy costs (total cost under the full policy: {}):\n",
        words::amount(full)
    );
    for r in &totals {
        let saving = words::amount(r.saving);
        let line = if r.case == "no_rules" {
            format!(
                "  the policy as a whole costs {} ({saving}; without any rule the optimum is {})",
                share(r.saving),
                words::amount(r.cost)
            )
        } else if let Some(f) = report
            .families
            .iter()
            .find(|f| r.case == format!("without_{}", f.name()))
        {
            let (name, verb) = f.words();
            format!("  {name} {verb} {} ({saving})", share(r.saving))
        } else {
            continue;
        };
        out.push_str(&line);
        out.push('\n');
    }
    out.push_str("\ncase");
    let width = totals
        .iter()
        .map(|r| r.case.len())
        .max()
        .unwrap_or(4)
        .max(4);
    out.push_str(&" ".repeat(width - 4));
    out.push_str("          cost        saving\n");
    for r in &totals {
        out.push_str(&format!(
            "{:<width$}  {:>12}  {:>12}\n",
            r.case,
            words::amount(r.cost),
            words::amount(r.saving)
        ));
    }
    out.push_str("(savings of the families need not add up to the whole: rules interact)\n");
    out
}
