//! An LP kept alive in HiGHS across solves (the engine's [`WarmLp`] for HiGHS).
//!
//! One HiGHS model lives as long as the caller's program: each solve appends the
//! program's new columns and rows and re-solves from the previous optimal basis.
//! Appended rows enter with their slacks basic, so the old basis stays primal infeasible
//! only in the violated rows and dual feasible: the dual simplex restarts from there.
//! Deleted rows should be slack (their slacks basic), so the basis survives them.

use highs_sys::{
    HighsInt, Highs_addCols, Highs_addRows, Highs_deleteRowsBySet, Highs_getRunTime, STATUS_ERROR,
};

use crate::engine::lp::{Lp, Sense};
use crate::tolerance::SOLVER_FEASIBILITY;

use super::super::status::{FailureReason, Limit, LpResult, LpStatus};
use super::super::warm::WarmLp;

/// A HiGHS model and how much of the caller's program it holds.
pub(in crate::engine) struct Warm {
    /// The model between solves (`None` after a failure).
    model: Option<highs::Model>,
    /// Columns and rows of the program already passed to the model.
    cols: usize,
    rows: usize,
}

/// An empty HiGHS model with the settings of every HiGHS solve (see `super::solve`),
/// its simplex kept (the interior point keeps no basis).
pub(in crate::engine) fn open() -> Box<dyn WarmLp> {
    let mut model = highs::Model::new(highs::ColProblem::default());
    model.make_quiet();
    model.set_option("presolve", "off");
    model.set_option("threads", 1);
    model.set_option("solver", "simplex");
    model.set_option("primal_feasibility_tolerance", SOLVER_FEASIBILITY);
    Box::new(Warm {
        model: Some(model),
        cols: 0,
        rows: 0,
    })
}

impl WarmLp for Warm {
    fn solve(&mut self, lp: &Lp, time_limit_secs: Option<f64>) -> LpResult {
        let Some(mut model) = self.model.take() else {
            return LpResult::failed(LpStatus::Failed(
                FailureReason::Solver,
                "the warm master lost its model after a failed solve".into(),
            ));
        };
        if let Err(message) = self.sync(&mut model, lp) {
            return LpResult::failed(LpStatus::Failed(FailureReason::Solver, message));
        }
        if let Some(t) = time_limit_secs {
            // HiGHS measures its time limit from the model's creation, over every solve.
            // SAFETY: the pointer is the live model's.
            let used = unsafe { Highs_getRunTime(model.as_ptr()) };
            model.set_option("time_limit", used + t.max(0.0));
        }
        let solved = match model.try_solve() {
            Ok(solved) => solved,
            Err(status) => {
                return LpResult::failed(LpStatus::Failed(
                    FailureReason::Solver,
                    format!("HiGHS: {status:?}"),
                ))
            }
        };
        let result = outcome(&solved, lp.vars.len());
        self.model = Some(highs::Model::from(solved));
        result
    }

    fn delete_rows(&mut self, rows: &[usize]) -> bool {
        let deleted = match (
            self.model.as_mut(),
            rows.iter().map(|&r| int(r)).collect::<Result<Vec<_>, _>>(),
        ) {
            (Some(model), Ok(set)) => delete_rows(model, &set),
            _ => false,
        };
        if deleted {
            self.rows -= rows.len();
        } else {
            // The model and the program would disagree: drop the model.
            self.model = None;
        }
        deleted
    }
}

impl Warm {
    /// Passes the columns and rows of `lp` the model does not hold yet.
    fn sync(&mut self, model: &mut highs::Model, lp: &Lp) -> Result<(), String> {
        add_cols(model, lp, self.cols)?;
        self.cols = lp.vars.len();
        add_rows(model, lp, self.rows)?;
        self.rows = lp.rows.len();
        Ok(())
    }
}

/// Converts an index into HiGHS's integer type.
fn int(n: usize) -> Result<HighsInt, String> {
    HighsInt::try_from(n).map_err(|_| format!("the master is too large for HiGHS ({n})"))
}

/// Appends the variables of `lp` from `from` on as columns without entries (their
/// entries come with the rows, all of which are new when a column is).
fn add_cols(model: &mut highs::Model, lp: &Lp, from: usize) -> Result<(), String> {
    let vars = &lp.vars[from..];
    if vars.is_empty() {
        return Ok(());
    }
    let cost: Vec<f64> = vars.iter().map(|v| v.cost).collect();
    let lower: Vec<f64> = vars.iter().map(|v| v.lower).collect();
    let upper: Vec<f64> = vars.iter().map(|v| v.upper).collect();
    let starts = vec![0 as HighsInt; vars.len()];
    let (index, value): (Vec<HighsInt>, Vec<f64>) = (Vec::new(), Vec::new());
    // SAFETY: the pointer is the live model's; `cost`, `lower`, `upper` and `starts`
    // hold one entry per new column, `index` and `value` the zero entries announced.
    let status = unsafe {
        Highs_addCols(
            model.as_mut_ptr(),
            int(vars.len())?,
            cost.as_ptr(),
            lower.as_ptr(),
            upper.as_ptr(),
            0,
            starts.as_ptr(),
            index.as_ptr(),
            value.as_ptr(),
        )
    };
    checked(status, "addCols")
}

/// Appends the rows of `lp` from `from` on, in one call (HiGHS copies its column-wise
/// matrix per call, so row by row would cost the whole matrix per cut).
fn add_rows(model: &mut highs::Model, lp: &Lp, from: usize) -> Result<(), String> {
    let rows = &lp.rows[from..];
    if rows.is_empty() {
        return Ok(());
    }
    let (mut lower, mut upper) = (Vec::new(), Vec::new());
    let (mut starts, mut index, mut value) = (Vec::new(), Vec::new(), Vec::new());
    for row in rows {
        let (lo, up) = match row.sense {
            Sense::Le => (f64::NEG_INFINITY, row.rhs),
            Sense::Ge => (row.rhs, f64::INFINITY),
            Sense::Eq => (row.rhs, row.rhs),
        };
        lower.push(lo);
        upper.push(up);
        starts.push(int(index.len())?);
        for &(j, a) in &row.terms {
            index.push(int(j)?);
            value.push(a);
        }
    }
    // SAFETY: the pointer is the live model's; `lower`, `upper`, `starts` hold one entry
    // per row, `index` and `value` one per nonzero, every index below the column count.
    let status = unsafe {
        Highs_addRows(
            model.as_mut_ptr(),
            int(rows.len())?,
            lower.as_ptr(),
            upper.as_ptr(),
            int(index.len())?,
            starts.as_ptr(),
            index.as_ptr(),
            value.as_ptr(),
        )
    };
    checked(status, "addRows")
}

/// Deletes the rows `set` (ascending) from the model; false when HiGHS refuses.
fn delete_rows(model: &mut highs::Model, set: &[HighsInt]) -> bool {
    let Ok(n) = HighsInt::try_from(set.len()) else {
        return false;
    };
    // SAFETY: the pointer is the live model's; `set` holds `n` row indices.
    let status = unsafe { Highs_deleteRowsBySet(model.as_mut_ptr(), n, set.as_ptr()) };
    status != STATUS_ERROR
}

/// An error for HiGHS's error status (warnings pass).
fn checked(status: HighsInt, call: &str) -> Result<(), String> {
    if status == STATUS_ERROR {
        Err(format!("HiGHS {call} failed"))
    } else {
        Ok(())
    }
}

/// The typed result of a solve of a model with `n` columns.
fn outcome(solved: &highs::SolvedModel, n: usize) -> LpResult {
    use highs::HighsModelStatus as H;
    let status = match solved.status() {
        H::Optimal => LpStatus::Optimal,
        H::Infeasible | H::UnboundedOrInfeasible => LpStatus::Infeasible,
        H::Unbounded => LpStatus::Unbounded,
        H::ReachedTimeLimit => LpStatus::LimitNoSolution(Limit::Time),
        H::ReachedIterationLimit => LpStatus::LimitNoSolution(Limit::Iterations),
        other => {
            return LpResult::failed(LpStatus::Failed(
                FailureReason::Solver,
                format!("HiGHS: {other:?}"),
            ))
        }
    };
    if status != LpStatus::Optimal {
        return LpResult::failed(status);
    }
    let x = solved.get_solution().columns().to_vec();
    if x.len() != n || x.iter().any(|v| !v.is_finite()) {
        return LpResult::failed(LpStatus::Failed(
            FailureReason::NonFinite,
            "HiGHS returned a non-finite or short solution".into(),
        ));
    }
    LpResult {
        status,
        x,
        duals: None,
    }
}
