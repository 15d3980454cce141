//! CBC: COIN-OR simplex and branch and cut (LP + MIP, no duals), feature `cbc`.

use good_lp::SolverModel;

use crate::engine::lp::Lp;

use super::adapter::{add_rows, build_variables, finish, with_limits};
use super::capabilities::{Backend, Capabilities};
use super::options::BackendOptions;
use super::polish::polish;
use super::status::{LpResult, LpStatus};

/// CBC in the registry (good_lp's coin_cbc solution exposes primal values only).
pub(super) const BACKEND: Backend = Backend {
    name: "cbc",
    description: "COIN-OR CBC simplex and branch and cut (C++, system library)",
    capabilities: Capabilities {
        integers: true,
        duals: false,
        time_limit: true,
        cones: false,
        vertices: true,
        warm_start: false,
        mip_gap: true,
    },
    solve,
    warm: None,
};

fn solve(lp: &Lp, opts: &BackendOptions) -> LpResult {
    let (vars, handles, objective) = build_variables(lp);
    let problem = vars.minimise(objective);
    let mut model = with_limits(problem.using(good_lp::coin_cbc), lp, opts);
    add_rows(&mut model, lp, &handles);
    let mut result = finish(model.solve(), &handles, |_| None);
    // CBC's C interface solves a continuous model with Clp's defaults, ignoring
    // parameters: its 1e-7 primal tolerance stalls the HHI cut loop (which needs
    // cuts to hold to 1e-8). The vertex is re-solved exactly, as Clarabel's is.
    if !lp.has_integers() && result.status == LpStatus::Optimal {
        if let Some(x) = polish(lp, &result.x, opts.time_limit_secs) {
            result.x = x;
        }
    }
    result
}
