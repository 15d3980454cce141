//! Analyses: they take the model and its plan (or solve it again, changed) and say more
//! than a plan does — a plan under disruption ([`stress`]), the plan that plans for them
//! ([`robust`]) and the disruptions to plan for ([`sampling`]), the cost–risk frontier
//! ([`frontier`]), the sensitivity of the optimum ([`ranging`]), what the policy costs
//! ([`policy_cost`]) and policy variants side by side ([`compare`]), why a model has no solution ([`explain`]), suspicious data
//! ([`check`]). [`spread`] decides where the independent pieces of the robust solve,
//! stress and sampling run (here, or over MPI ranks).

pub mod awards;
pub mod check;
pub mod compare;
pub mod explain;
pub mod frontier;
pub mod hedge;
pub mod policy_cost;
pub mod presets;
pub mod ranging;
pub mod robust;
pub mod sampling;
pub mod soft;
pub mod spread;
mod stage_check;
pub mod stage_shocks;
pub mod stock;
pub mod stress;
