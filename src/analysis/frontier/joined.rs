//! Frontier points of minerals joined by bundles or lot discounts: each point is the
//! joint MILP `solve` runs (`solve::coupled`), the part of the model those minerals form
//! (`model::parts`) solved whole with the cap at the point's bound. A part none of whose
//! minerals' current plans the bound cuts keeps its current plans (optimal without the
//! row, they obey it). The least feasible bound is the blocks' own: bundles and discounts
//! only add lower bounds on purchases, so every plan without them is still a plan.

use rayon::prelude::*;

use super::{cap_stage, Measure};
use crate::error::{Error, Result};
use crate::model::parts::{part_model, parts};
use crate::model::Model;
use crate::solve::{solve, SolveOptions, Status};

/// The parts (minerals ascending) that bundles or lot discounts touch.
pub(super) fn joined_parts(model: &Model) -> Vec<Vec<usize>> {
    parts(model)
        .into_iter()
        .filter(|p| !part_model(model, p).coupling.is_empty())
        .collect()
}

/// Per joined part, per point index it re-solves: each of its minerals' (cost, measure).
pub(super) type JoinedPoints = Vec<(usize, Vec<(f64, f64)>)>;

/// Solves each point of `bounds` that cuts a mineral of `part` (per mineral its current
/// measure in `current`), the cap of `extended` (policy row `cap_policy`) at the bound.
pub(super) fn solve_part(
    extended: &Model,
    part: &[usize],
    cap_policy: usize,
    bounds: &[f64],
    current: &[f64],
    opts: &SolveOptions,
    tick: &(dyn Fn() + Sync),
) -> Result<JoinedPoints> {
    let cut: Vec<(usize, f64)> = bounds
        .iter()
        .copied()
        .enumerate()
        .filter(|&(_, b)| part.iter().any(|&m| current[m] > b))
        .collect();
    cut.par_iter()
        .map(|&(i, b)| {
            let r = solve_point(extended, part, cap_policy, b, opts);
            tick();
            r.map(|each| (i, each))
        })
        .collect()
}

/// The part solved whole with the cap at `b`: per mineral (cost, measure).
fn solve_point(
    extended: &Model,
    part: &[usize],
    cap_policy: usize,
    b: f64,
    opts: &SolveOptions,
) -> Result<Vec<(f64, f64)>> {
    let mut at = extended.clone();
    at.policy[cap_policy].bound = b;
    let model = part_model(&at, part);
    let solution = solve(&model, opts)?;
    let kind = at.policy[cap_policy].kind;
    let measure = Measure::from_kind(kind).expect("the frontier moves a measure cap");
    let stage = cap_stage(&at, cap_policy);
    solution
        .minerals
        .iter()
        .map(|ms| {
            if ms.status != Status::Optimal {
                return Err(Error::Solver(format!(
                    "{}: the solve with {} ≤ {b} (with its bundles and lot discounts) ended {}; the frontier is not written",
                    model.minerals[ms.mineral].name,
                    kind.name(),
                    ms.status.name()
                )));
            }
            let value = measure.of_plan_at(&model, stage, ms.mineral, &ms.quantities);
            Ok((ms.cost, value))
        })
        .collect()
}
