//! The least relaxation of a mineral with no solution as typed rows with their ids: what
//! `explain` writes to explain.csv and `solve`, `policy` and `frontier` put in words.

use serde::Serialize;

use crate::model::name::Name;
use crate::model::Target;
use crate::policy::rows::RowInstance;
use crate::policy::Kind;
use crate::solve::diagnose::Relaxation;
use crate::Model;

/// One row that must move for an infeasible mineral (the `explain` rows).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RelaxationRow {
    /// Rule name, or `demand`.
    pub constraint: &'static str,
    /// The rule; `None` for the demand.
    #[serde(skip)]
    pub kind: Option<Kind>,
    /// Mineral name.
    pub mineral: Name,
    /// Target, or empty.
    pub target: Name,
    /// Bound as given (D for the demand).
    pub bound: f64,
    /// Bound that makes the mineral feasible.
    pub relaxed_bound: f64,
    /// Line in constraints.csv or demand.csv.
    pub line: u64,
    /// The row's stage as written in reports ("" at the shipping country and for the
    /// demand); the words name it, explain.csv does not.
    #[serde(skip)]
    pub stage: Name,
}

impl RelaxationRow {
    /// The row's part of the total relaxation size (SPEC §3): |bound change|, or
    /// shortfall / D for the demand.
    pub fn size(&self) -> f64 {
        let change = (self.relaxed_bound - self.bound).abs();
        match self.kind {
            None => change / self.bound,
            Some(_) => change,
        }
    }
}

/// The relaxation rows of one mineral with no solution, for its account in words.
#[derive(Debug, Clone, PartialEq)]
pub struct MineralRelaxation {
    /// Mineral name.
    pub mineral: Name,
    /// The rows that must move (empty when the least relaxation could not be found).
    pub rows: Vec<RelaxationRow>,
}

/// The explain.csv rows of mineral `m`'s `relaxations` (`instances`: the mineral's policy
/// rows as expanded, which the relaxations index). A row with a `*` target moves as one
/// bound and keeps `*` as its target.
pub fn relaxation_rows(
    model: &Model,
    m: usize,
    relaxations: &[Relaxation],
    instances: &[RowInstance],
) -> Vec<RelaxationRow> {
    let mineral = &model.minerals[m];
    relaxations
        .iter()
        .map(|r| match r.instance {
            None => RelaxationRow {
                constraint: "demand",
                kind: None,
                mineral: mineral.name.clone(),
                target: Name::default(),
                bound: r.bound,
                relaxed_bound: r.relaxed_bound,
                line: mineral.line,
                stage: Name::default(),
            },
            Some(k) => {
                let inst = &instances[k];
                let row = &model.policy[inst.policy];
                RelaxationRow {
                    constraint: inst.kind.name(),
                    kind: Some(inst.kind),
                    mineral: mineral.name.clone(),
                    target: if row.target == Target::Each {
                        Name::from("*")
                    } else {
                        inst.target_name(model)
                    },
                    bound: r.bound,
                    relaxed_bound: r.relaxed_bound,
                    line: row.line,
                    stage: Name::from(model.stages.label(inst.stage)),
                }
            }
        })
        .collect()
}
