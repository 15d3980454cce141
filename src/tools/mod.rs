//! Tools beside the analyses: synthetic models of any size ([`generate`]), the exact
//! problem as an MPS or LP file for other solvers ([`export`]), solvers timed and compared
//! on one model ([`bench`](mod@bench)), and a model folder turned into a workbook and back
//! ([`convert`]).

pub mod bench;
pub mod bench_table;
pub mod convert;
pub mod export;
pub mod generate;
