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

use super::status::{FailureReason, Limit, LpResult, LpStatus};
use crate::engine::lp::{Lp, Sense};
use crate::tolerance::{ALMOST_SOLVED, CONIC_TOLERANCE};

/// Solves `lp` with t ≥ s² for every `(s, t)` in `epigraphs`. Row duals follow the
/// good_lp convention: d objective / d rhs.
pub fn solve_with_epigraphs(
    lp: &Lp,
    epigraphs: &[(usize, usize)],
    skip_row: impl Fn(usize) -> bool,
    time_limit_secs: Option<f64>,
) -> LpResult {
    let cp = ConeProblem::build(lp, epigraphs, skip_row);
    run(lp, cp, time_limit_secs, false)
}

/// A cap ‖(f_1(x), …, f_k(x))‖ ≤ radius (+ x_r) on affine forms f_i(x) = c_i + Σ a·x:
/// the square of the norm is a weighted HHI, so one such cone states a whole HHI cap
/// without a share or epigraph variable per country (and, with a variable x_r to
/// minimize, the least HHI).
#[derive(Debug, Clone, PartialEq)]
pub struct NormCap {
    /// The radius (the square root of the cap's bound), ≥ 0.
    pub radius: f64,
    /// A variable added to the radius.
    pub radius_var: Option<usize>,
    /// The forms: (constant, terms) each.
    pub forms: Vec<(f64, Vec<(usize, f64)>)>,
}

/// Solves `lp` with every cap of `norms` as one second-order cone. Row duals as for
/// [`solve_with_epigraphs`] (the caps have none). Stricter than that: a solve Clarabel
/// ends only "almost solved" (its reduced tolerances) is a numerical failure unless its
/// gap and residuals are within [`ALMOST_SOLVED`], since the caller has the epigraph
/// form to fall back on.
pub fn solve_with_norms(lp: &Lp, norms: &[NormCap], time_limit_secs: Option<f64>) -> LpResult {
    let mut cp = ConeProblem::build(lp, &[], |_| false);
    for cap in norms {
        // slack = b − A x = (radius, f_1(x), …) ∈ SOC(1 + k)
        let r: Vec<(usize, f64)> = cap.radius_var.iter().map(|&j| (j, -1.0)).collect();
        cp.push_row(&r, 1.0, cap.radius);
        for (c, terms) in &cap.forms {
            cp.push_row(terms, -1.0, -c);
        }
        cp.cones
            .push(SupportedConeT::SecondOrderConeT(1 + cap.forms.len()));
    }
    run(lp, cp, time_limit_secs, true)
}

/// Solves the cone problem `cp` of `lp` with Clarabel; with `strict`, "almost solved"
/// is a numerical failure unless [`near_solved`].
fn run(lp: &Lp, cp: ConeProblem, time_limit_secs: Option<f64>, strict: bool) -> LpResult {
    let settings = match settings(time_limit_secs) {
        Ok(s) => s,
        Err(e) => {
            return failed(
                FailureReason::Solver,
                format!("invalid Clarabel settings: {e}"),
            )
        }
    };
    let n = lp.vars.len();
    let a = CscMatrix::new_from_triplets(cp.b.len(), n, cp.ri, cp.ci, cp.vals);
    let p = CscMatrix::zeros((n, n));
    let q: Vec<f64> = lp.vars.iter().map(|v| v.cost).collect();
    let mut solver = match DefaultSolver::new(&p, &q, &a, &cp.b, &cp.cones, settings) {
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
        SolverStatus::AlmostSolved if strict && !near_solved(&solver.info) => LpStatus::Failed(
            FailureReason::Numerical,
            "Clarabel stopped: AlmostSolved".into(),
        ),
        other => status_of(other),
    };
    if status != LpStatus::Optimal {
        return LpResult::failed(status);
    }
    let duals = cp
        .row_map
        .iter()
        .map(|r| r.map_or(0.0, |(i, sign)| sign * sol.z[i]))
        .collect();
    LpResult {
        status,
        x: sol.x.clone(),
        duals: Some(duals),
    }
}

/// The problem in Clarabel's form: A x + s = b, s in the cones.
struct ConeProblem {
    ri: Vec<usize>,
    ci: Vec<usize>,
    vals: Vec<f64>,
    b: Vec<f64>,
    cones: Vec<SupportedConeT<f64>>,
    /// (row in Clarabel, sign) for each LP row, to map duals back.
    row_map: Vec<Option<(usize, f64)>>,
}

impl ConeProblem {
    /// Equalities (zero cone), then inequalities and finite bounds (nonnegative cone),
    /// then one rotated cone per epigraph pair; rows `skip_row` names are left out.
    fn build(lp: &Lp, epigraphs: &[(usize, usize)], skip_row: impl Fn(usize) -> bool) -> Self {
        let mut cp = ConeProblem {
            ri: Vec::new(),
            ci: Vec::new(),
            vals: Vec::new(),
            b: Vec::new(),
            cones: Vec::new(),
            row_map: vec![None; lp.rows.len()],
        };
        let mut n_eq = 0;
        for (k, row) in lp.rows.iter().enumerate() {
            if row.sense == Sense::Eq && !skip_row(k) {
                let r = cp.push_row(&row.terms, 1.0, row.rhs);
                cp.row_map[k] = Some((r, -1.0));
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
            let r = cp.push_row(&row.terms, sign, row.rhs);
            // Le: dual = −z; Ge (stated negated): dual = +z.
            cp.row_map[k] = Some((r, -sign));
            n_ineq += 1;
        }
        for (j, v) in lp.vars.iter().enumerate() {
            if v.lower.is_finite() {
                cp.push_row(&[(j, 1.0)], -1.0, v.lower);
                n_ineq += 1;
            }
            if v.upper.is_finite() {
                cp.push_row(&[(j, 1.0)], 1.0, v.upper);
                n_ineq += 1;
            }
        }
        cp.cones = vec![
            SupportedConeT::ZeroConeT(n_eq),
            SupportedConeT::NonnegativeConeT(n_ineq),
        ];
        for &(s, t) in epigraphs {
            // slack = b − A x = ((t+1)/2, s, (t−1)/2) ∈ SOC(3)
            cp.push_row(&[(t, -0.5)], 1.0, 0.5);
            cp.push_row(&[(s, -1.0)], 1.0, 0.0);
            cp.push_row(&[(t, -0.5)], 1.0, -0.5);
            cp.cones.push(SupportedConeT::SecondOrderConeT(3));
        }
        cp
    }

    /// Appends sign·(terms) with right-hand side sign·rhs; returns its row.
    fn push_row(&mut self, terms: &[(usize, f64)], sign: f64, rhs: f64) -> usize {
        let r = self.b.len();
        for &(j, a) in terms {
            self.ri.push(r);
            self.ci.push(j);
            self.vals.push(sign * a);
        }
        self.b.push(sign * rhs);
        r
    }
}

/// Clarabel's settings: quiet, the tolerances of [`CONIC_TOLERANCE`], the time limit.
fn settings(
    time_limit_secs: Option<f64>,
) -> Result<clarabel::solver::DefaultSettings<f64>, String> {
    let mut settings = DefaultSettingsBuilder::default();
    settings
        .verbose(false)
        .tol_feas(CONIC_TOLERANCE)
        .tol_gap_abs(CONIC_TOLERANCE)
        .tol_gap_rel(CONIC_TOLERANCE);
    if let Some(t) = time_limit_secs {
        settings.time_limit(t);
    }
    settings.build().map_err(|e| e.to_string())
}

/// True when an "almost solved" end still has its duality gap and residuals within
/// [`ALMOST_SOLVED`] (they stall just above the full tolerance on a cone that binds).
fn near_solved(info: &clarabel::solver::DefaultInfo<f64>) -> bool {
    let gap = info.gap_abs.min(info.gap_rel);
    gap.max(info.res_primal).max(info.res_dual) <= ALMOST_SOLVED
}

/// The typed status of a Clarabel solve.
fn status_of(status: SolverStatus) -> LpStatus {
    match status {
        SolverStatus::Solved | SolverStatus::AlmostSolved => LpStatus::Optimal,
        SolverStatus::PrimalInfeasible | SolverStatus::AlmostPrimalInfeasible => {
            LpStatus::Infeasible
        }
        SolverStatus::DualInfeasible | SolverStatus::AlmostDualInfeasible => LpStatus::Unbounded,
        SolverStatus::MaxTime => LpStatus::LimitNoSolution(Limit::Time),
        SolverStatus::MaxIterations => LpStatus::LimitNoSolution(Limit::Iterations),
        SolverStatus::NumericalError | SolverStatus::InsufficientProgress => LpStatus::Failed(
            FailureReason::Numerical,
            format!("Clarabel stopped: {status:?}"),
        ),
        other => LpStatus::Failed(
            FailureReason::Solver,
            format!("Clarabel stopped: {other:?}"),
        ),
    }
}

fn failed(reason: FailureReason, message: String) -> LpResult {
    LpResult {
        status: LpStatus::Failed(reason, message),
        x: Vec::new(),
        duals: None,
    }
}
