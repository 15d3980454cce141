//! Polishing an interior-point solution into an exact vertex.
//!
//! An interior-point solver stops near the optimal face with every variable a little off
//! its bound (1e-10 "dust", 49.9999999 instead of 50). Variables clearly at a bound are
//! fixed there, the few in between are re-optimized by simplex on the small remaining
//! problem, and the vertex found is kept only if it is feasible and no worse than the
//! interior point. This is a cheap crossover: the remaining problem has about as many
//! free variables as there are binding rows.

use super::microlp::solve_exact;
use super::status::LpStatus;
use crate::engine::lp::{lift, Lp, Sense};
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
    let (mut sub, slots) = lp.with_fixed(|j| {
        let v = &lp.vars[j];
        if x[j] <= v.lower + AT_BOUND {
            Some(v.lower)
        } else if fix_upper && v.upper.is_finite() && x[j] >= v.upper - AT_BOUND {
            Some(v.upper)
        } else {
            None
        }
    });
    // A row left without free terms must hold at the fixed values (to a tolerance on
    // the scale of its own right-hand side; rows keep their places).
    for (row, own) in sub.rows.iter().zip(&lp.rows) {
        if !row.terms.is_empty() {
            continue;
        }
        let tol = POLISH_ROW * own.rhs.abs().max(1.0);
        let ok = match row.sense {
            Sense::Le => row.rhs >= -tol,
            Sense::Ge => row.rhs <= tol,
            Sense::Eq => row.rhs.abs() <= tol,
        };
        if !ok {
            return None;
        }
    }
    sub.rows.retain(|r| !r.terms.is_empty());
    let result = solve_exact(&sub, time_limit_secs);
    if result.status != LpStatus::Optimal {
        return None;
    }
    Some(lift(&slots, &result.x))
}
