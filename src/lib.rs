//! sourcemix: the cheapest supply mix of critical minerals under a planner's policy on
//! country concentration and geopolitical risk.
//!
//! The flow is one-way: [`input`] reads and validates a model folder into a [`Model`];
//! [`formulate`] turns each mineral into a scaled LP block ([`lp::Lp`]); [`solve`] runs a
//! backend from [`engine`] on every block and checks the plan independently; analyses
//! ([`stress`], [`check`]) sit beside it; [`report`] turns results into CSV, JSON and
//! text. [`commands`] holds one entry point per command of the `sourcemix` binary.
//!
//! ```no_run
//! let model = sourcemix::input::load_model(std::path::Path::new("models/export-controls-2023"))?;
//! let solution = sourcemix::solve::solve(&model, &sourcemix::solve::SolveOptions::default())?;
//! println!("total cost {}", solution.cost());
//! # Ok::<(), sourcemix::Error>(())
//! ```
#![deny(missing_docs)]

pub mod analysis;
pub mod commands;
pub mod engine;
pub mod error;
pub mod formulate;
pub mod input;
pub mod model;
pub mod plan;
pub mod policy;
pub mod report;
pub(crate) mod rng;
pub mod solve;
pub mod tolerance;
pub mod tools;
pub mod write;

pub use error::{Error, Result};
pub use model::name::Name;
pub use model::Model;
pub use write::interrupt::remove_in_flight;
