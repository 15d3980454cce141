//! Soft rules on a plan: which ones it breaks, by how much, at what penalty, and what
//! keeping each would cost (the model solved again with that row hard).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::name::Name;
use crate::model::Model;
use crate::plan::{violation_points, Plan, RowOutcome};
use crate::solve::{solve, MineralSolution, Solution, SolveOptions};

/// One soft row instance the plan breaks.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SoftBreak {
    /// Rule name.
    pub constraint: &'static str,
    /// The rule.
    #[serde(skip)]
    pub kind: crate::policy::Kind,
    /// Mineral name.
    pub mineral: Name,
    /// Target as written in constraints.csv's output.
    pub target: Name,
    /// The bound.
    pub bound: f64,
    /// Line in constraints.csv.
    pub line: u64,
    /// Points past the bound.
    pub violation: f64,
    /// violation · penalty.
    pub violation_cost: f64,
    /// The row's priority, if any.
    pub priority: Option<u32>,
    /// What keeping the row hard for this mineral (every instance it has there) adds to
    /// the mineral's cost plus penalties; `None` when it was not computed
    /// (`--by-priority`) or cannot be kept.
    pub keep_cost: Option<f64>,
    /// True when no plan keeps the row hard (the model is then infeasible).
    pub cannot_keep: bool,
}

/// Marks every row of `model` for `--by-priority`: rows with a priority may give way.
pub fn by_priority(model: &mut Model) {
    for row in &mut model.policy {
        row.soft.by_priority = true;
    }
}

/// Cost plus penalties of a solution of `model`.
pub(crate) fn objective(model: &Model, solution: &Solution) -> f64 {
    solution.cost()
        + solution
            .minerals
            .iter()
            .map(|m| penalties(model, m))
            .sum::<f64>()
}

/// The penalties of the soft rows a mineral's plan breaks (0 without a plan).
pub(crate) fn penalties(model: &Model, ms: &MineralSolution) -> f64 {
    ms.rows
        .iter()
        .map(|r| {
            let soft = &model.policy[r.instance.policy].soft;
            match soft.elastic() {
                true => violation_points(&r.instance, r.value) * soft.cost_per_point(),
                false => 0.0,
            }
        })
        .sum()
}

/// The soft rows `plan` breaks, in constraints.csv's output order, each with what
/// keeping it would cost (one solve of the mineral per broken policy row and mineral;
/// none under `--by-priority`, where a cost difference would mix tiers).
pub fn soft_breaks(
    model: &Model,
    plan: &Plan,
    opts: &SolveOptions,
) -> crate::error::Result<Vec<SoftBreak>> {
    let broken: Vec<(&RowOutcome, f64)> = plan
        .minerals
        .iter()
        .flat_map(|m| &m.rows)
        .filter(|r| model.policy[r.instance.policy].soft.elastic())
        .map(|r| (r, violation_points(&r.instance, r.value)))
        .collect();
    // Each mineral's cost plus penalties.
    let mut now: BTreeMap<usize, f64> = plan.minerals.iter().map(|m| (m.mineral, m.cost)).collect();
    for (r, v) in &broken {
        let p = model.policy[r.instance.policy].soft.cost_per_point();
        *now.entry(r.instance.mineral).or_default() += v * p;
    }
    let mut keep: BTreeMap<(usize, usize), Option<f64>> = BTreeMap::new();
    let mut out = Vec::new();
    for (r, violation) in broken.into_iter().filter(|&(_, v)| v > 0.0) {
        let inst = &r.instance;
        let p = inst.policy;
        let row = &model.policy[p];
        let kept = match opts.by_priority {
            true => None,
            false => Some(match keep.get(&(p, inst.mineral)) {
                Some(k) => *k,
                None => {
                    let m = inst.mineral;
                    let k = keep_cost(model, p, m, opts, &now)?;
                    keep.insert((p, m), k);
                    k
                }
            }),
        };
        out.push(SoftBreak {
            constraint: inst.kind.name(),
            kind: inst.kind,
            mineral: model.minerals[inst.mineral].name.clone(),
            target: inst.target_name(model),
            bound: inst.bound,
            line: row.line,
            violation,
            violation_cost: violation * row.soft.cost_per_point(),
            priority: row.soft.priority,
            keep_cost: kept.flatten(),
            cannot_keep: kept.is_some_and(|k| k.is_none()),
        });
    }
    Ok(out)
}

/// Mineral `m`'s cost plus penalties with policy row `p` hard, less its cost plus
/// penalties in the plan (`now`, per mineral); `None` when the mineral has no plan then.
/// A mineral joined to others by bundles or lot discounts is solved with them (its part,
/// `model::parts`), and the part's cost is compared: keeping the row may change which
/// bundles pay, and so the other minerals' costs.
fn keep_cost(
    model: &Model,
    p: usize,
    m: usize,
    opts: &SolveOptions,
    now: &BTreeMap<usize, f64>,
) -> crate::error::Result<Option<f64>> {
    let mut hard = model.clone();
    hard.policy[p].soft = crate::model::Soft::default();
    let part = crate::model::parts::parts(model)
        .into_iter()
        .find(|part| part.contains(&m))
        .unwrap_or_else(|| vec![m]);
    let one = crate::model::parts::part_model(&hard, &part);
    let solution = solve(&one, opts)?;
    if solution.status.exit_code() != 0 {
        return Ok(None);
    }
    let before: f64 = part
        .iter()
        .map(|k| now.get(k).copied().unwrap_or(0.0))
        .sum();
    Ok(Some((objective(&one, &solution) - before).max(0.0)))
}
