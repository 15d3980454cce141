//! Minerals joined by bundles or lot discounts (bundles.csv, discounts.csv).
//!
//! The blocks of a group of joined minerals are stacked into one MILP (each block's
//! objective weighted back to currency), with the coupling on top:
//!
//! - a binary w_b per bundle, costing its landed cost less its lines at list price, and
//!   x_i ≥ Σ_b q_bi w_b for each offer in a bundle (a bundle's lines are bought through
//!   the supplier's offers; the offer's price applies to what is bought above them);
//! - per lot discount, a binary u_i per lot (u_i = 1 only when x_i reaches the lot's
//!   threshold), a binary z_t per step (z_t ≤ z_{t−1}, Σ u_i ≥ k_t z_t), and a saving
//!   s_t ≤ C, s_t ≤ M z_t at cost −(d_t − d_{t−1}), where C is the lots' price part
//!   (unit_cost · (1 + tariff)) on the quantity bought above the bundles.
//!
//! Under `solve --by-priority` the tiers of the group's soft rows are minimized and held
//! on the stacked problem first, one by one (as [`super::lexicographic`] does per
//! block), then its cost. HHI caps are met by rounds of tangent cuts on the stacked blocks. The MILP decides
//! the bundles taken, the step each discount reaches and the lots it needs won; each
//! block is then restricted to those decisions (lower bounds, discounted prices) and
//! solved on its own as any block is. The restricted blocks' optima sum to the MILP's:
//! the MILP's point is feasible in each, and any set of their points is feasible in it.

use crate::engine::lp::{Lp, RowTag, Sense};
use crate::engine::{solve_lp, BackendOptions, FailureReason, LpStatus, SolverKind};
use crate::error::{Error, Result};
use crate::formulate::Block;
use crate::model::coupling::{mineral_groups, price_part, LotDiscount};
use crate::model::Model;
use crate::tolerance::{CUT_DEPTH, MAX_CUT_ROUNDS};

use super::lexicographic::{hold_joint_tiers, joint_tiers};
use super::{Deadline, MineralSolution, SolveOptions, Status};

/// Per mineral its decisions (`None` when untouched), and (mineral, warning) pairs.
pub(crate) type Decided = (Vec<Option<MineralCoupling>>, Vec<(usize, String)>);

/// A discount's variables in the joint problem: per lot its binary (none when the offer
/// is excluded), per step its binary.
type DiscountVars = (Vec<Option<usize>>, Vec<usize>);

/// What the coupling decided for one mineral.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MineralCoupling {
    /// Bundles taken (indices into `Coupling::bundles`) with a line in this mineral.
    pub taken: Vec<usize>,
    /// (discount, step) of each discount with a lot in this mineral that reaches a step.
    pub steps: Vec<(usize, usize)>,
    /// Lots of this mineral (indices into `Model::offers`) its discounts need won.
    pub won: Vec<usize>,
    /// True when a limit stopped the joint problem before its optimum was proven (or it
    /// found no plan and the mineral was solved without its bundles and discounts): the
    /// mineral's plan is then feasible, not optimal.
    pub stopped: bool,
}

/// The decisions for every mineral (`None` for those no bundle or discount touches),
/// and (mineral, warning) pairs. Each group of joined minerals is one MILP over
/// `blocks`.
pub(crate) fn decide(
    model: &Model,
    blocks: &mut [(Block, f64)],
    opts: &SolveOptions,
    deadline: Deadline,
) -> Result<Decided> {
    let mut out = vec![None; model.minerals.len()];
    let mut warnings = Vec::new();
    for group in mineral_groups(model) {
        for &m in &group {
            out[m] = Some(MineralCoupling::default());
        }
        if group
            .iter()
            .any(|&m| !blocks[m].0.empty_violations.is_empty())
        {
            continue;
        }
        let kind = opts.solver.backend(true, false);
        if !kind.capabilities().integers {
            return Err(Error::Usage(format!(
                "solver {kind} cannot handle the integer variables that bundles.csv and discounts.csv need; use an integer solver (e.g. --solver microlp)"
            )));
        }
        match solve_group(model, blocks, &group, kind, opts, deadline) {
            Some(x) => record(model, &group, &x, &mut out),
            None => {
                let text = format!(
                    "the joint problem of {} (bundles or lot discounts) found no plan; each mineral was solved without them",
                    names(model, &group)
                );
                warnings.extend(group.iter().map(|&m| (m, text.clone())));
                for &m in &group {
                    out[m].get_or_insert_with(Default::default).stopped = true;
                }
            }
        }
    }
    Ok((out, warnings))
}

fn names(model: &Model, group: &[usize]) -> String {
    let names: Vec<&str> = group
        .iter()
        .map(|&m| model.minerals[m].name.as_str())
        .collect();
    names.join(", ")
}

/// The stacked problem of a group: its blocks, then the coupling variables.
struct Joint {
    lp: Lp,
    /// Per group member: where its block's variables start.
    offsets: Vec<usize>,
    /// Currency per unit of the joint objective.
    scale: f64,
    /// Per bundle: its binary (bundles outside the group: none).
    bundles: Vec<Option<usize>>,
    /// Per discount: per lot its binary (or none when excluded), per step its binary.
    discounts: Vec<Option<DiscountVars>>,
}

/// The optimum of the group's MILP (joint point, and true when proven optimal: false
/// when a limit stopped it), or `None` without one.
fn solve_group(
    model: &Model,
    blocks: &mut [(Block, f64)],
    group: &[usize],
    kind: SolverKind,
    opts: &SolveOptions,
    deadline: Deadline,
) -> Option<(Joint, Vec<f64>, bool)> {
    for _ in 0..=MAX_CUT_ROUNDS {
        let mut joint = stack(model, blocks, group);
        let tiers = joint_tiers(model, blocks, group, &joint.offsets);
        let hhi = group.iter().any(|&m| blocks[m].0.concentration.is_some());
        let solve = |lp: &Lp| {
            let backend = BackendOptions {
                time_limit_secs: deadline.remaining(),
                mip_gap: opts.mip_gap.get(),
                duals: false,
            };
            solve_lp(kind, lp, &backend)
        };
        // Under --by-priority each tier is minimized and held first; cuts come from
        // every point solved, so a held tier is never settled on a loose HHI.
        let mut points = hold_joint_tiers(&mut joint.lp, &tiers, hhi, solve)?;
        let result = solve(&joint.lp);
        if !matches!(result.status, LpStatus::Optimal | LpStatus::Feasible) {
            return None;
        }
        points.push(result.x.clone());
        let mut cuts = 0;
        for x in &points {
            for (g, &m) in group.iter().enumerate() {
                let n = blocks[m].0.lp.vars.len();
                let at = joint.offsets[g];
                cuts += blocks[m].0.add_cuts(&x[at..at + n], CUT_DEPTH);
            }
        }
        if cuts == 0 || deadline.expired() {
            let proven = result.status == LpStatus::Optimal && cuts == 0;
            return Some((joint, result.x, proven));
        }
    }
    None
}

/// The group's blocks side by side with the bundles and discounts on top.
fn stack(model: &Model, blocks: &[(Block, f64)], group: &[usize]) -> Joint {
    let scale = group
        .iter()
        .map(|&m| blocks[m].0.demand * blocks[m].0.cost_scale)
        .fold(f64::MIN_POSITIVE, f64::max);
    let mut lp = Lp::default();
    let mut offsets = Vec::new();
    for &m in group {
        let b = &blocks[m].0;
        let at = lp.vars.len();
        offsets.push(at);
        let weight = b.demand * b.cost_scale / scale;
        for v in &b.lp.vars {
            let mut v = v.clone();
            v.cost *= weight;
            lp.vars.push(v);
        }
        for r in &b.lp.rows {
            let terms = r.terms.iter().map(|&(j, a)| (j + at, a)).collect();
            lp.add_row(r.tag, terms, r.sense, r.rhs);
        }
    }
    // The joint variable and scale of model offer i: (index, demand), when not excluded.
    let starts = offsets.clone();
    let var = |i: usize| -> Option<(usize, f64)> {
        let m = model.offers[i].mineral;
        let g = group.iter().position(|&k| k == m)?;
        let j = i - model.minerals[m].offers.start;
        blocks[m].0.offer_var[j].map(|v| (v + starts[g], blocks[m].0.demand))
    };
    let mut joint = Joint {
        lp,
        offsets,
        scale,
        bundles: Vec::new(),
        discounts: Vec::new(),
    };
    add_bundles(model, &mut joint, &var, group);
    add_discounts(model, &mut joint, &var, group);
    joint
}

/// w_b per bundle of the group, and x_i ≥ Σ q_bi w_b per offer in a bundle.
fn add_bundles(
    model: &Model,
    joint: &mut Joint,
    var: &dyn Fn(usize) -> Option<(usize, f64)>,
    group: &[usize],
) {
    let mut floors: Vec<(usize, Vec<(usize, f64)>)> = Vec::new();
    for b in &model.coupling.bundles {
        let first = model.offers[b.lines[0].offer].mineral;
        if !group.contains(&first) {
            joint.bundles.push(None);
            continue;
        }
        let saving = b.cost(model) - b.list_cost(model);
        let w = joint.lp.add_binary(saving / joint.scale);
        for l in &b.lines {
            let Some((x, d)) = var(l.offer) else {
                joint.lp.vars[w].upper = 0.0;
                continue;
            };
            match floors.iter_mut().find(|(v, _)| *v == x) {
                Some((_, terms)) => terms.push((w, -l.quantity / d)),
                None => floors.push((x, vec![(w, -l.quantity / d)])),
            }
        }
        joint.bundles.push(Some(w));
    }
    for (x, mut terms) in floors {
        terms.insert(0, (x, 1.0));
        joint.lp.add_row(RowTag::Other, terms, Sense::Ge, 0.0);
    }
}

/// Per discount of the group: u_i, z_t, s_t and their rows (see the module text).
fn add_discounts(
    model: &Model,
    joint: &mut Joint,
    var: &dyn Fn(usize) -> Option<(usize, f64)>,
    group: &[usize],
) {
    for disc in &model.coupling.discounts {
        let first = model.offers[disc.lots[0]].mineral;
        if !group.contains(&first) {
            joint.discounts.push(None);
            continue;
        }
        let mut lots = add_lots(model, joint, disc, var);
        // Bundle quantities are priced by their bundle, not discounted.
        for (b, w) in model.coupling.bundles.iter().zip(&joint.bundles) {
            let Some(w) = *w else { continue };
            let off = b.price_part_in(model, &disc.lots);
            if off > 0.0 {
                lots.value.push((w, off / joint.scale));
            }
        }
        let steps = add_steps(&mut joint.lp, disc, &lots);
        joint.discounts.push(Some((lots.binaries, steps)));
    }
}

/// A discount's lots in the joint problem.
struct Lots {
    /// Per lot its binary u_i (none when the offer is excluded).
    binaries: Vec<Option<usize>>,
    /// Σ u_i as terms.
    count: Vec<(usize, f64)>,
    /// −C as terms (the lots' price part above their bundle quantities, in joint units).
    value: Vec<(usize, f64)>,
    /// The largest C.
    most: f64,
}

/// u_i per lot with x_i ≥ threshold · u_i, and the terms of Σ u_i and of the lots' price.
fn add_lots(
    model: &Model,
    joint: &mut Joint,
    disc: &LotDiscount,
    var: &dyn Fn(usize) -> Option<(usize, f64)>,
) -> Lots {
    let (lp, scale) = (&mut joint.lp, joint.scale);
    let mut out = Lots {
        binaries: Vec::new(),
        count: Vec::new(),
        value: Vec::new(),
        most: 0.0,
    };
    for &i in &disc.lots {
        let Some((x, d)) = var(i) else {
            out.binaries.push(None);
            continue;
        };
        let u = lp.add_binary(0.0);
        let low = lot_threshold(model, i) / d;
        lp.add_row(RowTag::Other, vec![(x, 1.0), (u, -low)], Sense::Ge, 0.0);
        out.count.push((u, 1.0));
        let p = price_part(model, i);
        out.value.push((x, -p * d / scale));
        let ceiling = 1.0 + model.minerals[model.offers[i].mineral].stock_room() / d;
        out.most += p * d * lp.vars[x].upper.min(ceiling) / scale;
        out.binaries.push(Some(u));
    }
    out
}

/// z_t per step: z_t ≤ z_{t−1}, Σ u_i ≥ k_t z_t, and its saving s_t ≤ C, s_t ≤ M z_t.
fn add_steps(lp: &mut Lp, disc: &LotDiscount, lots: &Lots) -> Vec<usize> {
    let mut steps: Vec<usize> = Vec::new();
    let mut before = 0.0;
    for step in &disc.steps {
        let z = lp.add_binary(0.0);
        if let Some(&prev) = steps.last() {
            lp.add_row(RowTag::Other, vec![(z, 1.0), (prev, -1.0)], Sense::Le, 0.0);
        }
        let mut reach = lots.count.clone();
        reach.push((z, -(step.min_lots as f64)));
        lp.add_row(RowTag::Other, reach, Sense::Ge, 0.0);
        let s = lp.add_var(0.0, f64::INFINITY, -(step.fraction - before));
        let mut within = vec![(s, 1.0)];
        within.extend(lots.value.iter().copied());
        lp.add_row(RowTag::Other, within, Sense::Le, 0.0);
        lp.add_row(
            RowTag::Other,
            vec![(s, 1.0), (z, -lots.most)],
            Sense::Le,
            0.0,
        );
        before = step.fraction;
        steps.push(z);
    }
    steps
}

/// Reads the decisions of the joint point into `out`, per mineral of the group.
fn record(
    model: &Model,
    group: &[usize],
    (joint, x, proven): &(Joint, Vec<f64>, bool),
    out: &mut [Option<MineralCoupling>],
) {
    for &m in group {
        out[m].get_or_insert_with(Default::default).stopped = !proven;
    }
    let on = |v: usize| x[v] > 0.5;
    for (k, b) in model.coupling.bundles.iter().enumerate() {
        if joint.bundles[k].is_some_and(on) {
            let mut minerals: Vec<usize> = b
                .lines
                .iter()
                .map(|l| model.offers[l.offer].mineral)
                .collect();
            minerals.dedup();
            for m in minerals {
                out[m].get_or_insert_with(Default::default).taken.push(k);
            }
        }
    }
    for (k, disc) in model.coupling.discounts.iter().enumerate() {
        let Some((lots, steps)) = &joint.discounts[k] else {
            continue;
        };
        let Some(step) = steps.iter().rposition(|&z| on(z)) else {
            continue;
        };
        let mut minerals: Vec<usize> = Vec::new();
        for (&i, u) in disc.lots.iter().zip(lots) {
            let m = model.offers[i].mineral;
            let mc = out[m].get_or_insert_with(Default::default);
            if u.is_some_and(on) {
                mc.won.push(i);
            }
            if !minerals.contains(&m) {
                minerals.push(m);
                mc.steps.push((k, step));
            }
        }
    }
    debug_assert!(group.iter().all(|&m| out[m].is_some()));
}

/// Restricts mineral `m`'s block to `mc`: bundle quantities and won lots as lower
/// bounds, the reached discounts off the lots' prices.
pub(crate) fn restrict(model: &Model, block: &mut Block, mc: &MineralCoupling) {
    let range = model.minerals[block.mineral].offers.clone();
    let d = block.demand;
    for i in range.clone() {
        let Some(v) = block.offer_var[i - range.start] else {
            continue;
        };
        let won = if mc.won.contains(&i) {
            lot_threshold(model, i)
        } else {
            0.0
        };
        let low = bundled_quantity(model, mc, i).max(won) / d;
        let lower = &mut block.lp.vars[v].lower;
        *lower = lower.max(low);
    }
    for &(k, step) in &mc.steps {
        let disc = &model.coupling.discounts[k];
        let fraction = disc.steps[step].fraction;
        for &i in disc.lots.iter().filter(|&&i| range.contains(&i)) {
            if let Some(v) = block.offer_var[i - range.start] {
                block.lp.vars[v].cost -= fraction * price_part(model, i) / block.cost_scale;
            }
        }
    }
}

/// The quantity of offer `i` the taken bundles buy.
pub(crate) fn bundled_quantity(model: &Model, mc: &MineralCoupling, i: usize) -> f64 {
    mc.taken
        .iter()
        .flat_map(|&k| &model.coupling.bundles[k].lines)
        .filter(|l| l.offer == i)
        .map(|l| l.quantity)
        .sum()
}

/// What the bundles and discounts of `mc` add to mineral `m`'s list-price cost at
/// `quantities` (local offer order): each taken bundle line's landed cost less its list
/// cost, less the reached discount on each lot's price part above its bundle quantity.
pub(crate) fn adjustment(model: &Model, m: usize, quantities: &[f64], mc: &MineralCoupling) -> f64 {
    let start = model.minerals[m].offers.start;
    let mut total = 0.0;
    for &k in &mc.taken {
        let b = &model.coupling.bundles[k];
        for (l, cost) in b.lines.iter().zip(b.line_costs(model)) {
            if model.offers[l.offer].mineral == m {
                total += cost - l.quantity * model.offers[l.offer].landed_cost;
            }
        }
    }
    for &(k, step) in &mc.steps {
        let disc = &model.coupling.discounts[k];
        let fraction = disc.steps[step].fraction;
        for &i in disc.lots.iter().filter(|&&i| model.offers[i].mineral == m) {
            let above = (quantities[i - start] - bundled_quantity(model, mc, i)).max(0.0);
            total -= fraction * price_part(model, i) * above;
        }
    }
    total
}

/// Checks a plan of mineral `m` against its decisions: every taken bundle's quantity
/// and every won lot's threshold bought (to the feasibility tolerance of demand).
pub(crate) fn check(
    model: &Model,
    m: usize,
    quantities: &[f64],
    mc: &MineralCoupling,
) -> std::result::Result<(), String> {
    let start = model.minerals[m].offers.start;
    let slack = crate::tolerance::FEASIBILITY * model.minerals[m].demand;
    let offers = model.offers_of(m);
    for i in model.minerals[m].offers.clone() {
        let need = bundled_quantity(model, mc, i).max(if mc.won.contains(&i) {
            lot_threshold(model, i)
        } else {
            0.0
        });
        if quantities[i - start] < need - slack {
            return Err(format!(
                "supplier {} delivers {} where its bundles and won lots need {need}",
                offers[i - start].supplier,
                quantities[i - start]
            ));
        }
    }
    Ok(())
}

/// Mineral `m`'s solution under its decisions `mc`: checked against them, its cost with
/// the bundles' and discounts' adjustment, its rows unpriced where the block had
/// binaries (a derivative would hold the decisions fixed).
pub(super) fn finish(
    model: &Model,
    mut ms: MineralSolution,
    mc: &MineralCoupling,
) -> MineralSolution {
    if ms.has_plan() {
        if let Err(message) = check(model, ms.mineral, &ms.quantities, mc) {
            ms.status = Status::Failed {
                reason: FailureReason::InvalidPlan,
                message: format!(
                    "the plan for {} does not keep its bundles and lot discounts ({message}); no plan is written",
                    model.minerals[ms.mineral].name
                ),
            };
        }
        ms.cost += adjustment(model, ms.mineral, &ms.quantities, mc);
        if mc.stopped && ms.status == Status::Optimal {
            ms.status = Status::Feasible;
        }
    }
    ms.block_optimum = false;
    ms.coupling = Some(Box::new(mc.clone()));
    ms
}

/// Least quantity of offer `offer` that wins its lot: its minimum order, and at least
/// [`crate::formulate::MIN_USED_SHARE`] of its mineral's demand.
pub(crate) fn lot_threshold(model: &Model, offer: usize) -> f64 {
    let o = &model.offers[offer];
    let d = model.minerals[o.mineral].demand;
    o.min_order.max(crate::formulate::MIN_USED_SHARE * d)
}
