//! The binary's commands: one module each, holding its clap arguments and a short `run`
//! that builds typed library options, calls one library entry point and hands the
//! result to [`output`].

pub mod bench;
pub mod check;
pub mod compare;
pub mod convert;
pub mod explain;
pub mod export;
pub mod frontier;
pub mod generate;
pub mod hedge;
#[cfg(feature = "mpi")]
pub mod mpi;
pub mod output;
pub mod policy;
pub mod results;
pub mod scenarios;
pub mod signals;
pub mod solve;
pub mod solver;
pub mod solvers;
pub mod stress;
