//! The engine's choices, each stated once from the backends' declared capabilities:
//! HHI caps as cones or by tangent cuts, polishing an interior point to a vertex, and
//! which backends to fall back to when one fails.

use super::{FailureReason, LpStatus, SolverKind};

/// The backend with cones (Clarabel, in every build).
pub(crate) fn with_cones() -> SolverKind {
    SolverKind::all()
        .into_iter()
        .find(|k| k.capabilities().cones)
        .expect("every build has a backend with cones")
}

/// The first backend of this build that keeps a model warm between solves (HiGHS),
/// if any.
pub(crate) fn warm_backend() -> Option<SolverKind> {
    SolverKind::all()
        .into_iter()
        .find(|k| k.capabilities().warm_start)
}

/// True when `kind` states a problem's HHI caps as exact cones in one solve (a backend
/// with cones, on a continuous problem); otherwise the caps are met by tangent cuts.
pub(crate) fn caps_as_cones(kind: SolverKind, needs_integers: bool) -> bool {
    kind.capabilities().cones && !needs_integers
}

/// True when an LP optimum of `kind` is an interior point, to be polished into a vertex.
pub(crate) fn polishes(kind: SolverKind) -> bool {
    !kind.capabilities().vertices
}

/// The backends tried after `kind` failed, in listing order.
pub(crate) fn fallbacks(kind: SolverKind) -> impl Iterator<Item = SolverKind> {
    SolverKind::all().into_iter().filter(move |&k| k != kind)
}

/// True when the backend failed in a way another backend may not: numerical trouble, an
/// error of its own, a non-finite value, cuts that stall, or "unbounded" (a block's costs
/// and variables are non-negative, so that is a failure too).
pub(crate) fn worth_retrying(status: &LpStatus) -> bool {
    match status {
        LpStatus::Unbounded => true,
        LpStatus::Failed(reason, _) => matches!(
            reason,
            FailureReason::Numerical
                | FailureReason::Solver
                | FailureReason::NonFinite
                | FailureReason::CutsStalled
                | FailureReason::Unbounded
                | FailureReason::InvalidPlan
        ),
        LpStatus::Optimal
        | LpStatus::Feasible
        | LpStatus::Infeasible
        | LpStatus::LimitNoSolution(_) => false,
    }
}

/// `result` with its point polished into a vertex when `kind` returns interior points
/// and the solve ended optimal (kept as it is when polishing does not succeed).
pub(crate) fn polished(
    kind: SolverKind,
    lp: &crate::engine::lp::Lp,
    mut result: super::LpResult,
    time_limit_secs: Option<f64>,
) -> super::LpResult {
    if polishes(kind) && result.status == LpStatus::Optimal {
        if let Some(x) = super::polish::polish(lp, &result.x, time_limit_secs) {
            result.x = x;
        }
    }
    result
}
