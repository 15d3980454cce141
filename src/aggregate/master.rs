//! A first guess of each country's quantity: an outer approximation of the aggregated
//! problem. Its variables are the block's own non-offer variables (unmet demand, HHI
//! shares) and, per country, q (quantity) and e (cost), with e ≥ f(q) stated by the
//! lines of some segments of the country's cost curve. After each solve, the line of the
//! segment holding q̂ is added where e lies below f(q̂). Its feasible set of quantities is
//! the full block's, so it also decides infeasibility.

use std::collections::BTreeSet;

use super::backend::Caps;
use super::groups::Groups;
use crate::conic::solve_with_epigraphs;
use crate::formulate::{Block, RowTag};
use crate::lp::{Lp, Sense};
use crate::solve::Deadline;
use crate::solvers::LpStatus;

/// Most solves of the approximation (the guess is only a starting point).
const MAX_SOLVES: usize = 60;

/// Lines per country in the first approximation (evenly spaced in quantity).
const FIRST_LINES: usize = 8;

use crate::tolerance::AGG_MASTER_EXACT as EXACT;

/// What the approximation says.
pub(crate) enum Guess {
    /// A quantity per group (block units).
    Quantities(Vec<f64>),
    /// No plan obeys the block's rows.
    Infeasible,
    /// The approximation could not be solved; no guess.
    Unknown,
}

/// The approximation under construction.
struct Master {
    lp: Lp,
    caps: Option<Caps>,
    /// Per group: (q, e) variables.
    qe: Vec<(usize, usize)>,
    /// Per group: segments whose lines are in.
    lines: Vec<BTreeSet<usize>>,
    kappa: f64,
}

/// Guesses each group's quantity; costs are multiplied by `kappa`.
pub(crate) fn guess(block: &Block, groups: &Groups, kappa: f64, deadline: Deadline) -> Guess {
    let mut m = build(block, groups, kappa);
    for g in 0..groups.groups.len() {
        let grp = &groups.groups[g];
        let top = grp.quantity[grp.len()];
        for j in 0..=FIRST_LINES {
            let k = grp.segment(top * j as f64 / FIRST_LINES as f64);
            add_line(&mut m, groups, g, k);
        }
    }
    for _ in 0..MAX_SOLVES {
        // An interior point is as good a guess as a vertex: no polishing.
        let pairs = m.caps.as_ref().map_or(&[][..], |c| &c.pairs[..]);
        let lp = &m.lp;
        let r = solve_with_epigraphs(
            lp,
            pairs,
            |k| lp.rows[k].tag == RowTag::Cut,
            deadline.remaining(),
        );
        match r.status {
            LpStatus::Optimal => {}
            LpStatus::Infeasible => return Guess::Infeasible,
            _ => return Guess::Unknown,
        }
        let q: Vec<f64> = m.qe.iter().map(|&(q, _)| r.x[q]).collect();
        let mut added = 0;
        for (g, grp) in groups.groups.iter().enumerate() {
            let (qv, ev) = (q[g], r.x[m.qe[g].1]);
            let f = kappa * grp.curve(qv);
            if f - ev > EXACT * f.abs().max(1.0) {
                let k = grp.segment(qv);
                added += add_line(&mut m, groups, g, k) as usize;
                if k + 1 < grp.len() && qv >= grp.quantity[k + 1] - 1e-12 {
                    added += add_line(&mut m, groups, g, k + 1) as usize;
                }
            }
        }
        if added == 0 {
            return Guess::Quantities(q);
        }
    }
    Guess::Unknown
}

/// The approximation with no lines yet.
fn build(block: &Block, groups: &Groups, kappa: f64) -> Master {
    let mut lp = Lp::default();
    let mut index = vec![usize::MAX; block.lp.vars.len()];
    for (j, v) in block.lp.vars.iter().enumerate() {
        if groups.group_of(j).is_none() {
            index[j] = lp.add_var(v.lower, v.upper, v.cost * kappa);
        }
    }
    let qe: Vec<(usize, usize)> = groups
        .groups
        .iter()
        .map(|g| {
            let q = lp.add_var(0.0, g.quantity[g.len()], 0.0);
            let e = lp.add_var(0.0, f64::INFINITY, 1.0);
            (q, e)
        })
        .collect();
    let mut by_row: Vec<Vec<(usize, f64)>> = vec![Vec::new(); block.lp.rows.len()];
    for (g, grp) in groups.groups.iter().enumerate() {
        for &(r, a) in &grp.column {
            by_row[r].push((qe[g].0, a));
        }
    }
    for (row, mut terms) in block.lp.rows.iter().zip(by_row) {
        terms.extend(
            row.terms
                .iter()
                .filter(|&&(j, _)| index[j] != usize::MAX)
                .map(|&(j, a)| (index[j], a)),
        );
        lp.add_row(row.tag, terms, row.sense, row.rhs);
    }
    let caps = super::window::caps_of(block, |j| index[j]);
    Master {
        lp,
        caps,
        qe,
        lines: vec![BTreeSet::new(); groups.groups.len()],
        kappa,
    }
}

/// Adds e ≥ spend_k + cost_k (q − quantity_k) for segment `k` of group `g`, once.
fn add_line(m: &mut Master, groups: &Groups, g: usize, k: usize) -> bool {
    if !m.lines[g].insert(k) {
        return false;
    }
    let grp = &groups.groups[g];
    let c = grp.cost[k] * m.kappa;
    let (q, e) = m.qe[g];
    let rhs = grp.spend[k] * m.kappa - c * grp.quantity[k];
    // A definition of the country's cost, not a tangent cut of t ≥ s².
    m.lp.add_row(RowTag::Definition, vec![(e, 1.0), (q, -c)], Sense::Ge, rhs);
    true
}
