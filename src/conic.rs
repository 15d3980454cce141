//! Exact concentration caps with second-order cones, through Clarabel's native API.
//!
//! A block's LP keeps its linear rows; each epigraph pair (s, t) gets t ≥ s² as the
//! rotated cone ‖(s, (t−1)/2)‖ ≤ (t+1)/2, so Σ w·t ≤ b states the HHI cap exactly and one
//! interior-point solve replaces the rounds of tangent cuts. The cap row's dual is then
//! the multiplier of the quadratic cap itself.

use clarabel::algebra::CscMatrix;
use clarabel::solver::{
    DefaultSettingsBuilder, DefaultSolver, IPSolver, SolverStatus, SupportedConeT,
};

use crate::lp::{Lp, Sense};
use crate::solvers::{FailureReason, Limit, LpResult, LpStatus};
use crate::tolerance::CONIC_TOLERANCE;

/// Solves `lp` with t ≥ s² for every `(s, t)` in `epigraphs`. Row duals follow the
/// good_lp convention: d objective / d rhs.
pub fn solve_with_epigraphs(
    lp: &Lp,
    epigraphs: &[(usize, usize)],
    skip_row: impl Fn(usize) -> bool,
    time_limit_secs: Option<f64>,
) -> LpResult {
    let n = lp.vars.len();
    let (mut ri, mut ci, mut vals, mut b) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    // (row in clarabel, sign) for each LP row, to map duals back.
    let mut row_map: Vec<Option<(usize, f64)>> = vec![None; lp.rows.len()];
    let mut push_row = |terms: &[(usize, f64)], sign: f64, rhs: f64, b: &mut Vec<f64>| {
        let r = b.len();
        for &(j, a) in terms {
            ri.push(r);
            ci.push(j);
            vals.push(sign * a);
        }
        b.push(sign * rhs);
        r
    };
    let mut n_eq = 0;
    for (k, row) in lp.rows.iter().enumerate() {
        if row.sense == Sense::Eq && !skip_row(k) {
            let r = push_row(&row.terms, 1.0, row.rhs, &mut b);
            row_map[k] = Some((r, -1.0));
            n_eq += 1;
        }
    }
    let mut n_ineq = 0;
    for (k, row) in lp.rows.iter().enumerate() {
        if skip_row(k) {
            continue;
        }
        let sign = match row.sense {
            Sense::Eq => continue,
            Sense::Le => 1.0,
            Sense::Ge => -1.0,
        };
        let r = push_row(&row.terms, sign, row.rhs, &mut b);
        // Le: dual = −z; Ge (stated negated): dual = +z.
        row_map[k] = Some((r, -sign));
        n_ineq += 1;
    }
    for (j, v) in lp.vars.iter().enumerate() {
        if v.lower.is_finite() {
            push_row(&[(j, 1.0)], -1.0, v.lower, &mut b);
            n_ineq += 1;
        }
        if v.upper.is_finite() {
            push_row(&[(j, 1.0)], 1.0, v.upper, &mut b);
            n_ineq += 1;
        }
    }
    let mut cones = vec![
        SupportedConeT::ZeroConeT(n_eq),
        SupportedConeT::NonnegativeConeT(n_ineq),
    ];
    for &(s, t) in epigraphs {
        // slack = b − A x = ((t+1)/2, s, (t−1)/2) ∈ SOC(3)
        push_row(&[(t, -0.5)], 1.0, 0.5, &mut b);
        push_row(&[(s, -1.0)], 1.0, 0.0, &mut b);
        push_row(&[(t, -0.5)], 1.0, -0.5, &mut b);
        cones.push(SupportedConeT::SecondOrderConeT(3));
    }
    let m = b.len();
    let a = CscMatrix::new_from_triplets(m, n, ri, ci, vals);
    let p = CscMatrix::zeros((n, n));
    let q: Vec<f64> = lp.vars.iter().map(|v| v.cost).collect();
    let mut settings = DefaultSettingsBuilder::default();
    settings
        .verbose(false)
        .tol_feas(CONIC_TOLERANCE)
        .tol_gap_abs(CONIC_TOLERANCE)
        .tol_gap_rel(CONIC_TOLERANCE);
    if let Some(t) = time_limit_secs {
        settings.time_limit(t);
    }
    let settings = match settings.build() {
        Ok(s) => s,
        Err(e) => {
            return failed(
                FailureReason::Solver,
                format!("invalid Clarabel settings: {e}"),
            )
        }
    };
    let mut solver = match DefaultSolver::new(&p, &q, &a, &b, &cones, settings) {
        Ok(s) => s,
        Err(e) => {
            return failed(
                FailureReason::Solver,
                format!("Clarabel rejected the model: {e}"),
            )
        }
    };
    solver.solve();
    let sol = &solver.solution;
    let status = match sol.status {
        SolverStatus::Solved | SolverStatus::AlmostSolved => LpStatus::Optimal,
        SolverStatus::PrimalInfeasible | SolverStatus::AlmostPrimalInfeasible => {
            LpStatus::Infeasible
        }
        SolverStatus::DualInfeasible | SolverStatus::AlmostDualInfeasible => LpStatus::Unbounded,
        SolverStatus::MaxTime => LpStatus::LimitNoSolution(Limit::Time),
        SolverStatus::MaxIterations => LpStatus::LimitNoSolution(Limit::Iterations),
        SolverStatus::NumericalError | SolverStatus::InsufficientProgress => LpStatus::Failed(
            FailureReason::Numerical,
            format!("Clarabel stopped: {:?}", sol.status),
        ),
        other => LpStatus::Failed(
            FailureReason::Solver,
            format!("Clarabel stopped: {other:?}"),
        ),
    };
    if status != LpStatus::Optimal {
        return LpResult {
            status,
            x: Vec::new(),
            duals: None,
        };
    }
    let duals = row_map
        .iter()
        .map(|r| r.map_or(0.0, |(i, sign)| sign * sol.z[i]))
        .collect();
    LpResult {
        status,
        x: sol.x.clone(),
        duals: Some(duals),
    }
}

fn failed(reason: FailureReason, message: String) -> LpResult {
    LpResult {
        status: LpStatus::Failed(reason, message),
        x: Vec::new(),
        duals: None,
    }
}
