//! microlp: pure-Rust dual simplex with branch and bound (LP + MIP, exact vertices, no
//! duals); also the exact solve behind polishing, diagnosis and relaxation bounds.

use good_lp::SolverModel;

mod warm;

use crate::engine::lp::Lp;

use super::adapter::{add_rows, build_variables, finish, with_limits, without_variables};
use super::capabilities::{Backend, Capabilities};
use super::options::BackendOptions;
use super::status::LpResult;

/// microlp in the registry.
pub(super) const BACKEND: Backend = Backend {
    name: "microlp",
    description: "pure-Rust dual simplex with branch and bound; exact vertices",
    capabilities: Capabilities {
        integers: true,
        duals: false,
        time_limit: true,
        cones: false,
        vertices: true,
        warm_start: true,
        mip_gap: true,
    },
    solve,
    warm: Some(warm::open),
};

fn solve(lp: &Lp, opts: &BackendOptions) -> LpResult {
    let (vars, handles, objective) = build_variables(lp);
    let problem = vars.minimise(objective);
    let mut model = with_limits(problem.using(good_lp::microlp), lp, opts);
    add_rows(&mut model, lp, &handles);
    finish(model.solve(), &handles, |_| None)
}

/// Solves `lp` to an exact vertex with the pure-Rust simplex (no duals, zero MIP gap):
/// the helper behind polishing, diagnosis and relaxation bounds.
pub(crate) fn solve_exact(lp: &Lp, time_limit_secs: Option<f64>) -> LpResult {
    let opts = BackendOptions {
        time_limit_secs,
        mip_gap: 0.0,
        duals: false,
    };
    without_variables(lp, &opts).unwrap_or_else(|| solve(lp, &opts))
}
