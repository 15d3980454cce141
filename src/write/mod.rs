//! Writing files, for every stage that writes: whole-or-nothing sets of files
//! ([`atomic`]), CSV lines ([`CsvOut`]) and plain decimals ([`numbers`]). It depends on
//! nothing else in the crate, so input, analyses and reports can all use it.

pub mod atomic;
pub mod cells;
mod csv_out;
pub mod numbers;

pub use cells::Dialect;
pub use csv_out::CsvOut;
