//! A first guess of each country's quantity: an outer approximation of the aggregated
//! problem. Its variables are the block's own non-offer variables (unmet demand, HHI
//! shares) and, per country, q (quantity) and e (cost), with e ≥ f(q) stated by the
//! lines of some segments of the country's cost curve. After each solve, the line of the
//! segment holding q̂ is added where e lies below f(q̂). Its feasible set of quantities is
//! the full block's, so it also decides infeasibility.

use std::collections::BTreeSet;

use super::backend::Caps;
use super::groups::Groups;
use crate::engine::conic::solve_with_epigraphs;
use crate::engine::lp::{Lp, Sense};
use crate::engine::LpStatus;
use crate::formulate::{Block, RowTag};
use crate::model::Model;
use crate::solve::Deadline;

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
    /// Per block variable: its variable here (`usize::MAX` for an offer).
    index: Vec<usize>,
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
    match converge(&mut m, groups, deadline, Form::Epigraphs) {
        Outcome::Solved(x) => Guess::Quantities(m.qe.iter().map(|&(q, _)| x[q]).collect()),
        Outcome::Infeasible => Guess::Infeasible,
        Outcome::Unknown => Guess::Unknown,
    }
}

/// What solving the approximation until it is exact gave.
pub(crate) enum Outcome {
    /// Its solution (in its own variables, or the block's where a caller says so).
    Solved(Vec<f64>),
    /// No plan obeys the block's rows.
    Infeasible,
    /// The solver failed, or lines kept being added for [`MAX_SOLVES`] solves.
    Unknown,
}

/// How the caps of the approximation are stated to the cone solver.
#[derive(Clone, Copy)]
enum Form {
    /// t ≥ s² per country ([`solve_with_epigraphs`]).
    Epigraphs,
    /// One norm per cap where the problem allows ([`super::norms`]): a smaller cone
    /// problem with the same optimum. A country whose cost misses its curve gets the
    /// lines of the segments on either side too (the frontier's points move the
    /// quantities several segments at a time).
    Norms,
}

/// Solves `m`, adding the line of the segment holding each country's quantity wherever
/// its cost lies below the curve, until none does: then the approximation's optimum is
/// the aggregated problem's (a relaxation whose optimum is feasible for the original,
/// at the same cost, to [`EXACT`] per country).
fn converge(m: &mut Master, groups: &Groups, deadline: Deadline, form: Form) -> Outcome {
    let kappa = m.kappa;
    for _ in 0..MAX_SOLVES {
        // An interior point is as good a guess as a vertex: no polishing.
        let pairs = m.caps.as_ref().map_or(&[][..], |c| &c.pairs[..]);
        let lp = &m.lp;
        let cut = |k: usize| lp.rows[k].tag == RowTag::Cut;
        let r = match form {
            Form::Epigraphs => solve_with_epigraphs(lp, pairs, cut, deadline.remaining()),
            Form::Norms => super::norms::solve(lp, pairs, cut, deadline.remaining()),
        };
        match r.status {
            LpStatus::Optimal => {}
            LpStatus::Infeasible => return Outcome::Infeasible,
            _ => return Outcome::Unknown,
        }
        let mut added = 0;
        for (g, grp) in groups.groups.iter().enumerate() {
            let (qv, ev) = (r.x[m.qe[g].0], r.x[m.qe[g].1]);
            let f = kappa * grp.curve(qv);
            if f - ev > EXACT * f.abs().max(1.0) {
                let k = grp.segment(qv);
                added += add_line(m, groups, g, k) as usize;
                if k + 1 < grp.len() && qv >= grp.quantity[k + 1] - 1e-12 {
                    added += add_line(m, groups, g, k + 1) as usize;
                }
                if let Form::Norms = form {
                    // A quantity that left its lines usually keeps moving: its
                    // neighbours' lines too, to save a solve.
                    added += add_line(m, groups, g, k.saturating_sub(1)) as usize;
                    let next = (k + 1).min(grp.len().saturating_sub(1));
                    added += add_line(m, groups, g, next) as usize;
                }
            }
        }
        if added == 0 {
            return Outcome::Solved(r.x);
        }
    }
    Outcome::Unknown
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
        index,
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

/// A continuous block as the exact problem over one quantity per country, kept between
/// solves: for an analysis that solves one block many times with a row's bound moved (the
/// frontier), each solve starts from the lines of the cost curves the last one needed,
/// so it usually takes a single small cone solve. A solve ends only when every country's
/// cost meets its curve ([`EXACT`]), so its optimum is the block's (to the cone solver's
/// tolerance, as for the full block); the plan buys each country's quantity cheapest
/// first, the way [`super::solve_continuous_block`] lifts its plans.
pub(crate) struct CountryModel {
    master: Master,
    groups: Groups,
    /// Rows of the block (the approximation's first rows, in the block's order).
    block_rows: usize,
}

impl CountryModel {
    /// The aggregated problem of a continuous `block`, or `None` when the block lacks the
    /// parallel structure (see [`Groups::of`]).
    pub fn of(model: &Model, block: &Block) -> Option<CountryModel> {
        if !block.empty_violations.is_empty() {
            return None;
        }
        let groups = Groups::of(model, block).filter(|g| !g.groups.is_empty())?;
        let (_, kappa) = super::cost_scale(block);
        let mut cm = CountryModel {
            master: build(block, &groups, kappa),
            groups,
            block_rows: block.lp.rows.len(),
        };
        cm.drop_implied_bounds();
        Some(cm)
    }

    /// Leaves out the variable bounds the other rows imply, each a row of the cone
    /// problem fewer (about a third of them): t ≥ s² ≥ 0; s is fixed by its definition
    /// row from q ≥ 0 (the definition rows are equalities); e ≥ 0 by the line of each
    /// country's cheapest segment (kept in from the start; costs are non-negative); and
    /// q's upper bound where a one-term row of the block already caps q (the row takes
    /// the smaller of the two). The feasible set is unchanged.
    fn drop_implied_bounds(&mut self) {
        let m = &mut self.master;
        if m.lp.vars.iter().any(|v| v.cost < 0.0) {
            return;
        }
        let defined: Vec<bool> = {
            let mut d = vec![false; m.lp.vars.len()];
            for row in &m.lp.rows[..self.block_rows] {
                if row.tag == RowTag::Definition && row.sense == Sense::Eq {
                    if let [(j, _), (k, _)] = row.terms[..] {
                        d[j] = true;
                        d[k] = true;
                    }
                }
            }
            d
        };
        let pairs = m.caps.as_ref().map_or_else(Vec::new, |c| c.pairs.clone());
        for (s, t) in pairs {
            m.lp.vars[t].lower = f64::NEG_INFINITY;
            if defined[s] && m.lp.vars[s].lower == 0.0 {
                m.lp.vars[s].lower = f64::NEG_INFINITY;
                m.lp.vars[s].upper = f64::INFINITY;
            }
        }
        for g in 0..self.groups.groups.len() {
            add_line(m, &self.groups, g, 0);
            let (q, e) = m.qe[g];
            m.lp.vars[e].lower = f64::NEG_INFINITY;
            let top = m.lp.vars[q].upper;
            for row in &mut m.lp.rows[..self.block_rows] {
                if let (Sense::Le, [(j, a)]) = (row.sense, &row.terms[..]) {
                    if *j == q && *a > 0.0 && row.tag != RowTag::Cut {
                        row.rhs = row.rhs.min(a * top);
                        m.lp.vars[q].upper = f64::INFINITY;
                    }
                }
            }
        }
    }

    /// Drops every line but each country's cheapest segment's (the next solve adds back
    /// those it needs), keeping the bounds set by [`CountryModel::set_rhs`]: lines far
    /// from where the quantities now are only make each solve larger.
    pub fn clear_lines(&mut self) {
        self.master.lp.rows.truncate(self.block_rows);
        for l in &mut self.master.lines {
            l.clear();
        }
        for g in 0..self.groups.groups.len() {
            add_line(&mut self.master, &self.groups, g, 0);
        }
    }

    /// Adds, for each country, the lines of the segment holding its quantity in the block
    /// point `x` and of `width` segments on each side (a warm start; any `x` is valid).
    pub fn seed(&mut self, x: &[f64], width: usize) {
        for g in 0..self.groups.groups.len() {
            let grp = &self.groups.groups[g];
            let q: f64 = grp.vars.iter().map(|&v| x[v as usize]).sum();
            let k = grp.segment(q);
            let last = grp.len().saturating_sub(1);
            for s in k.saturating_sub(width)..=(k + width).min(last) {
                add_line(&mut self.master, &self.groups, g, s);
            }
        }
    }

    /// Sets the right-hand side of block row `row`.
    pub fn set_rhs(&mut self, row: usize, rhs: f64) {
        let m = &mut self.master;
        let r = &mut m.lp.rows[row];
        r.rhs = rhs;
        // A one-term row on q also stands for q's dropped upper bound (see
        // `drop_implied_bounds`).
        if let (Sense::Le, [(j, a)]) = (r.sense, &r.terms[..]) {
            if let Some(g) = m.qe.iter().position(|&(q, _)| q == *j) {
                let grp = &self.groups.groups[g];
                if *a > 0.0 && m.lp.vars[*j].upper == f64::INFINITY {
                    r.rhs = rhs.min(a * grp.quantity[grp.len()]);
                }
            }
        }
    }

    /// Solves the block exactly; [`Outcome::Solved`] holds the plan in block variables.
    pub fn solve(&mut self, deadline: Deadline) -> Outcome {
        match converge(&mut self.master, &self.groups, deadline, Form::Norms) {
            Outcome::Solved(x) => Outcome::Solved(self.lift(&x)),
            other => other,
        }
    }

    /// Minimizes the left-hand side of block row `row` over the block's feasible set
    /// (costs play no part, so no cost line is needed): one cone solve over the country
    /// quantities; [`Outcome::Solved`] holds a minimizing plan in block variables.
    pub fn minimize_row(&self, row: usize, deadline: Deadline) -> Outcome {
        let m = &self.master;
        let mut lp = m.lp.clone();
        lp.rows.truncate(self.block_rows);
        for v in &mut lp.vars {
            v.cost = 0.0;
        }
        for &(_, e) in &m.qe {
            // No line bounds the cost variables: a box keeps the cone solver's set bounded.
            lp.vars[e].lower = 0.0;
            lp.vars[e].upper = 1.0;
        }
        for &(j, a) in &m.lp.rows[row].terms {
            lp.vars[j].cost = a;
        }
        let pairs = m.caps.as_ref().map_or(&[][..], |c| &c.pairs[..]);
        // The block's tangent cuts are implied by the cones.
        let cut = |k: usize| lp.rows[k].tag == RowTag::Cut;
        let r = super::norms::solve(&lp, pairs, cut, deadline.remaining());
        match r.status {
            LpStatus::Optimal => Outcome::Solved(self.lift(&r.x)),
            LpStatus::Infeasible => Outcome::Infeasible,
            _ => Outcome::Unknown,
        }
    }

    /// The block point of the approximation's point `x`: non-offer variables as solved,
    /// each country's quantity bought cheapest first.
    fn lift(&self, x: &[f64]) -> Vec<f64> {
        let m = &self.master;
        let mut out: Vec<f64> = m
            .index
            .iter()
            .map(|&i| if i == usize::MAX { 0.0 } else { x[i] })
            .collect();
        for (grp, &(q, _)) in self.groups.groups.iter().zip(&m.qe) {
            for (v, take) in grp.fill(x[q]) {
                out[v] = take;
            }
        }
        out
    }
}
