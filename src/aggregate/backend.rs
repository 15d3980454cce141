//! Solving one continuous problem (linear rows, optionally HHI caps) with one backend,
//! the way a full block is solved: Clarabel natively (typed status) and polished to a
//! vertex, HHI caps as cones with Clarabel and by rounds of tangent cuts otherwise.

use std::borrow::Cow;

use crate::conic::solve_with_epigraphs;
use crate::formulate::RowTag;
use crate::lp::{Lp, Sense};
use crate::polish::polish;
use crate::solve::Deadline;
use crate::solvers::{solve_lp, BackendOptions, FailureReason, LpResult, LpStatus, SolverKind};
use crate::tolerance::{CUT_DEPTH, CUT_TOLERANCE, SLACK_FOR_VERTEX};

/// Most rounds of tangent cuts before giving up.
const MAX_CUT_ROUNDS: usize = 100;

/// HHI caps of a problem, in its own variable indices.
#[derive(Debug, Clone, Default)]
pub(crate) struct Caps {
    /// (s, t) epigraph pairs, t ≥ s².
    pub pairs: Vec<(usize, usize)>,
    /// (bound, weight per pair) of each cap Σ w t ≤ bound.
    pub caps: Vec<(f64, Vec<f64>)>,
}

impl Caps {
    /// True when every cap holds at `x` within `tol` above its bound.
    fn hold(&self, x: &[f64], tol: f64) -> bool {
        self.values(x).all(|(v, b)| v <= b + tol)
    }

    /// (Σ w s², bound) of each cap at `x`.
    fn values<'a>(&'a self, x: &'a [f64]) -> impl Iterator<Item = (f64, f64)> + 'a {
        self.caps.iter().map(move |(b, w)| {
            let v = self
                .pairs
                .iter()
                .zip(w)
                .map(|(&(s, _), w)| w * x[s] * x[s])
                .sum();
            (v, *b)
        })
    }
}

/// A continuous problem: an LP (its rows tagged [`RowTag::Cut`] are tangent cuts, left
/// out when the caps are cones) and its HHI caps.
#[derive(Debug, Clone)]
pub(crate) struct Problem<'a> {
    /// The linear part.
    pub lp: Cow<'a, Lp>,
    /// The HHI caps, if any.
    pub caps: Option<Caps>,
}

/// What solving a [`Problem`] gave.
pub(crate) struct Solved {
    /// The backend's result (duals for the rows the problem had when given).
    pub result: LpResult,
    /// Rounds of tangent cuts after the first solve.
    pub cut_rounds: usize,
}

/// Solves `p` with `kind`; row duals when `duals` and the backend has them.
pub(crate) fn solve_problem(
    p: &mut Problem<'_>,
    kind: SolverKind,
    duals: bool,
    deadline: Deadline,
) -> Solved {
    let rows = p.lp.rows.len();
    let mut solved = match &p.caps {
        None => Solved {
            result: solve_linear(&p.lp, kind, duals, deadline),
            cut_rounds: 0,
        },
        Some(_) if kind == SolverKind::Clarabel => solve_cones(p, duals, deadline),
        Some(_) => cut_rounds(p, kind, duals, deadline, 0),
    };
    if let Some(d) = &mut solved.result.duals {
        d.truncate(rows);
    }
    solved
}

/// Solves a linear problem: Clarabel natively and polished, other backends through
/// good_lp.
pub(crate) fn solve_linear(lp: &Lp, kind: SolverKind, duals: bool, deadline: Deadline) -> LpResult {
    let mut r = match kind {
        SolverKind::Clarabel => solve_with_epigraphs(lp, &[], |_| false, deadline.remaining()),
        _ => solve_lp(
            kind,
            lp,
            &BackendOptions {
                time_limit_secs: deadline.remaining(),
                mip_gap: 0.0,
                duals: duals && kind.capabilities().duals,
            },
        ),
    };
    if kind == SolverKind::Clarabel && r.status == LpStatus::Optimal {
        if let Some(x) = polish(lp, &r.x, deadline.remaining()) {
            r.x = x;
        }
    }
    if !duals {
        r.duals = None;
    }
    r
}

/// HHI caps as cones in one Clarabel solve; an exact LP vertex when every cap is slack;
/// rounds of cuts in the rare case the cone solution misses a cap.
fn solve_cones(p: &mut Problem<'_>, duals: bool, deadline: Deadline) -> Solved {
    let caps = p.caps.as_ref().expect("caps");
    let lp = &p.lp;
    let mut r = solve_with_epigraphs(
        lp,
        &caps.pairs,
        |k| lp.rows[k].tag == RowTag::Cut,
        deadline.remaining(),
    );
    if !duals {
        r.duals = None;
    }
    if r.status != LpStatus::Optimal {
        return Solved {
            result: r,
            cut_rounds: 0,
        };
    }
    if !caps.hold(&r.x, CUT_TOLERANCE) {
        return cut_rounds(p, SolverKind::Clarabel, duals, deadline, 1);
    }
    if caps.values(&r.x).all(|(v, b)| v < b - SLACK_FOR_VERTEX) {
        let vertex = solve_linear(&p.lp, SolverKind::Clarabel, duals, deadline);
        if vertex.status == LpStatus::Optimal && caps.hold(&vertex.x, CUT_TOLERANCE) {
            return Solved {
                result: vertex,
                cut_rounds: 0,
            };
        }
    }
    Solved {
        result: r,
        cut_rounds: 0,
    }
}

/// Outer approximation of t ≥ s² by tangent cuts, LP after LP, until every cap holds.
fn cut_rounds(
    p: &mut Problem<'_>,
    kind: SolverKind,
    duals: bool,
    deadline: Deadline,
    first_round: usize,
) -> Solved {
    let caps = p.caps.clone().unwrap_or_default();
    let mut rounds = first_round;
    loop {
        let r = solve_linear(&p.lp, kind, duals, deadline);
        if !matches!(r.status, LpStatus::Optimal | LpStatus::Feasible)
            || caps.hold(&r.x, CUT_TOLERANCE)
        {
            return Solved {
                result: r,
                cut_rounds: rounds,
            };
        }
        rounds += 1;
        let added = add_cuts(p, &caps, &r.x);
        if rounds > MAX_CUT_ROUNDS || added == 0 {
            return Solved {
                result: LpResult {
                    status: LpStatus::Failed(FailureReason::CutsStalled, format!(
                        "the HHI caps were not met to within {CUT_TOLERANCE} after {rounds} rounds of tangent cuts"
                    )),
                    x: Vec::new(),
                    duals: None,
                },
                cut_rounds: rounds,
            };
        }
    }
}

/// Adds t ≥ 2a·s − a² at a = s for every pair whose t is below s²; returns how many.
fn add_cuts(p: &mut Problem<'_>, caps: &Caps, x: &[f64]) -> usize {
    let mut added = 0;
    for &(s, t) in &caps.pairs {
        let a = x[s];
        if a * a - x[t] > CUT_DEPTH {
            p.lp.to_mut().add_row(
                RowTag::Cut,
                vec![(t, 1.0), (s, -2.0 * a)],
                Sense::Ge,
                -a * a,
            );
            added += 1;
        }
    }
    added
}
