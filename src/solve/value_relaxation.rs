//! The relaxed bound of a value-share row in the rule's own units (a share of value).
//!
//! A value-share row is Σ_i l_i (φ_i − b) x_i ≥ 0 (≤ 0 for a maximum): its bound b sits
//! in the coefficients and its right side is 0, so the elastic program's slack on it is
//! in units of value (Σ l_i x_i times the change of b), not of the share. Once the elastic
//! program has chosen which rows move, the other rows' slacks (and the demand's
//! shortfall) are held where it put them, and the bound of the value-share row is
//! tightened to the best value share any plan reaches then: the largest
//! N(x) / V(x) = Σ l_i φ_i x_i / Σ l_i x_i for a minimum (the smallest for a maximum), a
//! linear-fractional program solved by Dinkelbach's iteration (maximize N − λ V at the
//! last ratio λ until no plan improves on it). The relaxed bound is then exactly the
//! share the best plan reaches, and the model with it has that plan.

use crate::engine::lp::Lp;
use crate::engine::LpResult;

/// At most this many Dinkelbach rounds (it converges superlinearly; a handful suffice).
pub(super) const MAX_ROUNDS: usize = 60;
/// The ratio gains below which the iteration stops.
const GAIN: f64 = 1e-12;

/// A value-share row of the elastic program.
pub(super) struct ValueRow<'a> {
    /// The row's index in the program.
    pub row: usize,
    /// (variable, l_i) of every offer with a variable: the value weights.
    pub weights: &'a [(usize, f64)],
    /// The bound as given.
    pub bound: f64,
    /// True for `min_value_share`.
    pub at_least: bool,
}

impl ValueRow<'_> {
    /// (variable, l_i φ_i): each offer's value in the group per unit, recovered from the
    /// row's coefficients l_i (φ_i − b) in `lp`.
    fn inside(&self, lp: &Lp) -> Vec<(usize, f64)> {
        let terms = &lp.rows[self.row].terms;
        self.weights
            .iter()
            .map(|&(v, l)| {
                let a = terms
                    .iter()
                    .find(|&&(t, _)| t == v)
                    .map_or(0.0, |&(_, a)| a);
                (v, a + self.bound * l)
            })
            .collect()
    }

    /// The value share N(x) / V(x) of the plan `x`; `None` when it buys no value.
    fn share(&self, inside: &[(usize, f64)], x: &[f64]) -> Option<f64> {
        let value: f64 = self.weights.iter().map(|&(v, l)| l * x[v]).sum();
        let within: f64 = inside.iter().map(|&(v, n)| n * x[v]).sum();
        (value > 0.0).then(|| within / value)
    }
}

/// The relaxed bound of `row` in the share's units: the best value share of any plan of
/// `lp` whose variables `held` stay at their values (the other rows' slacks, the demand's
/// shortfall, this row's slack at 0), starting from the elastic program's point `x`, in
/// at most `rounds` rounds (0: the share of `x`). `None` when `x` buys no value.
pub(super) fn tightest_bound(
    lp: &Lp,
    row: &ValueRow,
    held: &[(usize, f64)],
    x: &[f64],
    rounds: usize,
    solve: impl Fn(&Lp) -> LpResult,
) -> Option<f64> {
    let inside = row.inside(lp);
    let mut lambda = row.share(&inside, x)?;
    let sign = if row.at_least { 1.0 } else { -1.0 };
    let mut lp = lp.clone();
    for v in &mut lp.vars {
        v.cost = 0.0;
    }
    for &(v, value) in held {
        lp.vars[v].lower = value;
        lp.vars[v].upper = value;
    }
    for _ in 0..rounds {
        // The row at bound λ (the last plan meets it), and the objective N − λ V.
        let terms: Vec<(usize, f64)> = row
            .weights
            .iter()
            .zip(&inside)
            .map(|(&(v, l), &(_, n))| (v, n - lambda * l))
            .collect();
        for &(v, a) in &terms {
            lp.vars[v].cost = -sign * a;
        }
        lp.rows[row.row].terms = terms;
        lp.rows[row.row].rhs = 0.0;
        let r = solve(&lp);
        if !r.status.is_optimal() || r.x.is_empty() {
            break;
        }
        let Some(next) = row.share(&inside, &r.x) else {
            break;
        };
        if sign * (next - lambda) <= GAIN * lambda.abs().max(1.0) {
            break;
        }
        lambda = next;
    }
    Some(if row.at_least {
        lambda.min(row.bound)
    } else {
        lambda.max(row.bound)
    })
}
