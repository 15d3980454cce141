//! Optimizing one block: the backend solve, polishing to a vertex, and for HHI caps
//! either exact cones (one solve, on a backend that has them) or the engine's rounds of
//! tangent cuts until every cap holds to [`CUT_TOLERANCE`].

use crate::engine::conic::solve_with_epigraphs;
use crate::engine::cuts::{CutEnd, CutLoop};
use crate::engine::{
    route, solve_lp, BackendOptions, FailureReason, LpResult, LpStatus, SolverKind,
};
use crate::formulate::{Block, RowTag};
use crate::tolerance::{CUT_DEPTH, CUT_TOLERANCE, MAX_CUT_ROUNDS, SLACK_FOR_VERTEX};

use super::Deadline;

/// What optimizing a block returned: the backend's result and the cut rounds it took.
pub(super) struct Optimized {
    pub result: LpResult,
    pub cut_rounds: usize,
}

/// Solves `block` with `kind`, adding tangent cuts to it while an HHI cap is violated.
pub(super) fn optimize(
    block: &mut Block,
    kind: SolverKind,
    backend: &mut BackendOptions,
    deadline: Deadline,
) -> Optimized {
    if !block.empty_violations.is_empty() {
        return Optimized {
            result: LpResult::failed(LpStatus::Infeasible),
            cut_rounds: 0,
        };
    }
    // A backend with cones states the HHI caps exactly: one solve, no cut rounds.
    let cones = route::caps_as_cones(kind, block.lp.has_integers());
    let run = CutLoop::new(MAX_CUT_ROUNDS).run(
        block,
        |block, round| {
            backend.time_limit_secs = deadline.remaining();
            solve_once(block, kind, backend, cones && round == 0, deadline)
        },
        |block, x| !violated(block, x),
        |block, x| block.add_cuts(x, CUT_DEPTH),
    );
    let rounds = run.rounds;
    let result = match run.end {
        CutEnd::NoPoint => run.result,
        CutEnd::Holds if cones && rounds == 0 && block.concentration.is_some() => {
            let slack = block
                .cap_values(&run.result.x)
                .iter()
                .all(|&(k, v)| v < block.instances[k].bound - SLACK_FOR_VERTEX);
            slack
                .then(|| vertex_when_caps_slack(block, kind, backend, deadline))
                .flatten()
                .unwrap_or(run.result)
        }
        CutEnd::Holds => run.result,
        CutEnd::Stalled => LpResult::failed(LpStatus::Failed(
            FailureReason::CutsStalled,
            format!(
                "the HHI caps were not met to within {CUT_TOLERANCE} after {rounds} rounds of tangent cuts; no plan that violates a cap is returned"
            ),
        )),
    };
    Optimized {
        result,
        cut_rounds: rounds,
    }
}

/// True when an HHI cap of `block` is violated at `x` by more than [`CUT_TOLERANCE`].
fn violated(block: &Block, x: &[f64]) -> bool {
    block
        .cap_values(x)
        .iter()
        .any(|&(k, v)| v > block.instances[k].bound + CUT_TOLERANCE)
}

/// One backend solve: cones when `conic`, else the LP (with the current cuts); an
/// interior-point LP optimum of a block without caps is polished to a vertex.
fn solve_once(
    block: &Block,
    kind: SolverKind,
    backend: &BackendOptions,
    conic: bool,
    deadline: Deadline,
) -> LpResult {
    let result = match (&block.concentration, conic) {
        (Some(c), true) => {
            let pairs: Vec<(usize, usize)> = c.countries.iter().map(|&(_, s, t)| (s, t)).collect();
            let lp = &block.lp;
            solve_with_epigraphs(
                lp,
                &pairs,
                |r| lp.rows[r].tag == RowTag::Cut,
                backend.time_limit_secs,
            )
        }
        _ => solve_lp(kind, &block.lp, backend),
    };
    if block.concentration.is_some() {
        return result;
    }
    route::polished(
        kind,
        &block.lp,
        clamp_violations(block, result),
        deadline.remaining(),
    )
}

/// `result` with each soft row's violation held at 0 or above: an interior point's
/// violation a hair below 0 at a huge penalty would make it look better than the vertex
/// polishing finds (which is then refused).
fn clamp_violations(block: &Block, mut result: LpResult) -> LpResult {
    for e in &block.elastic {
        if let Some(v) = result.x.get_mut(e.var) {
            *v = v.max(0.0);
        }
    }
    result
}

/// A cap with slack at the cone solution does not shape the optimum: the polished LP
/// optimum (the caps' cuts only) is then optimal too, and an exact vertex — kept when it
/// meets every cap.
fn vertex_when_caps_slack(
    block: &Block,
    kind: SolverKind,
    backend: &BackendOptions,
    deadline: Deadline,
) -> Option<LpResult> {
    let lp_result = solve_lp(kind, &block.lp, backend);
    if lp_result.status != LpStatus::Optimal {
        return None;
    }
    let lp_result = route::polished(kind, &block.lp, lp_result, deadline.remaining());
    let holds = block
        .cap_values(&lp_result.x)
        .iter()
        .all(|&(k, v)| v <= block.instances[k].bound + CUT_TOLERANCE);
    holds.then_some(lp_result)
}
