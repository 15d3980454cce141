//! An optimal simplex basis recovered from a vertex of an [`Lp`], and the ranging it
//! gives (right-hand sides, variable bounds, costs).
//!
//! Columns are the structural variables and one slack per row (a·x + s = rhs; s ≥ 0 for
//! ≤ rows, s ≤ 0 for ≥ rows, s = 0 for equalities). Basic are the columns strictly
//! between their bounds; a degenerate vertex has fewer, and the basis is completed with
//! slack columns in row order, then made dual feasible by degenerate primal simplex
//! pivots under Bland's rule (the plan is optimal, so no pivot may move it). B⁻¹ is dense
//! (nalgebra): blocks have few rows (demand and policy rows; supplier caps are bounds).

use nalgebra::{DMatrix, DVector};

use crate::engine::lp::{Lp, Sense};

use crate::tolerance::RANGING_AT_BOUND as AT_BOUND;

use crate::tolerance::RANGING_DUAL as DUAL_TOL;

use crate::tolerance::RANGING_PIVOT as PIVOT_TOL;

use crate::tolerance::RANGING_STEP as STEP_TOL;

/// Where a column sits in the basis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// Basic, at this position of the basis.
    Basic(usize),
    /// Nonbasic at its lower bound.
    Lower,
    /// Nonbasic at its upper bound.
    Upper,
    /// Fixed (lower = upper): never enters.
    Fixed,
}

/// An optimal basis of an LP at a vertex, with what ranging needs.
#[derive(Debug, Clone)]
pub struct Basis {
    /// Number of structural variables.
    n: usize,
    /// Column of each basis position.
    pub basic: Vec<usize>,
    /// Place of every column (structurals, then slacks).
    pub place: Vec<Place>,
    /// B⁻¹.
    inverse: DMatrix<f64>,
    /// Values of the basic columns, recomputed from the basis.
    x_basic: Vec<f64>,
    /// Row duals y = c_B B⁻¹ (d objective / d rhs).
    pub duals: Vec<f64>,
    /// Reduced cost of every column (0 for basic ones).
    pub reduced: Vec<f64>,
    /// Column view of the LP.
    columns: Vec<Vec<(usize, f64)>>,
    /// Bounds of every column.
    bounds: Vec<(f64, f64)>,
}

/// An interval of changes Δ (either end may be infinite); always contains 0.
pub type Delta = (f64, f64);

impl Basis {
    /// The optimal basis at the vertex `x` of `lp` (continuous), or `None` when `x` is
    /// not an optimal vertex within the tolerances.
    pub fn at(lp: &Lp, x: &[f64]) -> Option<Basis> {
        let n = lp.vars.len();
        let m = lp.rows.len();
        if lp.has_integers() || x.len() != n || m == 0 {
            return None;
        }
        let columns = lp.columns();
        let mut bounds: Vec<(f64, f64)> = lp.vars.iter().map(|v| (v.lower, v.upper)).collect();
        let mut value: Vec<f64> = x.to_vec();
        for (r, row) in lp.rows.iter().enumerate() {
            bounds.push(match row.sense {
                Sense::Le => (0.0, f64::INFINITY),
                Sense::Ge => (f64::NEG_INFINITY, 0.0),
                Sense::Eq => (0.0, 0.0),
            });
            value.push(row.rhs - lp.activity(r, x));
        }
        let mut place: Vec<Place> = value
            .iter()
            .zip(&bounds)
            .map(|(&v, &(l, u))| classify(v, l, u))
            .collect();
        let mut basic: Vec<usize> = (0..n + m)
            .filter(|&j| place[j] == Place::Basic(0))
            .collect();
        if basic.len() > m {
            return None;
        }
        complete(&mut basic, &columns, n, m)?;
        for (i, &j) in basic.iter().enumerate() {
            place[j] = Place::Basic(i);
        }
        let mut basis = Basis {
            n,
            basic,
            place,
            inverse: DMatrix::zeros(0, 0),
            x_basic: Vec::new(),
            duals: Vec::new(),
            reduced: Vec::new(),
            columns,
            bounds,
        };
        let cost = |j: usize| if j < n { lp.vars[j].cost } else { 0.0 };
        for _ in 0..10 * (n + m) + 100 {
            basis.factor(&cost)?;
            let Some(enter) = basis.entering() else {
                basis.recompute_values(lp);
                return Some(basis);
            };
            basis.degenerate_pivot(enter, &value)?;
        }
        None
    }

    /// Dense column `j` (structural or slack) of the constraint matrix.
    fn dense_column(&self, j: usize, m: usize) -> DVector<f64> {
        let mut c = DVector::zeros(m);
        if j < self.n {
            for &(r, a) in &self.columns[j] {
                c[r] = a;
            }
        } else {
            c[j - self.n] = 1.0;
        }
        c
    }

    /// B⁻¹, duals and reduced costs for the current basis.
    fn factor(&mut self, cost: &impl Fn(usize) -> f64) -> Option<()> {
        let m = self.basic.len();
        let mut b = DMatrix::zeros(m, m);
        for (i, &j) in self.basic.iter().enumerate() {
            b.set_column(i, &self.dense_column(j, m));
        }
        self.inverse = b.try_inverse()?;
        let c_b = DVector::from_iterator(m, self.basic.iter().map(|&j| cost(j)));
        let y = self.inverse.transpose() * c_b;
        self.duals = y.iter().copied().collect();
        self.reduced = (0..self.place.len())
            .map(|j| match self.place[j] {
                Place::Basic(_) => 0.0,
                _ => cost(j) - self.column_dot(j, &self.duals),
            })
            .collect();
        Some(())
    }

    /// a_j · v for a column j (v indexed by row).
    fn column_dot(&self, j: usize, v: &[f64]) -> f64 {
        if j < self.n {
            self.columns[j].iter().map(|&(r, a)| a * v[r]).sum()
        } else {
            v[j - self.n]
        }
    }

    /// The first (Bland) nonbasic column whose reduced cost has the wrong sign.
    fn entering(&self) -> Option<usize> {
        (0..self.place.len()).find(|&j| match self.place[j] {
            Place::Lower => self.reduced[j] < -DUAL_TOL,
            Place::Upper => self.reduced[j] > DUAL_TOL,
            _ => false,
        })
    }

    /// Brings `enter` into the basis by a step of zero length; `None` when the step
    /// would move the plan (it was not optimal) or is unbounded.
    fn degenerate_pivot(&mut self, enter: usize, value: &[f64]) -> Option<()> {
        let m = self.basic.len();
        let w = &self.inverse * self.dense_column(enter, m);
        let sigma = if self.place[enter] == Place::Lower {
            1.0
        } else {
            -1.0
        };
        // Basic column i moves by −σ·w_i per unit step.
        let mut leave: Option<(usize, usize, Place)> = None;
        for i in 0..m {
            let change = -sigma * w[i];
            let j = self.basic[i];
            let (l, u) = self.bounds[j];
            let (limit, hit) = if change < -PIVOT_TOL && l.is_finite() {
                (((value[j] - l) / -change).max(0.0), Place::Lower)
            } else if change > PIVOT_TOL && u.is_finite() {
                (((u - value[j]) / change).max(0.0), Place::Upper)
            } else {
                continue;
            };
            if limit > STEP_TOL {
                continue;
            }
            if leave.is_none_or(|(_, lj, _)| j < lj) {
                leave = Some((i, j, hit));
            }
        }
        // No zero-length limit: the step moves the plan or is unbounded.
        let (i, j, hit) = leave?;
        self.place[j] = hit;
        self.place[enter] = Place::Basic(i);
        self.basic[i] = enter;
        Some(())
    }

    /// x_B = B⁻¹ (rhs − N x_N), nonbasic columns at their exact bounds.
    fn recompute_values(&mut self, lp: &Lp) {
        let m = self.basic.len();
        let mut rhs: Vec<f64> = lp.rows.iter().map(|r| r.rhs).collect();
        for j in 0..self.n + m {
            let v = match self.place[j] {
                Place::Basic(_) => continue,
                Place::Lower | Place::Fixed => self.bounds[j].0,
                Place::Upper => self.bounds[j].1,
            };
            if v == 0.0 || !v.is_finite() {
                continue;
            }
            if j < self.n {
                for &(r, a) in &self.columns[j] {
                    rhs[r] -= a * v;
                }
            } else {
                rhs[j - self.n] -= v;
            }
        }
        let x = &self.inverse * DVector::from_vec(rhs);
        self.x_basic = x.iter().copied().collect();
    }

    /// The changes Δ of the basic values x_B + Δ·dir that keep them within bounds.
    fn step_range(&self, dir: &DVector<f64>) -> Delta {
        let (mut lo, mut hi) = (f64::NEG_INFINITY, f64::INFINITY);
        for (i, &j) in self.basic.iter().enumerate() {
            let d = dir[i];
            if d.abs() <= PIVOT_TOL {
                continue;
            }
            let (l, u) = self.bounds[j];
            let x = self.x_basic[i];
            let (a, b) = ((l - x) / d, (u - x) / d);
            let (low, high) = if d > 0.0 { (a, b) } else { (b, a) };
            lo = lo.max(low);
            hi = hi.min(high);
        }
        (lo.min(0.0), hi.max(0.0))
    }

    /// Changes of the right-hand side of row `r` over which this basis stays optimal
    /// (so its dual holds).
    pub fn rhs_range(&self, r: usize) -> Delta {
        self.step_range(&self.inverse.column(r).into_owned())
    }

    /// Changes of the bound at which nonbasic structural `j` sits over which this basis
    /// stays optimal (its reduced cost is that bound's shadow price).
    pub fn bound_range(&self, j: usize) -> Delta {
        let m = self.basic.len();
        let dir = -(&self.inverse * self.dense_column(j, m));
        self.step_range(&dir)
    }

    /// Changes δ of a bound that sits in row `r`'s coefficients as Σ_j w_j (φ_j − b) x_j
    /// (a value share, right side 0), over which this basis stays optimal; `weights` are
    /// the (structural, w_j) pairs and `value` Σ w_j x_j > 0 at the plan. Moving b by δ
    /// moves row r of B by δ·u (u_i = −w of basic column i), a rank-one change: by
    /// Sherman–Morrison the basic values move by B⁻¹e_r · s·V and the reduced costs by
    /// s·y_r·(z·a_j + w_j), z = B⁻ᵀu, with s = δ / (1 + δγ), γ = u·B⁻¹e_r, both linear in
    /// s. The ratio tests bound s; δ = s / (1 − sγ) maps the ends back (the basis turns
    /// singular where 1 + δγ = 0).
    pub fn coefficient_range(&self, r: usize, weights: &[(usize, f64)], value: f64) -> Delta {
        let m = self.basic.len();
        let mut w_of = vec![0.0; self.place.len()];
        for &(j, w) in weights {
            w_of[j] = w;
        }
        let u = DVector::from_iterator(m, self.basic.iter().map(|&j| -w_of[j]));
        let p = self.inverse.column(r).into_owned();
        let gamma = u.dot(&p);
        let z: Vec<f64> = (self.inverse.transpose() * &u).iter().copied().collect();
        // Primal: x_B + p·t within bounds, t = s·V.
        let (t_lo, t_hi) = self.step_range(&p);
        let (mut lo, mut hi) = (t_lo / value, t_hi / value);
        // Dual: d_j + s·y_r·(z·a_j + w_j) keeps its sign.
        let y_r = self.duals[r];
        for (j, &w) in w_of.iter().enumerate() {
            let upper = match self.place[j] {
                Place::Lower => false,
                Place::Upper => true,
                _ => continue,
            };
            let slope = y_r * (self.column_dot(j, &z) + w);
            if slope.abs() <= PIVOT_TOL {
                continue;
            }
            // At lower d ≥ 0, at upper d ≤ 0: the end where d reaches 0.
            let t = -self.reduced[j] / slope;
            if (slope > 0.0) == upper {
                hi = hi.min(t);
            } else {
                lo = lo.max(t);
            }
        }
        let back = |s: f64| -> f64 {
            if s.is_infinite() {
                // δ → −1/γ where the basis turns singular (∞ when γ = 0 or of s's sign).
                return if gamma == 0.0 || (gamma > 0.0) == (s > 0.0) {
                    s
                } else {
                    -1.0 / gamma
                };
            }
            let den = 1.0 - s * gamma;
            if den <= 0.0 {
                f64::INFINITY.copysign(s)
            } else {
                s / den
            }
        };
        (back(lo.min(0.0)), back(hi.max(0.0)))
    }

    /// The value of basic column `j`, when it is basic.
    pub fn basic_value(&self, j: usize) -> Option<f64> {
        match self.place[j] {
            Place::Basic(i) => Some(self.x_basic[i]),
            _ => None,
        }
    }

    /// Changes of the cost of structural `j` over which this basis stays optimal (and
    /// with it the plan).
    pub fn cost_range(&self, j: usize) -> Delta {
        let d = self.reduced[j];
        let i = match self.place[j] {
            Place::Fixed => return (f64::NEG_INFINITY, f64::INFINITY),
            Place::Lower => return ((-d).min(0.0), f64::INFINITY),
            Place::Upper => return (f64::NEG_INFINITY, (-d).max(0.0)),
            Place::Basic(i) => i,
        };
        let rho: Vec<f64> = self.inverse.row(i).iter().copied().collect();
        let (mut lo, mut hi) = (f64::NEG_INFINITY, f64::INFINITY);
        for k in 0..self.place.len() {
            let upper = match self.place[k] {
                Place::Lower => false,
                Place::Upper => true,
                _ => continue,
            };
            let alpha = self.column_dot(k, &rho);
            if alpha.abs() <= PIVOT_TOL {
                continue;
            }
            // d_k(Δ) = d_k − Δ·α_k must keep d_k's sign (≥ 0 at lower, ≤ 0 at upper).
            let t = self.reduced[k] / alpha;
            if (alpha > 0.0) != upper {
                hi = hi.min(t);
            } else {
                lo = lo.max(t);
            }
        }
        (lo.min(0.0), hi.max(0.0))
    }
}

fn classify(v: f64, l: f64, u: f64) -> Place {
    let near = |b: f64| (v - b).abs() <= AT_BOUND * b.abs().max(1.0);
    if l.is_finite() && u.is_finite() && (u - l).abs() <= AT_BOUND * u.abs().max(1.0) {
        Place::Fixed
    } else if l.is_finite() && near(l) {
        Place::Lower
    } else if u.is_finite() && near(u) {
        Place::Upper
    } else {
        Place::Basic(0)
    }
}

/// Completes `basic` to m linearly independent columns with slack columns in row order
/// (always possible: unit vectors span the space); `None` when the given columns are
/// already dependent (the point is not a vertex).
fn complete(
    basic: &mut Vec<usize>,
    columns: &[Vec<(usize, f64)>],
    n: usize,
    m: usize,
) -> Option<()> {
    let dense = |j: usize| -> Vec<f64> {
        let mut c = vec![0.0; m];
        if j < n {
            for &(r, a) in &columns[j] {
                c[r] = a;
            }
        } else {
            c[j - n] = 1.0;
        }
        c
    };
    // Modified Gram–Schmidt on the chosen columns.
    let mut q: Vec<Vec<f64>> = Vec::with_capacity(m);
    let add = |v: Vec<f64>, q: &mut Vec<Vec<f64>>| -> bool {
        let norm0 = v.iter().map(|a| a * a).sum::<f64>().sqrt();
        let mut v = v;
        for e in q.iter() {
            let p: f64 = v.iter().zip(e).map(|(a, b)| a * b).sum();
            for (a, b) in v.iter_mut().zip(e) {
                *a -= p * b;
            }
        }
        let norm = v.iter().map(|a| a * a).sum::<f64>().sqrt();
        if norm <= 1e-9 * norm0.max(1e-300) {
            return false;
        }
        q.push(v.into_iter().map(|a| a / norm).collect());
        true
    };
    for &j in basic.iter() {
        if !add(dense(j), &mut q) {
            return None;
        }
    }
    for r in 0..m {
        if basic.len() == m {
            break;
        }
        if basic.contains(&(n + r)) {
            continue;
        }
        if add(dense(n + r), &mut q) {
            basic.push(n + r);
        }
    }
    (basic.len() == m).then_some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_ranging() {
        // min 2x + 3y s.t. x + y = 1 (demand), x ≤ 0.6 (row), 0 ≤ x, y.
        // Optimum x = 0.6, y = 0.4, cost 2.4; duals: demand 3, cap 2 − 3 = −1.
        let mut lp = Lp::default();
        let x = lp.add_var(0.0, f64::INFINITY, 2.0);
        let y = lp.add_var(0.0, f64::INFINITY, 3.0);
        lp.add_row(
            crate::engine::lp::RowTag::Other,
            vec![(x, 1.0), (y, 1.0)],
            Sense::Eq,
            1.0,
        );
        lp.add_row(
            crate::engine::lp::RowTag::Other,
            vec![(x, 1.0)],
            Sense::Le,
            0.6,
        );
        let b = Basis::at(&lp, &[0.6, 0.4]).expect("a basis");
        assert!((b.duals[0] - 3.0).abs() < 1e-12 && (b.duals[1] + 1.0).abs() < 1e-12);
        // The cap may move from 0 (y = 1) to 1 (y = 0) with the same dual.
        let (lo, hi) = b.rhs_range(1);
        assert!(
            (lo + 0.6).abs() < 1e-12 && (hi - 0.4).abs() < 1e-12,
            "{lo} {hi}"
        );
        // x stays bought to its cap while its cost is below y's (3): Δ ≤ 1, down to −∞.
        let (lo, hi) = b.cost_range(x);
        assert!(
            lo == f64::NEG_INFINITY && (hi - 1.0).abs() < 1e-12,
            "{lo} {hi}"
        );
        // y stays the marginal supplier while its cost stays above x's: Δ ≥ −1.
        let (lo, hi) = b.cost_range(y);
        assert!((lo + 1.0).abs() < 1e-12 && hi == f64::INFINITY, "{lo} {hi}");
    }

    #[test]
    fn degenerate_vertex_gets_a_dual_feasible_basis() {
        // min x + 2y s.t. x + y = 1, x ≤ 1 (row, binding and degenerate with y = 0).
        let mut lp = Lp::default();
        let x = lp.add_var(0.0, f64::INFINITY, 1.0);
        let y = lp.add_var(0.0, f64::INFINITY, 2.0);
        lp.add_row(
            crate::engine::lp::RowTag::Other,
            vec![(x, 1.0), (y, 1.0)],
            Sense::Eq,
            1.0,
        );
        lp.add_row(
            crate::engine::lp::RowTag::Other,
            vec![(x, 1.0)],
            Sense::Le,
            1.0,
        );
        let b = Basis::at(&lp, &[1.0, 0.0]).expect("a basis");
        // The completed basis {x, demand slack} prices the cap at −1; Bland's pivot swaps
        // in the cap's slack: duals (1, 0), the cheaper supplier at its cap costs nothing.
        assert!(
            (b.duals[0] - 1.0).abs() < 1e-12 && b.duals[1].abs() < 1e-12,
            "{:?}",
            b.duals
        );
        for j in 0..4 {
            match b.place[j] {
                Place::Lower => assert!(b.reduced[j] >= -1e-12),
                Place::Upper => assert!(b.reduced[j] <= 1e-12),
                _ => {}
            }
        }
        let _ = (x, y);
    }
}
