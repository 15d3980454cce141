//! The decomposition's linear master kept alive in HiGHS across rounds (build with
//! `--features highs`).
//!
//! Rebuilding the master each round and solving it cold costs a full simplex solve per
//! round, which dominates once thousands of scenarios bring thousands of cuts. Here one
//! HiGHS model lives for the whole decomposition: a round appends its new cuts as rows
//! (and the prefix variables they need as columns, each with its two defining rows, see
//! [`Skeleton::ensure_prefix`]) and re-solves from the previous optimal basis. Appended
//! rows enter with their slacks basic, so the old basis stays primal infeasible only in
//! the violated cuts and dual feasible: the dual simplex restarts from there. The cuts
//! [`super::decomposition`] prunes are deleted from the model too: they are slack, so
//! their slacks are basic and the basis survives (kept, they made every simplex
//! iteration dearer: at 3,000 scenarios the re-solves took 5–18 s with them, 4–6 s
//! without, a round or two more). [`Skeleton`] mirrors the model
//! row for row, so plans, θ and the objective are read as on the cold path.

use highs_sys::{
    HighsInt, Highs_addCols, Highs_addRows, Highs_deleteRowsBySet, Highs_getRunTime, STATUS_ERROR,
};

use crate::engine::{FailureReason, Limit, LpResult, LpStatus};
use crate::lp::{Lp, Sense};
use crate::tolerance::SOLVER_FEASIBILITY;

use super::decomposition::Cut;
use super::master::{skeleton, Skeleton};
use super::{Clock, Problem};

/// The master program and the HiGHS model that holds the same rows and columns.
pub struct WarmMaster {
    sk: Skeleton,
    /// The model between solves (`None` only while a solve runs).
    model: Option<highs::Model>,
    /// Cuts of the caller's list already in the program.
    emitted: usize,
    /// Columns and rows of `sk.lp` already passed to the model.
    cols: usize,
    rows: usize,
    /// The row of each emitted cut, in the caller's order.
    cut_rows: Vec<usize>,
}

impl WarmMaster {
    /// An empty-of-cuts master of `p` (the skeleton with full-length prefixes only).
    pub fn new(p: &Problem) -> Self {
        let mut model = highs::Model::new(highs::ColProblem::default());
        model.make_quiet();
        // The same settings as every HiGHS solve (see `solvers::solve_lp`).
        model.set_option("presolve", "off");
        model.set_option("threads", 1);
        model.set_option("solver", "simplex");
        model.set_option("primal_feasibility_tolerance", SOLVER_FEASIBILITY);
        WarmMaster {
            sk: skeleton(p, &Default::default()),
            model: Some(model),
            emitted: 0,
            cols: 0,
            rows: 0,
            cut_rows: Vec::new(),
        }
    }

    /// The program as it stands (after [`WarmMaster::solve`]: the one solved).
    pub fn skeleton(&self) -> &Skeleton {
        &self.sk
    }

    /// Appends `cuts[emitted..]` (the list only grows on this path) and re-solves.
    pub fn solve(&mut self, p: &Problem, cuts: &[Cut], clock: &Clock) -> LpResult {
        let new = &cuts[self.emitted..];
        // In ascending order each new prefix is defined from its nearest shorter one, so
        // a round adds at most one chain's worth of entries per chain.
        let refs: std::collections::BTreeSet<(usize, usize)> = new
            .iter()
            .flat_map(|c| c.terms.iter().map(|&((chain, len, _), _)| (chain, len)))
            .collect();
        for (chain, len) in refs {
            self.sk.ensure_prefix(p, chain, len);
        }
        for cut in new {
            self.cut_rows.push(self.sk.lp.rows.len());
            let terms = super::decomposition::row_terms(&self.sk, cut);
            self.sk.row(terms, Sense::Ge, cut.rhs);
        }
        self.emitted = cuts.len();
        let Some(mut model) = self.model.take() else {
            return LpResult::failed(LpStatus::Failed(
                FailureReason::Solver,
                "the warm master lost its model after a failed solve".into(),
            ));
        };
        if let Err(message) = self.sync(&mut model) {
            return LpResult::failed(LpStatus::Failed(FailureReason::Solver, message));
        }
        if let Some(t) = clock.remaining() {
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
        let result = outcome(&solved, self.sk.lp.vars.len());
        self.model = Some(highs::Model::from(solved));
        result
    }

    /// Deletes the cuts `stays` marks false (one per emitted cut, in order) from the
    /// program and the model. They are slack at the last solution, so their slacks are
    /// basic and the basis stays valid without them.
    pub fn forget(&mut self, stays: &[bool]) {
        let mut gone = vec![false; self.sk.lp.rows.len()];
        let mut set = Vec::new();
        for (&row, &keep) in self.cut_rows.iter().zip(stays) {
            if !keep {
                gone[row] = true;
                set.push(row);
            }
        }
        self.emitted = stays.iter().filter(|&&k| k).count();
        if set.is_empty() {
            return;
        }
        let deleted = match (
            self.model.as_mut(),
            set.iter().map(|&r| int(r)).collect::<Result<Vec<_>, _>>(),
        ) {
            (Some(model), Ok(set)) => delete_rows(model, &set),
            _ => false,
        };
        if !deleted {
            // The model and the program would disagree: drop the model (the next solve
            // reports the failure).
            self.model = None;
            return;
        }
        let mut new_index = Vec::with_capacity(gone.len());
        let mut kept = 0;
        for &g in &gone {
            new_index.push(kept);
            kept += usize::from(!g);
        }
        let mut flags = gone.iter();
        self.sk
            .lp
            .rows
            .retain(|_| !flags.next().copied().unwrap_or(false));
        let mut flags = gone.iter();
        self.sk
            .is_cut
            .retain(|_| !flags.next().copied().unwrap_or(false));
        self.cut_rows = self
            .cut_rows
            .iter()
            .filter(|&&r| !gone[r])
            .map(|&r| new_index[r])
            .collect();
        self.rows = self.sk.lp.rows.len();
    }

    /// Passes the columns and rows of `sk.lp` the model does not hold yet.
    fn sync(&mut self, model: &mut highs::Model) -> Result<(), String> {
        let lp = &self.sk.lp;
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
