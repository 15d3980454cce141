//! Optimizing one block: the backend solve, polishing to a vertex, and for HHI caps
//! either Clarabel's exact cones (one solve) or rounds of tangent cuts until every cap
//! holds to [`CUT_TOLERANCE`].

use crate::conic::solve_with_epigraphs;
use crate::formulate::{Block, RowTag};
use crate::polish::polish;
use crate::solvers::{solve_lp, BackendOptions, FailureReason, LpResult, LpStatus, SolverKind};
use crate::tolerance::{CUT_DEPTH, CUT_TOLERANCE, SLACK_FOR_VERTEX};

use super::Deadline;

/// Most rounds of tangent cuts before giving up (exit 4).
const MAX_CUT_ROUNDS: usize = 100;

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
    let mut rounds = 0;
    let result = loop {
        if !block.empty_violations.is_empty() {
            break LpResult::failed(LpStatus::Infeasible);
        }
        backend.time_limit_secs = deadline.remaining();
        // Clarabel states HHI caps exactly as cones: one solve, no cut rounds.
        let conic = kind == SolverKind::Clarabel && rounds == 0 && !block.lp.has_integers();
        let result = solve_once(block, kind, backend, conic, deadline);
        if !matches!(result.status, LpStatus::Optimal | LpStatus::Feasible)
            || block.concentration.is_none()
        {
            break result;
        }
        let caps = block.cap_values(&result.x);
        let violated = caps
            .iter()
            .any(|&(k, v)| v > block.instances[k].bound + CUT_TOLERANCE);
        if !violated {
            let slack = caps
                .iter()
                .all(|&(k, v)| v < block.instances[k].bound - SLACK_FOR_VERTEX);
            if conic && slack {
                if let Some(vertex) = vertex_when_caps_slack(block, kind, backend, deadline) {
                    break vertex;
                }
            }
            break result;
        }
        rounds += 1;
        if rounds > MAX_CUT_ROUNDS || block.add_cuts(&result.x, CUT_DEPTH) == 0 {
            break LpResult::failed(LpStatus::Failed(
                FailureReason::CutsStalled,
                format!(
                    "the HHI caps were not met to within {CUT_TOLERANCE} after {rounds} rounds of tangent cuts; no plan that violates a cap is returned"
                ),
            ));
        }
    };
    Optimized {
        result,
        cut_rounds: rounds,
    }
}

/// One backend solve: cones when `conic`, else the LP (with the current cuts); a
/// Clarabel LP optimum is polished to a vertex.
fn solve_once(
    block: &Block,
    kind: SolverKind,
    backend: &BackendOptions,
    conic: bool,
    deadline: Deadline,
) -> LpResult {
    let mut result = match (&block.concentration, conic) {
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
    if kind == SolverKind::Clarabel
        && result.status == LpStatus::Optimal
        && block.concentration.is_none()
    {
        if let Some(x) = polish(&block.lp, &result.x, deadline.remaining()) {
            result.x = x;
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
    let mut lp_result = solve_lp(kind, &block.lp, backend);
    if lp_result.status != LpStatus::Optimal {
        return None;
    }
    if let Some(x) = polish(&block.lp, &lp_result.x, deadline.remaining()) {
        lp_result.x = x;
    }
    let holds = block
        .cap_values(&lp_result.x)
        .iter()
        .all(|&(k, v)| v <= block.instances[k].bound + CUT_TOLERANCE);
    holds.then_some(lp_result)
}
