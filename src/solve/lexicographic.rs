//! `solve --by-priority`: the violations of soft rows are minimized tier by tier
//! (priority 1 first). Each tier's least total weighted violation (Σ weight · points over
//! its rows' instances, weight = the row's penalty or 1) is found with every cost set to
//! zero, then held by a row Σ weight · v ≤ least, and the next tier is minimized; the
//! block's own objective (cost plus penalties) is optimized last, by the caller.
//!
//! Minerals joined by bundles or lot discounts are decided by one MILP
//! ([`super::coupled`]): there the tiers are the sums over the group's blocks, minimized
//! and held the same way. Each block restricted to the MILP's decisions then holds its
//! own tiers: with the decisions fixed the blocks are independent, so each block's least
//! violation is its part of the joint one, tier after tier.

use std::collections::BTreeMap;

use crate::engine::lp::{Lp, RowTag, Sense};
use crate::engine::{BackendOptions, LpResult, LpStatus, SolverKind};
use crate::formulate::Block;
use crate::model::Model;

use super::optimize::{optimize, Optimized};
use super::Deadline;

/// Room left above a tier's least violation when it is held (relative, and absolute in
/// points), so the next solves stay feasible despite the solver's accuracy.
const TIER_ROOM: f64 = 1e-11;

/// [`TIER_ROOM`] for a block with HHI caps: a tier held at the least HHI a block can
/// reach leaves a single point, which an interior-point cone solve cannot settle.
const TIER_ROOM_HHI: f64 = 1e-7;

/// The (violation variable, weight) of each tier of `block`, most important first;
/// empty unless the run is `--by-priority` and the block has rows with a priority.
pub(super) fn tiers(model: &Model, block: &Block) -> BTreeMap<u32, Vec<(usize, f64)>> {
    let mut tiers: BTreeMap<u32, Vec<(usize, f64)>> = BTreeMap::new();
    for e in &block.elastic {
        let soft = &model.policy[block.instances[e.instance].policy].soft;
        if let (true, Some(p)) = (soft.by_priority, soft.priority) {
            tiers
                .entry(p)
                .or_default()
                .push((e.var, soft.tier_weight()));
        }
    }
    tiers
}

/// Minimizes each tier's violation in turn and adds the row that holds it to the
/// block; returns the failed result when a tier solve ends without an optimum (the
/// block then has no plan), `None` when every tier is held.
pub(super) fn hold_tiers(
    model: &Model,
    block: &mut Block,
    kind: SolverKind,
    backend: &mut BackendOptions,
    deadline: Deadline,
) -> Option<Optimized> {
    let tiers = tiers(model, block);
    if tiers.is_empty() {
        return None;
    }
    let costs: Vec<f64> = block.lp.vars.iter().map(|v| v.cost).collect();
    let duals = std::mem::replace(&mut backend.duals, false);
    let mut failed = None;
    for terms in tiers.values() {
        for v in &mut block.lp.vars {
            v.cost = 0.0;
        }
        for &(var, w) in terms {
            block.lp.vars[var].cost = w;
        }
        let run = optimize(block, kind, backend, deadline);
        if !matches!(run.result.status, LpStatus::Optimal | LpStatus::Feasible) {
            failed = Some(run);
            break;
        }
        let least = least_violation(terms, &run.result);
        let room = match block.concentration {
            Some(_) => TIER_ROOM_HHI,
            None => TIER_ROOM,
        } * least.max(1.0);
        block
            .lp
            .add_row(RowTag::Other, terms.clone(), Sense::Le, least + room);
    }
    for (v, c) in block.lp.vars.iter_mut().zip(costs) {
        v.cost = c;
    }
    backend.duals = duals;
    failed
}

/// Σ weight · violation of a tier at `result`'s point (never below 0).
fn least_violation(terms: &[(usize, f64)], result: &LpResult) -> f64 {
    terms
        .iter()
        .map(|&(v, w)| w * result.x[v])
        .sum::<f64>()
        .max(0.0)
}

/// The tiers of a group of joined minerals in their stacked problem (block `group[g]`'s
/// variables start at `offsets[g]`), most important first: each tier's terms over every
/// block of the group. Empty unless the run is `--by-priority` with a row with a priority.
pub(super) fn joint_tiers(
    model: &Model,
    blocks: &[(Block, f64)],
    group: &[usize],
    offsets: &[usize],
) -> Vec<Vec<(usize, f64)>> {
    let mut joint: BTreeMap<u32, Vec<(usize, f64)>> = BTreeMap::new();
    for (&m, &at) in group.iter().zip(offsets) {
        for (p, terms) in tiers(model, &blocks[m].0) {
            let terms = terms.into_iter().map(|(v, w)| (v + at, w));
            joint.entry(p).or_default().extend(terms);
        }
    }
    joint.into_values().collect()
}

/// Minimizes each of `tiers` in turn on `lp` (every cost zero but the tier's weights,
/// solved by `solve`) and adds the row that holds it; the costs are restored after.
/// Returns each tier's point, or `None` when a tier solve ends without one. `hhi`: the
/// problem has HHI caps (met by cuts), which need more room.
pub(super) fn hold_joint_tiers(
    lp: &mut Lp,
    tiers: &[Vec<(usize, f64)>],
    hhi: bool,
    solve: impl Fn(&Lp) -> LpResult,
) -> Option<Vec<Vec<f64>>> {
    let costs: Vec<f64> = lp.vars.iter().map(|v| v.cost).collect();
    let mut points = Vec::new();
    for terms in tiers {
        for v in &mut lp.vars {
            v.cost = 0.0;
        }
        for &(var, w) in terms {
            lp.vars[var].cost += w;
        }
        let run = solve(lp);
        if !matches!(run.status, LpStatus::Optimal | LpStatus::Feasible) {
            return None;
        }
        let least = least_violation(terms, &run);
        let room = if hhi { TIER_ROOM_HHI } else { TIER_ROOM } * least.max(1.0);
        lp.add_row(RowTag::Other, terms.clone(), Sense::Le, least + room);
        points.push(run.x);
    }
    for (v, c) in lp.vars.iter_mut().zip(costs) {
        v.cost = c;
    }
    Some(points)
}

/// The block's own objective under the tiers [`hold_tiers`] held (its rows from
/// `held_from` on): optimized, and when that finds no point with the tiers held at
/// [`TIER_ROOM`] (an interior point's least may sit below the vertex's by more), once
/// more with [`TIER_ROOM_HHI`] of room. A block without held tiers is optimized as is.
pub(super) fn optimize_held(
    block: &mut Block,
    kind: SolverKind,
    backend: &mut BackendOptions,
    deadline: Deadline,
    held_from: usize,
) -> Optimized {
    let run = optimize(block, kind, backend, deadline);
    let tight = block.concentration.is_none() && block.lp.rows.len() > held_from;
    if run.result.status != LpStatus::Infeasible || !tight {
        return run;
    }
    for row in &mut block.lp.rows[held_from..] {
        row.rhs += TIER_ROOM_HHI * row.rhs.max(1.0);
    }
    optimize(block, kind, backend, deadline)
}
