//! An LP kept alive in a backend between solves, re-solved warm from the last basis: for
//! callers that solve a growing program round after round (the robust decomposition's
//! linear master). Backends that declare `warm_start` open one.

use crate::engine::lp::Lp;

use super::status::LpResult;

/// An LP held by a backend across solves.
pub(crate) trait WarmLp {
    /// Passes the backend the columns and rows of `lp` it does not hold yet (`lp` only
    /// grows between solves, apart from [`WarmLp::delete_rows`]) and re-solves warm,
    /// within `time_limit_secs` of this call. A failure leaves the model unusable: later
    /// solves fail too.
    fn solve(&mut self, lp: &Lp, time_limit_secs: Option<f64>) -> LpResult;

    /// False for a backend that cannot delete rows: the caller then keeps in its program
    /// the rows it would have deleted (as the model does).
    fn deletes_rows(&self) -> bool {
        true
    }

    /// A starting point for the next cold build of the model: a value per column of the
    /// program (NaN: none), a hint that changes the path to the optimum, not the
    /// optimum. Backends without the notion ignore it.
    fn start_at(&mut self, _x: &[f64]) {}

    /// Deletes the rows `rows` (ascending) from the backend's copy; false when the
    /// backend refuses, which leaves the model unusable (the next solve fails).
    fn delete_rows(&mut self, rows: &[usize]) -> bool;
}
