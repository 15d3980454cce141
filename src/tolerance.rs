//! Numerical tolerances, in one place, each with why it has its value. Shares and
//! indices are fractions of the mineral's demand; blocks are scaled so these apply to
//! coefficients near 1.
//!
//! The chain that matters: the backends solve to [`SOLVER_FEASIBILITY`] (the cone solver
//! to [`CONIC_TOLERANCE`]), the HHI cut loop stops at [`CUT_TOLERANCE`], and the plan
//! checker accepts [`FEASIBILITY`] — each an order of magnitude inside the next, so a
//! plan the solver calls feasible always passes the check (asserted at compile time).

/// Primal and MIP feasibility asked of HiGHS: below the cut tolerance, so cut rounds can
/// reach it (HiGHS' defaults, 1e-7 and 1e-6, never let a MIP with HHI caps converge).
pub const SOLVER_FEASIBILITY: f64 = 1e-9;

/// Feasibility and duality-gap tolerances of the interior-point (cone) solver: tight
/// enough that HHI shadow prices come out to ~1e-6 and polishing finds the vertex.
pub const CONIC_TOLERANCE: f64 = 1e-10;

/// Largest violation of an HHI cap (index units) at which the cut loop stops: ten times
/// inside the 1e-7 the SPEC allows, and above [`SOLVER_FEASIBILITY`].
pub const CUT_TOLERANCE: f64 = 1e-8;

/// A tangent cut is added for a country whose epigraph variable is below s² by more
/// than this: a hundredth of [`CUT_TOLERANCE`], so each round cuts off what matters.
pub const CUT_DEPTH: f64 = CUT_TOLERANCE / 100.0;

/// A plan may miss a row's bound by at most this much (in the bound's units: a share,
/// an index) before it is treated as violated: SPEC §2's 1e-7.
pub const FEASIBILITY: f64 = 1e-7;

/// A row whose value is within this of its bound is reported as binding (the same 1e-7:
/// what the check cannot tell from the bound is at the bound).
pub const BINDING: f64 = 1e-7;

/// Quantities below this fraction of the mineral's demand are solver dust and set to 0
/// (interior-point solvers leave ~1e-10 on every offer).
pub const DUST_SHARE: f64 = 1e-9;

/// Largest demand-balance residue (share of demand) closed after an interior-point solve;
/// larger residues are left for the plan check to reject.
pub const BALANCE_REPAIR: f64 = 1e-8;

/// An HHI cap this far below its bound at the cone solution is slack, and the block is
/// re-solved as an LP for an exact vertex (far above the cone solver's accuracy).
pub const SLACK_FOR_VERTEX: f64 = 1e-6;

/// Polishing: a scaled variable within this of a bound is fixed at that bound (the
/// interior-point solution's distance to its optimal face is ~1e-9).
pub const AT_BOUND: f64 = 1e-7;

/// Polishing: largest relative objective increase accepted for the vertex found.
pub const POLISH_OBJECTIVE_SLACK: f64 = 1e-7;

/// Polishing: a row left with no free variable must hold to this (relative to its rhs).
pub const POLISH_ROW: f64 = 1e-9;

/// Diagnosis: smallest slack worth reporting as a relaxation (below the solver's own
/// feasibility, it is noise).
pub const RELAXATION_EPS: f64 = 1e-9;

/// Slack smaller than this (in the bound's units) is float rounding in the row's sum and
/// reported as 0.
pub const SLACK_NOISE: f64 = 1e-12;

/// scenarios.csv: probabilities may sum above 1 by this much (decimal rounding of a
/// planner's 0.1 + 0.2 + 0.7).
pub const PROBABILITY_SUM_SLACK: f64 = 1e-9;

/// Sampling: a correlation matrix whose smallest eigenvalue is above −this is positive
/// semi-definite up to the rounding of its entries; below it is refused (or repaired).
pub const PSD_EIGENVALUE: f64 = 1e-9;

/// Sampling: Cholesky pivots at or below this are 0 — a singular correlation matrix, e.g.
/// two countries with rho = 1, whose remaining column is rounding noise.
pub const CHOLESKY_PIVOT: f64 = 1e-12;

/// Sampling: the nearest-correlation iterations stop once a step moves the matrix by less
/// than this (Frobenius norm); the result is then exact to far below any printed digit.
pub const REPAIR_STEP: f64 = 1e-12;

// Checked when the crate compiles (a failed assertion is a build error): the solver is
// tighter than the cut loop, the cut loop tighter than the plan check.
const _: () = {
    assert!(CONIC_TOLERANCE < SOLVER_FEASIBILITY);
    assert!(SOLVER_FEASIBILITY < CUT_TOLERANCE);
    assert!(CUT_DEPTH < CUT_TOLERANCE);
    assert!(CUT_TOLERANCE < FEASIBILITY);
    assert!(DUST_SHARE < BALANCE_REPAIR && BALANCE_REPAIR < FEASIBILITY);
    assert!(RELAXATION_EPS <= SOLVER_FEASIBILITY);
};
