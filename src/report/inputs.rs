//! The `inputs` sheet of a results workbook: the demand and the policy the results were
//! computed for, so a workbook sent on says what it answers.

use super::table::{Cells, Column, ColumnKind, Table};
use crate::input::files;
use crate::model::{MineralScope, Model, Target};

/// The columns of the inputs sheet.
pub const INPUTS_COLUMNS: &[Column] = &[
    Column::new("item", ColumnKind::Text),
    Column::new("mineral", ColumnKind::Text),
    Column::new("target", ColumnKind::Text),
    Column::new("value", ColumnKind::Number),
    Column::new("unmet_penalty", ColumnKind::Cost),
    Column::new("source", ColumnKind::Text),
];

/// One row per mineral's demand (`item` = `demand`, `value` = quantity), then one per
/// policy row (`item` = the rule, `value` = its bound), each with the file and line it
/// came from.
pub fn inputs_table(model: &Model) -> Table<'_> {
    let demand = model.minerals.len();
    Table::new(
        "inputs",
        INPUTS_COLUMNS,
        demand + model.policy.len(),
        move |k, c| {
            if k < demand {
                let m = &model.minerals[k];
                c.text("demand").text(&m.name).text("").num(m.demand);
                c.opt(m.unmet_penalty);
                c.text(&format!("{}:{}", files::DEMAND, m.line)).end();
                return;
            }
            let p = &model.policy[k - demand];
            let mineral = match p.mineral {
                MineralScope::Each => "*",
                MineralScope::One(m) => model.minerals[m].name.as_str(),
            };
            c.text(p.kind.name()).text(mineral);
            c.text(&target_name(model, &p.target)).num(p.bound).text("");
            c.text(&format!("{}:{}", files::CONSTRAINTS, p.line)).end();
        },
    )
}

/// A policy target as constraints.csv names it.
fn target_name(model: &Model, target: &Target) -> String {
    match target {
        Target::None => String::new(),
        Target::Each => "*".into(),
        Target::Country(c) => model.countries[*c].code.to_string(),
        Target::Supplier(s) => s.name.to_string(),
        Target::Group(g) => model.groups[*g].to_string(),
        Target::Top(k) => k.to_string(),
    }
}
