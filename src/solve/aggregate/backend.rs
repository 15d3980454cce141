//! Solving one continuous problem (linear rows, optionally HHI caps) with one backend,
//! the way a full block is solved: a backend with cones through its native API (typed
//! status), its interior point polished to a vertex, HHI caps as cones there and by the
//! engine's rounds of tangent cuts otherwise.

use std::borrow::Cow;

use crate::engine::conic::solve_with_epigraphs;
use crate::engine::cuts::{add_tangent_cuts, CutEnd, CutLoop};
use crate::engine::lp::Lp;
use crate::engine::{
    route, solve_lp, BackendOptions, FailureReason, LpResult, LpStatus, SolverKind,
};
use crate::formulate::RowTag;
use crate::solve::Deadline;
use crate::tolerance::{CUT_DEPTH, CUT_TOLERANCE, MAX_CUT_ROUNDS, SLACK_FOR_VERTEX};

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
        Some(_) if route::caps_as_cones(kind, p.lp.has_integers()) => {
            solve_cones(p, kind, duals, deadline)
        }
        Some(_) => cut_rounds(p, kind, duals, deadline, 0),
    };
    if let Some(d) = &mut solved.result.duals {
        d.truncate(rows);
    }
    solved
}

/// Solves a linear problem: a backend with cones natively (no cones given), other
/// backends through good_lp; an interior point polished to a vertex.
pub(crate) fn solve_linear(lp: &Lp, kind: SolverKind, duals: bool, deadline: Deadline) -> LpResult {
    let r = if kind.capabilities().cones {
        solve_with_epigraphs(lp, &[], |_| false, deadline.remaining())
    } else {
        solve_lp(
            kind,
            lp,
            &BackendOptions {
                time_limit_secs: deadline.remaining(),
                mip_gap: 0.0,
                duals: duals && kind.capabilities().duals,
            },
        )
    };
    let mut r = route::polished(kind, lp, r, deadline.remaining());
    if !duals {
        r.duals = None;
    }
    r
}

/// HHI caps as cones in one solve of `kind`; an exact LP vertex when every cap is slack;
/// rounds of cuts in the rare case the cone solution misses a cap.
fn solve_cones(p: &mut Problem<'_>, kind: SolverKind, duals: bool, deadline: Deadline) -> Solved {
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
        return cut_rounds(p, kind, duals, deadline, 1);
    }
    if caps.values(&r.x).all(|(v, b)| v < b - SLACK_FOR_VERTEX) {
        let vertex = solve_linear(&p.lp, kind, duals, deadline);
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

/// Outer approximation of t ≥ s² by tangent cuts, LP after LP, until every cap holds
/// (the engine's cut loop, counting from `first_round`).
fn cut_rounds(
    p: &mut Problem<'_>,
    kind: SolverKind,
    duals: bool,
    deadline: Deadline,
    first_round: usize,
) -> Solved {
    let caps = p.caps.clone().unwrap_or_default();
    let cut_loop = CutLoop {
        first_round,
        ..CutLoop::new(MAX_CUT_ROUNDS)
    };
    let run = cut_loop.run(
        p,
        |p, _| solve_linear(&p.lp, kind, duals, deadline),
        |_, x| caps.hold(x, CUT_TOLERANCE),
        |p, x| add_tangent_cuts(p.lp.to_mut(), &caps.pairs, x, CUT_DEPTH),
    );
    let rounds = run.rounds;
    let result = match run.end {
        CutEnd::Holds | CutEnd::NoPoint => run.result,
        CutEnd::Stalled => LpResult::failed(LpStatus::Failed(
            FailureReason::CutsStalled,
            format!(
                "the HHI caps were not met to within {CUT_TOLERANCE} after {rounds} rounds of tangent cuts"
            ),
        )),
    };
    Solved {
        result,
        cut_rounds: rounds,
    }
}
