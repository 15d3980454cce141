//! Polishing an interior-point solution into an exact vertex.
//!
//! An interior-point solver stops near the optimal face with every variable a little off
//! its bound (1e-10 "dust", 49.9999999 instead of 50). Variables clearly at a bound are
//! fixed there, the few in between are re-optimized by simplex on the small remaining
//! problem, and the vertex found is kept only if it is feasible and no worse than the
//! interior point. This is a cheap crossover: the remaining problem has about as many
//! free variables as there are binding rows.

use crate::lp::{Lp, Sense};
use crate::solvers::{solve_exact, LpStatus};
use crate::tolerance::{AT_BOUND, POLISH_OBJECTIVE_SLACK, POLISH_ROW};

/// Returns a vertex no worse than `x`, or `None` when polishing does not succeed (the
/// caller then keeps `x`).
pub fn polish(lp: &Lp, x: &[f64], time_limit_secs: Option<f64>) -> Option<Vec<f64>> {
    if lp.has_integers() {
        return None;
    }
    let reference = lp.objective(x);
    // First try with variables fixed at both bounds, then only at zero.
    for fix_upper in [true, false] {
        if let Some(y) = restricted_vertex(lp, x, fix_upper, time_limit_secs) {
            if lp.objective(&y) <= reference + POLISH_OBJECTIVE_SLACK * reference.abs().max(1.0) {
                return Some(y);
            }
        }
    }
    None
}

fn restricted_vertex(
    lp: &Lp,
    x: &[f64],
    fix_upper: bool,
    time_limit_secs: Option<f64>,
) -> Option<Vec<f64>> {
    let mut value = vec![0.0; lp.vars.len()];
    let mut free: Vec<Option<usize>> = vec![None; lp.vars.len()];
    let mut sub = Lp::default();
    for (j, v) in lp.vars.iter().enumerate() {
        if x[j] <= v.lower + AT_BOUND {
            value[j] = v.lower;
        } else if fix_upper && v.upper.is_finite() && x[j] >= v.upper - AT_BOUND {
            value[j] = v.upper;
        } else {
            free[j] = Some(sub.add_var(v.lower, v.upper, v.cost));
        }
    }
    for row in &lp.rows {
        let mut constant = 0.0;
        let mut terms = Vec::new();
        for &(j, a) in &row.terms {
            match free[j] {
                Some(k) => terms.push((k, a)),
                None => constant += a * value[j],
            }
        }
        let rhs = row.rhs - constant;
        if terms.is_empty() {
            let tol = POLISH_ROW * row.rhs.abs().max(1.0);
            let ok = match row.sense {
                Sense::Le => rhs >= -tol,
                Sense::Ge => rhs <= tol,
                Sense::Eq => rhs.abs() <= tol,
            };
            if !ok {
                return None;
            }
            continue;
        }
        sub.add_row(row.tag, terms, row.sense, rhs);
    }
    let result = solve_exact(&sub, time_limit_secs);
    if result.status != LpStatus::Optimal {
        return None;
    }
    for (j, f) in free.iter().enumerate() {
        if let Some(k) = f {
            value[j] = result.x[*k];
        }
    }
    Some(value)
}
