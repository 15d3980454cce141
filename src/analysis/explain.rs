//! `explain`: for a model with no solution, the relaxation of least total size that
//! gives it one (SPEC §3), per mineral, as explain.csv and in words. The elastic
//! program is `solve::diagnose::least_relaxation`, the same one `solve` runs on an
//! infeasible mineral. The result is typed ([`Explanation`]); the file and the words
//! (the same ones `solve` prints) are in [`crate::report`].

use crate::error::{Error, Result};
use crate::model::Model;
use crate::plan::{relaxation_rows, MineralRelaxation, RelaxationRow};
use crate::solve::{solve, SolveOptions, Status};

/// Options of `explain`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ExplainOptions {
    /// How the model is solved (solver, MIP gap, threads) and the wall-clock limit of the
    /// whole run, which the diagnosis of each infeasible mineral shares.
    pub solve: SolveOptions,
}

/// What `explain` found.
#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    /// True when the model has a solution as it stands (nothing needs to move).
    pub feasible: bool,
    /// The least total relaxation: Σ |bound change| + Σ shortfall / D.
    pub total_size: f64,
    /// Per mineral without a solution (model order), the rows that must move.
    pub minerals: Vec<MineralRelaxation>,
}

impl Explanation {
    /// The rows that must move (explain.csv), by mineral.
    pub fn relaxations(&self) -> impl Iterator<Item = &RelaxationRow> {
        self.minerals.iter().flat_map(|m| &m.rows)
    }
}

/// Finds the least relaxation of every mineral of `model` without a solution. The model
/// is solved as `solve` would (minerals in parallel); each mineral found infeasible has
/// been diagnosed by `solve::diagnose::least_relaxation` on the way. A mineral whose
/// solve or diagnosis fails is an error naming it (exit 4).
///
/// Bundles and lot discounts do not enter the diagnosis: their binaries only ever add
/// lower bounds on purchases (all of them at 0 is the model without them), so a model
/// has a plan exactly when it has one without them, and the least relaxation over every
/// choice of bundles and discounts is the one with none taken: the blocks' own, which
/// `solve` diagnoses.
pub fn explain(model: &Model, opts: &ExplainOptions) -> Result<Explanation> {
    let solution = solve(model, &opts.solve)?;
    let mut found = Explanation {
        feasible: true,
        total_size: 0.0,
        minerals: Vec::new(),
    };
    for ms in &solution.minerals {
        let name = &model.minerals[ms.mineral].name;
        match &ms.status {
            Status::Optimal | Status::Feasible => continue,
            Status::Infeasible if !ms.relaxations.is_empty() => {}
            Status::Infeasible => {
                return Err(Error::Solver(format!(
                    "{name} has no solution, and the least relaxation that would give it one could not be computed (the solver stopped or failed)"
                )))
            }
            Status::LimitNoSolution { limit } => {
                return Err(Error::Solver(format!("{name}: the solver stopped ({limit})")))
            }
            Status::Failed { message, .. } => {
                return Err(Error::Solver(format!("{name}: {message}")))
            }
        }
        let rows = relaxation_rows(model, ms.mineral, &ms.relaxations, &ms.instances);
        found.feasible = false;
        found.total_size += rows.iter().map(RelaxationRow::size).sum::<f64>();
        found.minerals.push(MineralRelaxation {
            mineral: name.clone(),
            rows,
        });
    }
    Ok(found)
}
