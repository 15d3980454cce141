//! Analysis commands that sit beside `solve` and reuse it: what the policy costs
//! ([`policy`]), why a model has no solution ([`explain`]), and the unit a planner reads
//! a shadow price in ([`units`]).

pub mod explain;
pub mod policy;
pub mod units;
