//! What ended a robust solve short of a proven optimum, and the status its bounds give.
//!
//! A robust status of "optimal" means the method's lower bound and its plan's objective
//! meet to [`DECOMPOSITION_GAP`]; anything else is "feasible" with the limit that stopped
//! it named: the time limit, a stop request, the solver's iteration limit, or its
//! numerics (a solver that ends "almost solved", or returns an optimum whose bound leaves
//! a larger gap — the interior point's reduced tolerances).

use serde::Serialize;

use crate::engine::Limit;
use crate::solve::Status;

use super::{Clock, DECOMPOSITION_GAP};

/// What stopped a robust solve before its bounds met.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stop {
    /// The time limit (`--time-limit`).
    TimeLimit,
    /// A stop request (`solve::request_stop`: Ctrl-C in Python).
    Interrupted,
    /// The solver's own iteration limit.
    Iterations,
    /// The solver's numerics: it ended short of its tolerances, or its bound leaves a
    /// gap above [`DECOMPOSITION_GAP`].
    Numerics,
}

impl Stop {
    /// The stop of a solver call that ended at `limit` under `clock`: a time limit is the
    /// clock's (a stop request expires the clock too).
    pub(crate) fn of_limit(limit: Limit, clock: &Clock) -> Stop {
        match limit {
            Limit::Time => Stop::of_clock(clock),
            Limit::Iterations => Stop::Iterations,
        }
    }

    /// The stop of an expired `clock`: a stop request, else the time limit.
    pub(crate) fn of_clock(clock: &Clock) -> Stop {
        if clock.stopped() {
            Stop::Interrupted
        } else {
            Stop::TimeLimit
        }
    }

    /// What stopped the solve, as the subject of a sentence ("… stopped the robust
    /// solve").
    pub fn words(self) -> &'static str {
        match self {
            Stop::TimeLimit => "a time limit",
            Stop::Interrupted => "a stop request",
            Stop::Iterations => "the solver's iteration limit",
            Stop::Numerics => "the solver's numerical accuracy",
        }
    }
}

/// The status a plan with relative `gap` to its lower bound (none: unknown) earns when
/// `stop` (none: the method ran to its end) ended the method, and the stop to report:
/// optimal only when nothing stopped it and the gap is known and at most
/// [`DECOMPOSITION_GAP`]; otherwise feasible, stopped by `stop`, else by numerics — but by
/// `clock` when it had expired by then (`expired`: the clock's stop), since a solver cut
/// short by the time limit may end in a numerical status or leave the gap open.
pub(crate) fn judge(
    gap: Option<f64>,
    stop: Option<Stop>,
    expired: Option<Stop>,
) -> (Status, Option<Stop>) {
    match (stop, gap, expired) {
        (None, Some(g), _) if g <= DECOMPOSITION_GAP => (Status::Optimal, None),
        (None | Some(Stop::Numerics), _, Some(clock)) => (Status::Feasible, Some(clock)),
        (None, _, None) => (Status::Feasible, Some(Stop::Numerics)),
        (Some(s), _, _) => (Status::Feasible, Some(s)),
    }
}

/// The clock's stop when it has expired.
pub(crate) fn expired(clock: &Clock) -> Option<Stop> {
    clock.expired().then(|| Stop::of_clock(clock))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn optimal_only_with_a_closed_gap_and_no_stop() {
        let feasible = |s| (Status::Feasible, Some(s));
        assert_eq!(judge(Some(0.0), None, None), (Status::Optimal, None));
        assert_eq!(judge(Some(1e-7), None, None), (Status::Optimal, None));
        // A closed gap is optimal even when the clock ran out just after.
        let clock = Some(Stop::TimeLimit);
        assert_eq!(judge(Some(1e-8), None, clock), (Status::Optimal, None));
        // The run: "optimal" next to its own gap of 4.2e-3.
        assert_eq!(judge(Some(4.2e-3), None, None), feasible(Stop::Numerics));
        assert_eq!(judge(Some(1.1e-7), None, None), feasible(Stop::Numerics));
        assert_eq!(judge(None, None, None), feasible(Stop::Numerics));
        // An open gap or a numerical end after the clock ran out is the clock's.
        assert_eq!(judge(Some(1e-3), None, clock), feasible(Stop::TimeLimit));
        let numerics = Some(Stop::Numerics);
        assert_eq!(judge(None, numerics, clock), feasible(Stop::TimeLimit));
        // A stop is named even when the gap happens to be closed.
        let time = Some(Stop::TimeLimit);
        assert_eq!(judge(Some(0.0), time, None), feasible(Stop::TimeLimit));
        let iterations = Some(Stop::Iterations);
        assert_eq!(judge(None, iterations, clock), feasible(Stop::Iterations));
    }

    #[test]
    fn a_solver_limit_names_itself_and_a_time_limit_names_the_clock() {
        let clock = Clock {
            start: std::time::Instant::now(),
            limit_secs: Some(0.0),
            stops: crate::solve::stops(),
        };
        assert_eq!(Stop::of_limit(Limit::Iterations, &clock), Stop::Iterations);
        assert_eq!(Stop::of_limit(Limit::Time, &clock), Stop::TimeLimit);
        let asked = Clock {
            stops: crate::solve::stops().wrapping_sub(1),
            ..clock
        };
        assert_eq!(Stop::of_limit(Limit::Time, &asked), Stop::Interrupted);
        assert_eq!(Stop::Iterations.words(), "the solver's iteration limit");
    }
}
