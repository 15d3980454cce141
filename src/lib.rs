//! sourcemix: the cheapest supply mix of critical minerals under a planner's policy on
//! country concentration and geopolitical risk.
//!
//! The flow is one-way: files → `input` → `model` (with its `policy` rules) → formulation
//! → engine → `solve` → `plan` → `analysis` → `report`. The public API is what a caller
//! needs; the formulation, the LP and its backends' internals, the cleaning of numbers,
//! tolerances and file writing are `pub(crate)`:
//!
//! - here, at the root: [`load`] and [`Loaded`]; [`solve_plan`] and [`Plan`]; [`stress`],
//!   [`solve_robust`], [`frontier`], [`policy_cost`], [`compare`], [`explain`], with their
//!   options and typed results; [`Model`], [`Name`], [`SolveOptions`], [`SolverChoice`],
//!   [`Error`];
//! - [`input`]: models from a folder, a workbook or tables in memory
//!   ([`input::ModelFiles`], [`input::parse`]), plans, scenarios and correlations, and the
//!   CSV table reader ([`input::table`]);
//! - [`model`]: the validated model's data types; [`policy`]: the rule registry
//!   ([`policy::ALL`], [`policy::Kind`]) for callers listing rules;
//! - [`plan`]: the plan and its rows; [`analysis`]: each analysis's entry point, options
//!   and results (stress, robust plans, sampled scenarios, the frontier, ranging, what
//!   the policy costs, explanations, data checks);
//! - [`engine`]: the backends of this build and what each can do ([`engine::catalog`]);
//!   [`solve`]: its options and statuses; [`error`]: the one error type;
//! - [`report`], [`commands`] and [`tools`]: results as tables, text and JSON, one entry
//!   point per command of the `sourcemix` binary, and the tools those commands are
//!   (generate, export, bench, convert) — as far as the binary needs them.
//!
//! ```
//! use sourcemix::{explain, solve_plan, stress, ExplainOptions, SolveOptions, StressOptions};
//!
//! // A model folder (or workbook), with its scenarios and warnings.
//! let loaded = sourcemix::load("models/export-controls-2023".as_ref())?;
//! let plan = solve_plan(&loaded.model, &SolveOptions::default())?;
//! assert!(plan.minerals.iter().all(|m| m.checked));
//! // The plan under every scenario of its scenarios.csv.
//! let stressed = stress(&loaded.model, &plan.quantities(), &loaded.scenarios, &StressOptions::default())?;
//! assert!(stressed.summary.expected_cost >= plan.cost());
//!
//! // A model from tables in memory, validated as files are: CHN is capped at 60%.
//! let tables = sourcemix::input::ModelFiles::from_memory(&[
//!     ("suppliers.csv", b"supplier,mineral,country,unit_cost\nA,ga,AUS,10\nB,ga,CHN,8\n"),
//!     ("demand.csv", b"mineral,quantity\nga,100\n"),
//!     ("constraints.csv", b"constraint,mineral,target,bound\nmax_country_share,ga,CHN,0.6\n"),
//! ]);
//! let small = sourcemix::input::parse(&tables)?;
//! let plan = solve_plan(&small.model, &SolveOptions::default())?;
//! assert_eq!(plan.cost(), 60.0 * 8.0 + 40.0 * 10.0);
//! // The CHN cap binds: one percentage point more would save 100 · 0.01 · (10 − 8) = 2.
//! let cap = &plan.minerals[0].rows[0];
//! assert!(cap.binding);
//! assert!((cap.shadow_price_per_point.unwrap() + 2.0).abs() < 1e-6);
//! // The model has a plan, so `explain` finds nothing to relax.
//! assert!(explain(&small.model, &ExplainOptions::default())?.feasible);
//! # Ok::<(), sourcemix::Error>(())
//! ```
#![deny(missing_docs)]

pub mod analysis;
pub mod commands;
pub mod engine;
pub mod error;
pub(crate) mod formulate;
pub mod input;
pub mod model;
pub mod plan;
pub mod policy;
#[cfg(feature = "python")]
mod python;
pub mod report;
pub(crate) mod rng;
pub mod solve;
pub(crate) mod tolerance;
pub mod tools;
pub mod values;
pub(crate) mod write;

/// The library's own tests name it as callers do (`sourcemix::…`), so they share the
/// integration tests' independent plan checker.
#[cfg(test)]
extern crate self as sourcemix;
/// The independent plan checker of SPEC §1–2 and the tests' random generator, shared
/// with the integration tests.
#[cfg(test)]
#[path = "../tests/it/common/spec.rs"]
mod spec;

pub use analysis::compare::{compare, CompareOptions, Comparison};
pub use analysis::explain::{explain, ExplainOptions, Explanation};
pub use analysis::frontier::{frontier, FrontierOptions, FrontierOutcome};
pub use analysis::policy_cost::{policy_cost, PolicyCost};
pub use analysis::robust::{solve_robust, RobustOptions};
pub use analysis::stress::{stress, StressOptions, StressReport};
pub use error::{Error, Result};
pub use input::{load, Loaded};
pub use model::name::Name;
pub use model::Model;
pub use plan::{solve_plan, Plan};
pub use solve::{SolveOptions, SolverChoice};
