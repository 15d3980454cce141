//! Writing files, for every stage that writes: whole-or-nothing sets of files
//! ([`atomic`]; results folders published at once, [`set`]; one writer per folder,
//! [`lock`]; what a signal undoes, [`interrupt`]; what dead runs left, `stale`), CSV lines
//! ([`CsvOut`]) and plain decimals ([`numbers`]). It depends on nothing else in the
//! crate, so input, analyses and reports can all use it.

pub mod atomic;
pub mod cells;
mod csv_out;
pub mod interrupt;
#[cfg(unix)]
pub mod lock;
pub mod numbers;
#[cfg(unix)]
pub(crate) mod set;
mod stale;

pub use cells::Dialect;
pub use csv_out::CsvOut;

/// Whether `path` is the link a results folder holds in place of a result file (see
/// [`set`]); such a link is replaced like a result, never written through.
pub fn is_result_link(path: &std::path::Path) -> bool {
    #[cfg(unix)]
    {
        set::is_result_link(path)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        false
    }
}
