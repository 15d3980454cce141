//! How a backend's solve ended: typed statuses and the result every backend returns.

use std::fmt;

/// Which limit stopped a solve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Limit {
    /// The time limit.
    Time,
    /// An iteration limit of the backend.
    Iterations,
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Limit::Time => "time limit reached",
            Limit::Iterations => "iteration limit reached",
        })
    }
}

/// Why a solve failed, as the backend adapters classify it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureReason {
    /// Numerical trouble (ill-conditioning, no progress): another backend may succeed.
    Numerical,
    /// The backend reported an error of its own or an unexpected status.
    Solver,
    /// The backend cannot handle what the problem needs (e.g. integer variables).
    Unsupported,
    /// The backend returned a non-finite value.
    NonFinite,
    /// The problem was reported unbounded, which a model with non-negative costs cannot be.
    Unbounded,
    /// The rounds of HHI tangent cuts did not meet the caps to tolerance.
    CutsStalled,
    /// The plan does not satisfy the model when checked independently.
    InvalidPlan,
}

/// How a backend's solve ended.
#[derive(Debug, Clone, PartialEq)]
pub enum LpStatus {
    /// Proven optimal (to the MIP gap for integer problems).
    Optimal,
    /// A feasible point, stopped by a limit before optimality was proven.
    Feasible,
    /// No feasible point exists.
    Infeasible,
    /// The objective is unbounded below.
    Unbounded,
    /// Stopped by a limit without a feasible point.
    LimitNoSolution(Limit),
    /// The backend failed: why, and its words.
    Failed(FailureReason, String),
}

impl LpStatus {
    /// True when the solve returned a point (optimal, or feasible at a limit).
    pub(crate) fn has_point(&self) -> bool {
        matches!(self, LpStatus::Optimal | LpStatus::Feasible)
    }

    /// True for a proven optimum only.
    pub(crate) fn is_optimal(&self) -> bool {
        *self == LpStatus::Optimal
    }
}

/// What a backend returns.
#[derive(Debug, Clone, PartialEq)]
pub struct LpResult {
    /// How it ended.
    pub status: LpStatus,
    /// Variable values (empty unless Optimal or Feasible).
    pub x: Vec<f64>,
    /// Row duals, d objective / d rhs, when computed.
    pub duals: Option<Vec<f64>>,
}

impl LpResult {
    pub(crate) fn failed(status: LpStatus) -> Self {
        LpResult {
            status,
            x: Vec::new(),
            duals: None,
        }
    }
}
