//! What the good_lp backends share: the LP as good_lp variables and constraints, the
//! limits every backend takes the same way, and the translation of good_lp's outcome
//! into a typed [`LpResult`].

use good_lp::{
    variable, Constraint, Expression, ProblemVariables, ResolutionError, Solution, SolutionStatus,
    SolverModel, Variable, WithMipGap, WithTimeLimit,
};

use crate::engine::lp::{Lp, Sense};

use super::options::BackendOptions;
use super::status::{FailureReason, Limit, LpResult, LpStatus};

/// The result of an LP without variables (nothing to choose: feasible iff every row
/// holds at zero), or `None` when it has variables.
pub(super) fn without_variables(lp: &Lp, opts: &BackendOptions) -> Option<LpResult> {
    if !lp.vars.is_empty() {
        return None;
    }
    let ok = lp.rows.iter().all(|r| match r.sense {
        Sense::Le => 0.0 <= r.rhs,
        Sense::Ge => 0.0 >= r.rhs,
        Sense::Eq => r.rhs == 0.0,
    });
    Some(if ok {
        LpResult {
            status: LpStatus::Optimal,
            x: Vec::new(),
            duals: opts.duals.then(|| vec![0.0; lp.rows.len()]),
        }
    } else {
        LpResult::failed(LpStatus::Infeasible)
    })
}

/// Applies the time limit and, for integer problems, the MIP gap, through good_lp's
/// common traits (the backends that take both the same way: microlp, CBC).
pub(super) fn with_limits<M: WithTimeLimit + WithMipGap>(
    mut model: M,
    lp: &Lp,
    opts: &BackendOptions,
) -> M {
    if let Some(t) = opts.time_limit_secs {
        model = model.with_time_limit(t);
    }
    if lp.has_integers() {
        model = model
            .with_mip_gap(opts.mip_gap as f32)
            .unwrap_or_else(|_| unreachable_gap());
    }
    model
}

/// A gap the backend refused: the options' `Fraction` keeps the gap in [0, 1], which every
/// backend accepts.
pub(super) fn unreachable_gap<T>() -> T {
    unreachable!("MIP gap validated when options are built")
}

/// The LP's variables as good_lp variables, their handles and the objective.
pub(super) fn build_variables(lp: &Lp) -> (ProblemVariables, Vec<Variable>, Expression) {
    let mut vars = ProblemVariables::new();
    let mut handles = Vec::with_capacity(lp.vars.len());
    let mut objective = Expression::with_capacity(lp.vars.len());
    for v in &lp.vars {
        let mut def = variable().min(v.lower);
        if v.upper.is_finite() {
            def = def.max(v.upper);
        }
        if v.integer {
            def = def.integer();
        }
        let h = vars.add(def);
        if v.cost != 0.0 {
            objective.add_mul(v.cost, h);
        }
        handles.push(h);
    }
    (vars, handles, objective)
}

/// Adds the LP's rows to `model`; returns their references (for duals).
pub(super) fn add_rows<M: SolverModel>(
    model: &mut M,
    lp: &Lp,
    handles: &[Variable],
) -> Vec<good_lp::constraint::ConstraintReference> {
    lp.rows
        .iter()
        .map(|row| {
            let mut e = Expression::with_capacity(row.terms.len());
            for &(j, a) in &row.terms {
                e.add_mul(a, handles[j]);
            }
            let c: Constraint = match row.sense {
                Sense::Le => e.leq(row.rhs),
                Sense::Ge => e.geq(row.rhs),
                Sense::Eq => e.eq(row.rhs),
            };
            model.add_constraint(c)
        })
        .collect()
}

/// The typed result of a good_lp solve: values of `handles`, duals by `duals`.
pub(super) fn finish<S: Solution>(
    result: Result<S, ResolutionError>,
    handles: &[Variable],
    duals: impl FnOnce(&mut S) -> Option<Vec<f64>>,
) -> LpResult {
    match result {
        Ok(mut sol) => {
            let status = match sol.status() {
                SolutionStatus::Optimal => LpStatus::Optimal,
                SolutionStatus::GapLimit => LpStatus::Optimal,
                SolutionStatus::TimeLimit => LpStatus::Feasible,
            };
            let x: Vec<f64> = handles.iter().map(|&h| sol.value(h)).collect();
            if x.iter().any(|v| !v.is_finite()) {
                return LpResult::failed(LpStatus::Failed(
                    FailureReason::NonFinite,
                    "the solver returned a non-finite value".into(),
                ));
            }
            let duals = duals(&mut sol);
            LpResult { status, x, duals }
        }
        Err(ResolutionError::Infeasible) => LpResult::failed(LpStatus::Infeasible),
        Err(ResolutionError::Unbounded) => LpResult::failed(LpStatus::Unbounded),
        Err(ResolutionError::Other(msg)) => LpResult::failed(classify(msg)),
        Err(ResolutionError::Str(msg)) => {
            LpResult::failed(LpStatus::Failed(FailureReason::Solver, msg))
        }
    }
}

/// The typed status of one of good_lp's fixed status words (`ResolutionError::Other`
/// carries a `&'static str` per backend status: the adapter's one translation table).
fn classify(status: &'static str) -> LpStatus {
    match status {
        "Time limit reached"
        | "Time limit reached before finding a feasible solution"
        | "NoSolutionFound" => LpStatus::LimitNoSolution(Limit::Time),
        "Max iterations reached" => LpStatus::LimitNoSolution(Limit::Iterations),
        "Numerical error" | "No progress" | "SolveError" => {
            LpStatus::Failed(FailureReason::Numerical, status.to_string())
        }
        other => LpStatus::Failed(FailureReason::Solver, other.to_string()),
    }
}
