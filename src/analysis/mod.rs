//! Analysis commands that sit beside `solve` and reuse it: what the policy costs
//! ([`policy`]), why a model has no solution ([`explain`]), the unit a planner reads a
//! shadow price in ([`units`]), and shadow prices for blocks whose solver gives no duals
//! ([`duals`]).

pub mod duals;
pub mod explain;
pub mod policy;
pub mod units;
