//! Clarabel: pure-Rust interior point (LP with duals, second-order cones, no integers).
//! Its LP solves go through good_lp; its cones through its native API (`conic`).

use good_lp::solvers::{DualValues, SolutionWithDual};
use good_lp::SolverModel;

use crate::engine::lp::Lp;

use super::adapter::{add_rows, build_variables, finish};
use super::capabilities::{Backend, Capabilities};
use super::options::BackendOptions;
use super::status::LpResult;

/// Clarabel in the registry.
pub(super) const BACKEND: Backend = Backend {
    name: "clarabel",
    description: "pure-Rust interior point; fastest LP in the default build",
    capabilities: Capabilities {
        integers: false,
        duals: true,
        time_limit: true,
        cones: true,
        vertices: false,
        warm_start: false,
        mip_gap: false,
    },
    solve,
    warm: None,
};

fn solve(lp: &Lp, opts: &BackendOptions) -> LpResult {
    let (vars, handles, objective) = build_variables(lp);
    let mut model = vars.minimise(objective).using(good_lp::clarabel);
    if let Some(t) = opts.time_limit_secs {
        model.settings().time_limit(t);
    }
    let refs = add_rows(&mut model, lp, &handles);
    finish(model.solve(), &handles, |sol| {
        opts.duals.then(|| {
            let d = sol.compute_dual();
            refs.iter().map(|r| d.dual(r.clone())).collect()
        })
    })
}
