//! An LP kept alive in microlp across solves (the engine's [`WarmLp`] for microlp), so
//! the default build's robust decomposition re-solves its linear master warm.
//!
//! microlp re-optimizes with its dual simplex from the previous basis when rows are
//! added to a solved problem ([`microlp::Solution::add_constraints`], which sourcemix
//! adds to its vendored microlp: one refactorization per batch, not per row), but it
//! can neither add columns nor delete rows. So:
//! - the model is built with spare columns (cost 0, in [0, ∞), in no row: they stay at 0
//!   and cost nothing). A new column of that kind (the master's prefix sums) takes a
//!   spare, and its rows come as rows do. Any other new column, or running out of
//!   spares, rebuilds the problem, with twice the spares, and solves it from the last
//!   solution (see [`Warm::solve_from_start`]);
//! - rows are never deleted ([`WarmLp::deletes_rows`] is false): the caller keeps them
//!   in its program too (the robust master keeps its slack cuts, which are valid).

use std::time::{Duration, Instant};

use microlp::{ComparisonOp, OptimizationDirection, Problem, Solution, SolveOutcome, Variable};

use crate::engine::lp::{Lp, Row, Sense, Var};
use crate::tolerance::AT_BOUND;

use super::super::status::{FailureReason, Limit, LpResult, LpStatus};
use super::super::warm::WarmLp;

/// Spare columns of the first build.
const FIRST_SPARES: usize = 256;

/// A microlp model and how much of the caller's program it holds.
pub(in crate::engine) struct Warm {
    /// The solved model (`None` before the first solve and after a failure).
    solution: Option<Solution>,
    /// The model's variable of each column of the caller's program.
    vars: Vec<Variable>,
    /// Rows of the caller's program the model holds.
    rows: usize,
    /// Columns of the model no column of the caller's program has taken yet.
    spares: Vec<Variable>,
    /// How many spares the next rebuild makes.
    spare_count: usize,
    /// The starting point of the next cold build (see [`WarmLp::start_at`]); after a
    /// solve, its solution, so a rebuild (spares run out) starts from there.
    start: Vec<f64>,
}

/// An empty microlp model.
pub(in crate::engine) fn open() -> Box<dyn WarmLp> {
    Box::new(Warm {
        solution: None,
        vars: Vec::new(),
        rows: 0,
        spares: Vec::new(),
        spare_count: FIRST_SPARES,
        start: Vec::new(),
    })
}

impl WarmLp for Warm {
    fn solve(&mut self, lp: &Lp, time_limit_secs: Option<f64>) -> LpResult {
        let limit = time_limit_secs.map(|t| Duration::from_secs_f64(t.max(0.0)));
        let warm = self.solution.is_some() && lp.rows.len() >= self.rows && self.take_spares(lp);
        let result = if warm {
            self.append(lp, limit)
        } else {
            self.cold(lp, limit)
        };
        if !result.status.is_optimal() {
            self.solution = None;
        }
        result
    }

    fn deletes_rows(&self) -> bool {
        false
    }

    fn start_at(&mut self, x: &[f64]) {
        self.start = x.to_vec();
    }

    fn delete_rows(&mut self, _rows: &[usize]) -> bool {
        // Never asked (see `deletes_rows`); refusing leaves the model unusable.
        self.solution = None;
        false
    }
}

impl Warm {
    /// Builds `lp` afresh and solves it: from the starting point when one was given
    /// ([`Warm::solve_from_start`]), else from microlp's slack basis.
    fn cold(&mut self, lp: &Lp, limit: Option<Duration>) -> LpResult {
        let start = std::mem::take(&mut self.start);
        if !start.is_empty() {
            let result = self.solve_from_start(lp, &start, limit);
            if result.status.is_optimal() || matches!(result.status, LpStatus::LimitNoSolution(_)) {
                return result;
            }
        }
        let problem = self.build(lp, limit, &[]);
        self.keep(problem.solve(), lp)
    }

    /// A new microlp problem of `lp` (with spares); the columns `fixed` gives a value
    /// (not NaN) are fixed there.
    fn build(&mut self, lp: &Lp, limit: Option<Duration>, fixed: &[f64]) -> Problem {
        let mut problem = Problem::new(OptimizationDirection::Minimize);
        if let Some(limit) = limit {
            problem.set_time_limit(limit);
        }
        self.vars = lp
            .vars
            .iter()
            .enumerate()
            .map(|(j, v)| match fixed.get(j) {
                Some(&x) if !x.is_nan() => problem.add_var(v.cost, (x, x)),
                _ => problem.add_var(v.cost, (v.lower, v.upper)),
            })
            .collect();
        for row in &lp.rows {
            problem.add_constraint(self.terms(row), op(row.sense), row.rhs);
        }
        self.spare_count = self.spare_count.max(lp.vars.len() / 4);
        self.spares = (0..self.spare_count)
            .map(|_| problem.add_var(0.0, (0.0, f64::INFINITY)))
            .collect();
        self.rows = lp.rows.len();
        problem
    }

    /// Solves `lp` with the columns `start` puts at a bound fixed there (a crossover, as
    /// in polishing: the columns between their bounds, the others and the slacks form
    /// the basis), then frees them and lets the simplex move from there. From a
    /// near-optimal start this takes a few pivots per row where a solve from the slack
    /// basis takes a few per column: the first master of 10,000 offers x 1 mineral x 100
    /// scenarios (11,012 columns) took 0.09 s from the nominal plan against 5.6 s.
    fn solve_from_start(&mut self, lp: &Lp, start: &[f64], limit: Option<Duration>) -> LpResult {
        let n = start.len().min(lp.vars.len());
        // At a bound: fixed there (NaN: free, as in polishing).
        let fixed: Vec<f64> = lp.vars[..n]
            .iter()
            .zip(start)
            .map(|(v, &x)| {
                if x.is_nan() {
                    f64::NAN
                } else if x <= v.lower + AT_BOUND {
                    v.lower
                } else if v.upper.is_finite() && x >= v.upper - AT_BOUND {
                    v.upper
                } else {
                    f64::NAN
                }
            })
            .collect();
        let started = Instant::now();
        let problem = self.build(lp, limit, &fixed);
        let solution = match problem.solve() {
            Ok(SolveOutcome::Solution(solution)) => solution,
            Ok(SolveOutcome::Interrupted(_)) => {
                return LpResult::failed(LpStatus::LimitNoSolution(Limit::Time))
            }
            // The start does not fit (its fixed columns leave no point): no start.
            Err(_) => return LpResult::failed(LpStatus::Infeasible),
        };
        let limit = limit.map(|l| l.saturating_sub(started.elapsed()));
        let bounds: Vec<_> = (0..n)
            .filter(|&j| !fixed[j].is_nan())
            .map(|j| (self.vars[j], lp.vars[j].lower, lp.vars[j].upper))
            .collect();
        let relaxed = solution.set_bounds(bounds, limit);
        self.keep(relaxed, lp)
    }

    /// Adds the rows of `lp` the model does not hold yet, all at once (one
    /// refactorization), and re-solves warm by the dual simplex.
    fn append(&mut self, lp: &Lp, limit: Option<Duration>) -> LpResult {
        let new = &lp.rows[self.rows..];
        let Some(solution) = self.solution.take() else {
            return self.read(lp);
        };
        if new.is_empty() {
            self.solution = Some(solution);
            return self.read(lp);
        }
        let rows: Vec<_> = new
            .iter()
            .map(|row| (self.terms(row).collect::<Vec<_>>(), op(row.sense), row.rhs))
            .collect();
        self.rows = lp.rows.len();
        self.keep(solution.add_constraints(rows, limit), lp)
    }

    /// Gives the columns of `lp` the model does not hold yet spare columns; false when
    /// one is not of the spares' kind or the spares run out (the model must be rebuilt).
    fn take_spares(&mut self, lp: &Lp) -> bool {
        let new = &lp.vars[self.vars.len().min(lp.vars.len())..];
        let fits =
            |v: &Var| v.cost == 0.0 && v.lower == 0.0 && v.upper == f64::INFINITY && !v.integer;
        if new.len() > self.spares.len() {
            self.spare_count *= 2;
            return false;
        }
        if !new.iter().all(fits) {
            return false;
        }
        let from = self.spares.len() - new.len();
        self.vars.extend(self.spares.drain(from..));
        true
    }

    /// Keeps a solve's solution and reads it, or reports how it ended.
    fn keep(&mut self, outcome: Result<SolveOutcome, microlp::Error>, lp: &Lp) -> LpResult {
        match outcome {
            Ok(SolveOutcome::Solution(s)) => {
                self.solution = Some(s);
                self.read(lp)
            }
            Ok(SolveOutcome::Interrupted(_)) => {
                LpResult::failed(LpStatus::LimitNoSolution(Limit::Time))
            }
            Err(microlp::Error::Infeasible) => LpResult::failed(LpStatus::Infeasible),
            Err(microlp::Error::Unbounded) => LpResult::failed(LpStatus::Unbounded),
            Err(e) => LpResult::failed(LpStatus::Failed(FailureReason::Solver, e.to_string())),
        }
    }

    /// The values of the solution held, in the caller's column order.
    fn read(&mut self, lp: &Lp) -> LpResult {
        let Some(solution) = &self.solution else {
            return LpResult::failed(LpStatus::Failed(
                FailureReason::Solver,
                "microlp kept no solution".into(),
            ));
        };
        let x: Vec<f64> = self.vars[..lp.vars.len()]
            .iter()
            .map(|&v| solution.var_value(v))
            .collect();
        if x.iter().any(|v| !v.is_finite()) {
            return LpResult::failed(LpStatus::Failed(FailureReason::NonFinite, String::new()));
        }
        self.start.clone_from(&x);
        LpResult {
            status: LpStatus::Optimal,
            x,
            duals: None,
        }
    }

    /// A row's terms over the model's variables.
    fn terms<'a>(&'a self, row: &'a Row) -> impl Iterator<Item = (Variable, f64)> + 'a {
        row.terms.iter().map(|&(j, a)| (self.vars[j], a))
    }
}

/// microlp's comparison for a row sense.
fn op(sense: Sense) -> ComparisonOp {
    match sense {
        Sense::Le => ComparisonOp::Le,
        Sense::Ge => ComparisonOp::Ge,
        Sense::Eq => ComparisonOp::Eq,
    }
}
