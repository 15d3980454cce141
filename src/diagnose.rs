//! Diagnosis of an infeasible block: the relaxation of least total size that makes it
//! feasible (SPEC §3 `explain`). Each policy row may move its bound and each hard demand
//! may fall short (as a fraction of D); capacities and exclusions stay. Because blocks
//! are scaled by demand, the elastic LP's objective is exactly that total size.

use crate::formulate::{Block, RowTag};
use crate::lp::{Lp, Sense};
use crate::solvers::{solve_exact, LpStatus};
use crate::tolerance::{CUT_DEPTH, CUT_TOLERANCE, RELAXATION_EPS};

/// Most rounds of tangent cuts in a diagnosis.
const MAX_ROUNDS: usize = 200;

/// One row that must move for the block to become feasible.
#[derive(Debug, Clone, PartialEq)]
pub struct Relaxation {
    /// The relaxed row: a policy instance, or `None` for the demand.
    pub instance: Option<usize>,
    /// The bound as given (a share, index or count; D for the demand).
    pub bound: f64,
    /// The bound that makes the block feasible.
    pub relaxed_bound: f64,
}

/// Finds the least relaxation of `block`. Returns `None` when the diagnosis itself fails.
pub fn least_relaxation(block: &Block, time_limit_secs: Option<f64>) -> Option<Vec<Relaxation>> {
    let mut lp = Lp {
        vars: block.lp.vars.clone(),
        rows: block.lp.rows.clone(),
    };
    for v in &mut lp.vars {
        v.cost = 0.0;
    }
    // Which LP variable relaxes which user row, and in which direction (+1 raises the bound).
    let mut slacks: Vec<(usize, Option<usize>, f64)> = Vec::new();
    for r in 0..lp.rows.len() {
        match lp.rows[r].tag {
            RowTag::Demand if block.unmet_var.is_none() => {
                let s = lp.add_var(0.0, 1.0, 1.0);
                lp.rows[r].terms.push((s, 1.0));
                slacks.push((s, None, -1.0));
            }
            RowTag::Policy(k) => {
                let s = lp.add_var(0.0, f64::INFINITY, 1.0);
                // Counts move by whole units.
                lp.vars[s].integer = block.instances[k].kind.is_count();
                let (coef, dir) = match lp.rows[r].sense {
                    Sense::Le => (-1.0, 1.0),
                    Sense::Ge => (1.0, -1.0),
                    Sense::Eq => continue,
                };
                lp.rows[r].terms.push((s, coef));
                slacks.push((s, Some(k), dir));
            }
            _ => {}
        }
    }
    // Supplier shares folded into bounds become rows so they can move.
    for f in &block.folded {
        lp.vars[f.var].upper = f.capacity;
        let s = lp.add_var(0.0, f64::INFINITY, 1.0);
        lp.add_row(
            RowTag::Other,
            vec![(f.var, 1.0), (s, -1.0)],
            Sense::Le,
            block.instances[f.instance].bound,
        );
        slacks.push((s, Some(f.instance), 1.0));
    }
    // Rows with no variable can only move their own bound.
    for &k in &block.empty_violations {
        let inst = &block.instances[k];
        let s = lp.add_var(0.0, f64::INFINITY, 1.0);
        let sense = if inst.kind.is_lower_bound() {
            Sense::Ge
        } else {
            Sense::Le
        };
        let coef = if sense == Sense::Ge { 1.0 } else { -1.0 };
        lp.add_row(RowTag::Other, vec![(s, coef)], sense, inst.bound);
        slacks.push((s, Some(k), -coef));
    }
    // HHI caps: iterate tangent cuts on the elastic problem too, so the relaxation found
    // holds for the true quadratic cap, not only for its outer approximation.
    let mut rounds = 0;
    let result = loop {
        let result = solve_exact(&lp, time_limit_secs);
        if result.status != LpStatus::Optimal {
            return None;
        }
        let Some(c) = &block.concentration else {
            break result;
        };
        let cut = c.add_cuts(&mut lp, &result.x, CUT_DEPTH) > 0;
        let violated = c.caps.iter().any(|(k, w)| {
            let relaxed = block.instances[*k].bound
                + slacks
                    .iter()
                    .find(|(_, inst, _)| *inst == Some(*k))
                    .map_or(0.0, |&(v, _, _)| result.x[v]);
            c.cap_value(w, &result.x) > relaxed + CUT_TOLERANCE
        });
        rounds += 1;
        if !violated || !cut || rounds > MAX_ROUNDS {
            break result;
        }
    };
    let mut out = Vec::new();
    for (s, instance, dir) in slacks {
        let amount = result.x[s];
        if amount <= RELAXATION_EPS {
            continue;
        }
        match instance {
            None => out.push(Relaxation {
                instance: None,
                bound: block.demand,
                relaxed_bound: block.demand * (1.0 - amount),
            }),
            Some(k) => {
                let bound = block.instances[k].bound;
                out.push(Relaxation {
                    instance: Some(k),
                    bound,
                    relaxed_bound: bound + dir * amount,
                });
            }
        }
    }
    Some(out)
}
