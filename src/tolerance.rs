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

/// Largest duality gap and residual (Clarabel's relative measures) at which an "almost
/// solved" end of a norm-form cone solve (the frontier's country problems) is taken as
/// solved: ten times [`CONIC_TOLERANCE`]. A large cone that binds makes the primal
/// residual stall at 2e-10–5e-10 with the gap near 1e-12; a real stall (gap 5e-7) is
/// far above it and falls back to the epigraph form. No looser than the feasibility
/// asked of HiGHS ([`SOLVER_FEASIBILITY`]).
pub const ALMOST_SOLVED: f64 = 1e-9;

/// Largest violation of an HHI cap (index units) at which the cut loop stops: ten times
/// inside the 1e-7 the SPEC allows, and above [`SOLVER_FEASIBILITY`].
pub const CUT_TOLERANCE: f64 = 1e-8;

/// A tangent cut is added for a country whose epigraph variable is below s² by more
/// than this: a hundredth of [`CUT_TOLERANCE`], so each round cuts off what matters.
pub const CUT_DEPTH: f64 = CUT_TOLERANCE / 100.0;

/// Most rounds of tangent cuts (`engine::cuts`) before the caps count as not met (exit
/// 4): the solve of a block, its aggregation, export's final cuts and the robust
/// extensive form. Cuts usually converge in under 20 rounds; a hundred means a stall.
pub const MAX_CUT_ROUNDS: usize = 100;

/// Most rounds of tangent cuts in a diagnosis: its elastic program moves the caps as
/// well, so it is given twice the rounds of a solve.
pub const DIAGNOSE_MAX_CUT_ROUNDS: usize = 200;

/// A plan may miss a row's bound by at most this much (in the bound's units: a share,
/// an index) before it is treated as violated: SPEC §2's 1e-7.
pub const FEASIBILITY: f64 = 1e-7;

/// A row whose value is within this of its bound is reported as binding (the same 1e-7:
/// what the check cannot tell from the bound is at the bound).
pub const BINDING: f64 = 1e-7;

/// A shadow price whose scaled value (per unit of the block's demand × cost scale, where
/// objective and duals are near 1) is within this of zero is 0: the backends' duals are
/// exact only to their tolerances ([`SOLVER_FEASIBILITY`], [`CONIC_TOLERANCE`]), and a
/// binding row priced at 1e-10 of the block's cost is solver noise, not a price (a robust
/// plan's gallium HHI cap came out at −0.00003 on a cost of 252,367).
pub const SHADOW_ZERO: f64 = 1e-8;

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

// Tolerances of the analyses; the comment above each names the module that uses it.

// (src/solve/aggregate/window.rs)
/// A quantity this close to an artificial window edge counts as on it (shares).
pub const AGG_EDGE: f64 = 1e-9;

// (src/solve/aggregate/window.rs)
/// A fixed offer prices out when its reduced cost has the wrong sign by more than this
/// (relative to the block's largest cost).
pub const AGG_PRICE: f64 = 1e-8;

// (src/solve/aggregate/mod.rs)
/// Largest miss of a row or bound (block units: shares) accepted from a backend; a
/// larger one is numerical trouble.
pub const AGG_ROW_MISS: f64 = 1e-6;

// (src/solve/aggregate/master.rs)
/// Relative gap f(q̂) − e at which a country's approximation counts as exact.
pub const AGG_MASTER_EXACT: f64 = 1e-10;

// (src/analysis/robust/mod.rs)
/// Relative gap at which the decomposition stops (SPEC §3).
pub const DECOMPOSITION_GAP: f64 = 1e-7;

// (src/analysis/robust/mod.rs)
/// Relative MIP gap of robust programs with integer rules: tighter than the default of
/// `solve`, so both methods reach the same optimum and the decomposition's lower bound
/// can close to [`DECOMPOSITION_GAP`].
pub const ROBUST_MIP_GAP: f64 = 1e-9;

// (src/analysis/robust/mod.rs)
/// A polished program solution's plan is kept when its objective is within this
/// (relative) of the interior point's.
pub const ROBUST_POLISH_SLACK: f64 = 1e-9;

// (src/analysis/robust/decomposition.rs)
/// Above this relative gap the master is solved to default interior-point tolerances.
pub const DECOMPOSITION_LOOSE_GAP: f64 = 1e-5;

// (src/analysis/robust/decomposition.rs)
/// The interior point's default relative gap tolerance (Clarabel: 1e-8).
pub const DECOMPOSITION_LOOSE_TOLERANCE: f64 = 1e-8;

// (src/analysis/frontier/measure.rs)
/// The tangent-cut loop of [`least_measure`] stops when the outer approximation is this
/// close to the true index (Σ w (s² − t), index units): the cut tolerance of the solve's
/// own HHI loop, above the solvers' 1e-9 feasibility tolerance so it can be reached.
pub const FRONTIER_CUT_GAP: f64 = 1e-8;

/// A tangent cut of [`least_measure`] is added for a country whose epigraph variable is
/// below s² by more than this: a hundredth of [`FRONTIER_CUT_GAP`].
pub const FRONTIER_CUT_DEPTH: f64 = FRONTIER_CUT_GAP / 100.0;

/// Most rounds of tangent cuts in [`least_measure`]: 200 solves in all.
pub const FRONTIER_MAX_CUT_ROUNDS: usize = 199;

// (src/analysis/frontier/mod.rs)
/// The least feasible bound is raised by this much (in the measure's units) above the
/// computed minimum, so the first point has a feasible set with an interior for the
/// interior-point solver; a thousandth of an HHI point, inside the 1e-7 feasibility
/// tolerance of SPEC §2.
pub const LEAST_BOUND_MARGIN: f64 = 1e-8;

// (src/solve/clean/mod.rs)
/// Quantities are on a grid of at most this fraction of their mineral's demand (the
/// quantum is 1e-11 to 1e-12 of demand). Stated for the grid's tests.
#[cfg(test)]
pub const QUANTITY_PRECISION: f64 = 1e-11;

// (src/solve/clean/mod.rs)
/// A quantity (or a country's or group's total) this close to a bound it meets, as a
/// fraction of demand, is written as the bound: solver residue is far below it.
pub const SNAP: f64 = 1e-9;

// (src/solve/clean/guard.rs)
/// A residue cleaning puts on an offer (the demand-balance gap, what snapping moved) may
/// take a row this far past its bound (in the bound's units), never farther, and never a
/// row already past it any farther: room for a [`BALANCE_REPAIR`] residue and a few
/// snaps, a fifth of [`FEASIBILITY`], so a cleaned plan meets every row its input met.
pub const CLEAN_ROOM: f64 = 2e-8;

// (src/solve/clean/mod.rs)
/// Indices, row values and slacks are rounded to this (float dust such as
/// 0.5500000000000002 goes; the HHI caps themselves hold to 1e-9).
pub const INDEX_PRECISION: f64 = 1e-12;

// (src/tools/bench.rs)
/// Largest relative objective difference between two solvers that counts as agreement.
pub const AGREEMENT_TOLERANCE: f64 = 1e-6;

// (src/analysis/policy_cost.rs)
/// A saving smaller than this fraction of the full policy's cost is solver rounding and
/// reported as 0.
pub const SAVING_NOISE: f64 = 1e-9;

// (src/analysis/policy_cost.rs)
/// A row with more slack than this (in its bound's units) at the full plan is inactive
/// there: deleting it cannot lower a continuous block's optimum. Well above the
/// solvers' 1e-9 feasibility tolerance.
pub const SLACK_FOR_SKIP: f64 = 1e-6;

// (src/analysis/ranging/basis.rs)
/// A column value within this of a bound (relative to max(1, |bound|)) is at the bound.
pub const RANGING_AT_BOUND: f64 = 1e-8;

// (src/analysis/ranging/basis.rs)
/// Reduced costs within this of zero have either sign.
pub const RANGING_DUAL: f64 = 1e-9;

// (src/analysis/ranging/basis.rs)
/// Pivot elements and directions below this are zero.
pub const RANGING_PIVOT: f64 = 1e-11;

// (src/analysis/ranging/basis.rs)
/// A pivot that moves the plan by more than this is not degenerate: the plan was not an
/// optimal vertex.
pub const RANGING_STEP: f64 = 1e-8;

// Checked when the crate compiles (a failed assertion is a build error): the solver is
// tighter than the cut loop, the cut loop tighter than the plan check.
const _: () = {
    assert!(CONIC_TOLERANCE < SOLVER_FEASIBILITY);
    assert!(CONIC_TOLERANCE < ALMOST_SOLVED && ALMOST_SOLVED <= SOLVER_FEASIBILITY);
    assert!(SOLVER_FEASIBILITY < CUT_TOLERANCE);
    assert!(CUT_DEPTH < CUT_TOLERANCE);
    assert!(CUT_TOLERANCE < FEASIBILITY);
    assert!(DUST_SHARE < BALANCE_REPAIR && BALANCE_REPAIR < FEASIBILITY);
    assert!(SNAP < BALANCE_REPAIR && BALANCE_REPAIR < CLEAN_ROOM && CLEAN_ROOM < FEASIBILITY);
    assert!(RELAXATION_EPS <= SOLVER_FEASIBILITY);
};
