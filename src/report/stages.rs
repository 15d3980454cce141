//! stages.csv: for each mineral with a plan and each level of its chain (the shipping
//! country, then every stage of suppliers.csv's `origin_<stage>` columns), the country
//! with the largest share q_sc / D, that share, the HHI Σ_c (q_sc / D)² and the top-3
//! share (the IEA's concentration measure); written only for models with stages.

use serde::Serialize;

use super::table::{Cells, Column, ColumnKind, Table};
use crate::model::name::Name;
use crate::model::Model;
use crate::plan::Plan;
use crate::policy::rows::{hhi, MineralPlan};
use crate::policy::top_sum;

/// The columns of stages.csv.
pub const STAGE_COLUMNS: &[Column] = &[
    Column::new("mineral", ColumnKind::Text),
    Column::new("stage", ColumnKind::Text),
    Column::new("top_country", ColumnKind::Text),
    Column::new("top_country_share", ColumnKind::Share),
    Column::new("hhi", ColumnKind::Number),
    Column::new("top3_share", ColumnKind::Share),
];

/// One row of stages.csv.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageRow {
    /// Mineral name.
    pub mineral: Name,
    /// Stage name ("" for the shipping country).
    pub stage: Name,
    /// The country with the largest quantity at the stage ("" when nothing is bought).
    pub top_country: Name,
    /// Its share of demand.
    pub top_country_share: f64,
    /// Σ_c (q_sc / D)².
    pub hhi: f64,
    /// The three largest shares together.
    pub top3_share: f64,
}

/// The rows of each mineral of `plan` with a plan, shipping country first, then the
/// stages in chain order.
pub fn stage_rows(model: &Model, plan: &Plan) -> Vec<StageRow> {
    let mut out = Vec::new();
    for mo in plan.minerals.iter().filter(|mo| mo.has_plan()) {
        let m = mo.mineral;
        let mineral = &model.minerals[m];
        let plan = MineralPlan {
            model,
            mineral: m,
            quantities: &mo.quantities,
        };
        let d = mineral.demand;
        for stage in std::iter::once(None).chain((0..model.stages.names.len()).map(Some)) {
            let by_country = plan.by_country_at(stage);
            // The first of the largest, in country-code order.
            let top = (0..by_country.len()).filter(|&c| by_country[c] > 0.0).fold(
                None,
                |best: Option<usize>, c| match best {
                    Some(b) if by_country[b] >= by_country[c] => Some(b),
                    _ => Some(c),
                },
            );
            out.push(StageRow {
                mineral: mineral.name.clone(),
                stage: Name::from(model.stages.label(stage)),
                top_country: top
                    .map(|c| model.countries[c].code.clone())
                    .unwrap_or_default(),
                top_country_share: top.map_or(0.0, |c| by_country[c] / d),
                hhi: hhi(&by_country, d),
                top3_share: top_sum(&by_country, 3) / d,
            });
        }
    }
    out
}

/// stages.csv as a [`Table`].
pub fn stages_table(rows: &[StageRow]) -> Table<'_> {
    Table::from_rows("stages", STAGE_COLUMNS, rows, |c, r| {
        c.text(&r.mineral).text(&r.stage).text(&r.top_country);
        c.num(r.top_country_share).num(r.hhi).num(r.top3_share);
        c.end();
    })
}

/// The rows in words, one line each: "rare_earths at refine: CHN 65.0%, HHI 0.5450, top 3
/// 100.0%".
pub fn stage_lines(rows: &[StageRow]) -> String {
    let mut out =
        String::from("by stage (the country with the largest share, HHI, top-3 share):\n");
    for r in rows {
        let at = if r.stage.is_empty() {
            "shipping"
        } else {
            &r.stage
        };
        out.push_str(&format!(
            "  {} at {}: {} {:.1}%, HHI {:.4}, top 3 {:.1}%\n",
            r.mineral,
            at,
            if r.top_country.is_empty() {
                "-"
            } else {
                &r.top_country
            },
            r.top_country_share * 100.0,
            r.hhi,
            r.top3_share * 100.0
        ));
    }
    out
}
