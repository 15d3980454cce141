//! Column screening for the decomposition's cold master: the master holds only the
//! offers that can matter, and prices the others after every solve.
//!
//! An interior-point master costs about linearly in its offers (10,000 offers × 1
//! mineral × 100 scenarios: 1.25 s a round; 3,300: 0.43 s), while a plan buys a third of
//! them and the robust plan differs from the nominal one in a few hundred. So the master
//! starts from the offers the incumbent buys, with every cheaper offer of their class and
//! a few dearer ones ([`MARGIN`]); the rest are held at zero. After each solve, the row
//! duals y give every held-out offer j its reduced cost r_j = c_j − yᵀA_j, and weak
//! duality bounds the whole master: its optimum is at least the restricted optimum plus
//! Σ_j min(0, r_j) · u_j over the held-out offers (u_j their upper bounds). That sum is
//! counted into the round's lower bound, and the offers with r_j < 0 join the master for
//! the next round, so the decomposition ends at the optimum of the full master as
//! before. A plan of the restricted master is a plan of the full one (the held-out offers
//! at zero meet their bounds), so upper bounds are unaffected.

use crate::engine::lp::{lift, Lp, Slot};
use crate::engine::LpResult;

use super::master::Skeleton;
use super::Problem;

/// Dearer offers held beyond the dearest one the incumbent buys in each class.
pub const MARGIN: usize = 20;

/// A held-out offer joins the master when r_j · u_j is below −this × |objective| (a
/// reduced cost within the solver's accuracy of zero is not worth a column).
const PRICE_TOLERANCE: f64 = 1e-12;

/// Which of the master's variables it holds.
#[derive(Debug, Clone)]
pub(super) struct Columns {
    /// Per variable of the blocks (the first variables of every skeleton): held. The
    /// skeleton's later variables (prefix sums, θ, η, z) are always held.
    held: Vec<bool>,
}

/// A restricted master's solve: the result over all variables (held-out ones zero),
/// the weak-duality allowance for the held-out offers, and how many joined.
pub(super) struct Screened {
    /// The solve, with `x` over the full program.
    pub result: LpResult,
    /// Σ min(0, r_j) u_j over the held-out offers, unit U (≤ 0; −∞ without duals).
    pub allowance: f64,
    /// Offers that joined the master for the next round.
    pub joined: usize,
}

impl Screened {
    /// A solve over the whole program.
    pub fn whole(result: LpResult) -> Screened {
        Screened {
            result,
            allowance: 0.0,
            joined: 0,
        }
    }
}

impl Columns {
    /// The columns of the first master for `p`, skeleton `sk`, incumbent `plan` (per
    /// offer, model units): per class, the offers up to the dearest one bought plus
    /// [`MARGIN`]; every other variable of the blocks, and every unlimited offer.
    pub fn new(p: &Problem, sk: &Skeleton, plan: &[f64]) -> Columns {
        let n: usize = p.blocks.iter().map(|b| b.lp.vars.len()).sum();
        let mut held = vec![true; n];
        for class in &p.classes.classes {
            let bought = class.offers.iter().rposition(|&i| plan[i] > 0.0);
            let keep = bought.map_or(0, |k| k + 1) + MARGIN;
            for &i in class.offers.iter().skip(keep) {
                if let Some(v) = sk.offer_var(p, i) {
                    held[v] = !sk.lp.vars[v].upper.is_finite();
                }
            }
        }
        Columns { held }
    }

    /// True when variable `j` of a skeleton is held.
    fn holds(&self, j: usize) -> bool {
        self.held.get(j).copied().unwrap_or(true)
    }

    /// Solves `lp` (a skeleton's program) over the held columns with `solve` (given the
    /// restricted program and where each variable went; it must return row duals),
    /// prices the others and lets those that improve the master join.
    pub fn solve(&mut self, lp: &Lp, solve: impl FnOnce(&Lp, &[Slot]) -> LpResult) -> Screened {
        let (restricted, slots) = lp.with_fixed(|j| (!self.holds(j)).then_some(0.0));
        let mut result = solve(&restricted, &slots);
        if result.status != crate::engine::LpStatus::Optimal {
            return Screened::whole(result);
        }
        result.x = lift(&slots, &result.x);
        let Some(duals) = result.duals.take() else {
            // Nothing to price with: every offer joins, and this round bounds nothing.
            let joined = self.held.iter().filter(|&&h| !h).count();
            self.held.iter_mut().for_each(|h| *h = true);
            return Screened {
                result,
                allowance: f64::NEG_INFINITY,
                joined,
            };
        };
        let (allowance, joined) = self.price(lp, &duals, lp.objective(&result.x));
        Screened {
            result,
            allowance,
            joined,
        }
    }

    /// Reduced costs of the held-out variables at row duals `duals`; returns the
    /// allowance and the number that joined (those priced below the tolerance).
    fn price(&mut self, lp: &Lp, duals: &[f64], objective: f64) -> (f64, usize) {
        let columns = lp.columns();
        let floor = -PRICE_TOLERANCE * objective.abs().max(f64::MIN_POSITIVE);
        let (mut allowance, mut joined) = (0.0, 0);
        for (j, (held, column)) in self.held.iter_mut().zip(&columns).enumerate() {
            if *held {
                continue;
            }
            let r = lp.reduced_cost(j, duals, column);
            if r >= 0.0 {
                continue;
            }
            let value = r * lp.vars[j].upper;
            allowance += value;
            if value < floor {
                *held = true;
                joined += 1;
            }
        }
        (allowance, joined)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::lp::{RowTag, Sense};
    use crate::engine::{solve_lp, BackendOptions, SolverKind};

    fn clarabel(lp: &Lp) -> LpResult {
        let opts = BackendOptions {
            time_limit_secs: None,
            mip_gap: 0.0,
            duals: true,
        };
        solve_lp(SolverKind::Clarabel, lp, &opts)
    }

    /// min x1 + 2 x2 + 3 x3 with x1 + x2 + x3 ≥ 1 and 0 ≤ x ≤ 0.6, x1 held out: the
    /// restricted optimum is 2.4 (x2 = 0.6, x3 = 0.4) with dual 3 on the row, so x1's
    /// reduced cost is 1 − 3 = −2 and the bound 2.4 − 2 · 0.6 = 1.2 lies below the
    /// optimum 1.4 (x1 = 0.6, x2 = 0.4), which the next solve, with x1 in, reaches.
    /// min Σ cost_j x_j with Σ x ≥ 1, 0 ≤ x ≤ 0.6, and columns holding all but x1.
    fn three(costs: [f64; 3]) -> (Lp, Columns) {
        let mut lp = Lp::default();
        for cost in costs {
            lp.add_var(0.0, 0.6, cost);
        }
        lp.add_row(
            RowTag::Other,
            vec![(0, 1.0), (1, 1.0), (2, 1.0)],
            Sense::Ge,
            1.0,
        );
        let columns = Columns {
            held: vec![false, true, true],
        };
        (lp, columns)
    }

    #[test]
    fn pricing_bounds_the_full_optimum_and_lets_the_column_in() {
        let (lp, mut columns) = three([1.0, 2.0, 3.0]);
        let first = columns.solve(&lp, |lp, slots| {
            assert_eq!(slots, [Slot::Fixed(0.0), Slot::Free(0), Slot::Free(1)]);
            assert_eq!(lp.vars.len(), 2);
            clarabel(lp)
        });
        let x = &first.result.x;
        assert_eq!(x.len(), 3);
        assert_eq!(x[0], 0.0);
        assert!((lp.objective(x) - 2.4).abs() < 1e-7, "{x:?}");
        assert!((first.allowance + 1.2).abs() < 1e-7, "{}", first.allowance);
        assert_eq!(first.joined, 1);
        let second = columns.solve(&lp, |lp, _| clarabel(lp));
        assert!((lp.objective(&second.result.x) - 1.4).abs() < 1e-7);
        assert_eq!((second.allowance, second.joined), (0.0, 0));
    }

    /// A held-out column that would not improve the program stays out, and costs the
    /// bound nothing.
    #[test]
    fn a_dear_column_stays_out() {
        let (lp, mut columns) = three([5.0, 2.0, 3.0]);
        let s = columns.solve(&lp, |lp, _| clarabel(lp));
        assert!((lp.objective(&s.result.x) - 2.4).abs() < 1e-7);
        assert_eq!((s.allowance, s.joined), (0.0, 0));
        assert!(!columns.held[0]);
    }
}
