//! The one HHI cut loop: solve, and while a quadratic cap t ≥ s² is violated at the
//! point found, add tangent cuts t ≥ 2a·s − a² there and solve again, until every cap
//! holds within the caller's tolerance or the round limit is passed.

use crate::engine::lp::{Lp, RowTag, Sense};

use super::{LpResult, LpStatus};

/// The tangent of t ≥ s² at s = a, as the row t − 2a·s ≥ −a².
pub fn tangent(s: usize, t: usize, a: f64) -> (Vec<(usize, f64)>, Sense, f64) {
    (vec![(t, 1.0), (s, -2.0 * a)], Sense::Ge, -a * a)
}

/// Adds the tangent of t ≥ s² at s = a to `lp`.
pub fn add_tangent(lp: &mut Lp, s: usize, t: usize, a: f64) {
    let (terms, sense, rhs) = tangent(s, t, a);
    lp.add_row(RowTag::Cut, terms, sense, rhs);
}

/// How the loop is run: its round limit, the rounds already made, and which statuses
/// carry a point to cut at (any other ends the loop).
#[derive(Debug, Clone, Copy)]
pub(crate) struct CutLoop {
    /// Most rounds of cuts: the loop stops once a round past it would be needed.
    pub max_rounds: usize,
    /// Rounds counted before the loop's first solve (a cone solve that missed a cap).
    pub first_round: usize,
    /// True for a status whose point the loop checks and cuts at.
    pub accept: fn(&LpStatus) -> bool,
}

/// How the loop ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CutEnd {
    /// Every cap holds at the last point.
    Holds,
    /// The last solve gave no point to cut at (its status is not accepted).
    NoPoint,
    /// A cap is violated, but no cut deep enough was left or the round limit was passed.
    Stalled,
}

/// What the loop returns: the last solve, the rounds counted and how it ended. On a
/// stall, the round that could not proceed is counted.
pub(crate) struct CutRun {
    /// The last backend result.
    pub result: LpResult,
    /// Rounds of cuts, counted from `first_round`.
    pub rounds: usize,
    /// How the loop ended.
    pub end: CutEnd,
}

impl CutLoop {
    /// A loop of at most `max_rounds` rounds that cuts at optimal or limit-stopped points.
    pub(crate) fn new(max_rounds: usize) -> Self {
        CutLoop {
            max_rounds,
            first_round: 0,
            accept: LpStatus::has_point,
        }
    }

    /// Runs the loop on `state`: `solve` it (given the round), check with `holds` that
    /// every cap holds at the point, and `cut` it there (returning how many cuts it added).
    pub(crate) fn run<S>(
        &self,
        state: &mut S,
        mut solve: impl FnMut(&S, usize) -> LpResult,
        holds: impl Fn(&S, &[f64]) -> bool,
        mut cut: impl FnMut(&mut S, &[f64]) -> usize,
    ) -> CutRun {
        let mut rounds = self.first_round;
        loop {
            let result = solve(state, rounds);
            let end = if !(self.accept)(&result.status) {
                Some(CutEnd::NoPoint)
            } else if holds(state, &result.x) {
                Some(CutEnd::Holds)
            } else {
                rounds += 1;
                (rounds > self.max_rounds || cut(state, &result.x) == 0).then_some(CutEnd::Stalled)
            };
            if let Some(end) = end {
                return CutRun {
                    result,
                    rounds,
                    end,
                };
            }
        }
    }
}

/// Adds the tangent cut t ≥ 2a·s − a² at a = s for every pair (s, t) of `pairs` whose t
/// lies more than `depth` below s² at `x`; returns how many.
pub(crate) fn add_tangent_cuts(
    lp: &mut Lp,
    pairs: &[(usize, usize)],
    x: &[f64],
    depth: f64,
) -> usize {
    let mut added = 0;
    for &(s, t) in pairs {
        let a = x[s];
        if a * a - x[t] > depth {
            add_tangent(lp, s, t, a);
            added += 1;
        }
    }
    added
}
