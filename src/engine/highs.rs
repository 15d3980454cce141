//! HiGHS: simplex/IPM and MIP in C++ (LP + MIP + duals), feature `highs`; its models
//! kept warm between solves in `warm`.

mod warm;

use good_lp::solvers::{DualValues, SolutionWithDual};
use good_lp::SolverModel;

use crate::engine::lp::Lp;
use crate::tolerance::SOLVER_FEASIBILITY;

use super::adapter::{add_rows, build_variables, finish, unreachable_gap};
use super::capabilities::{Backend, Capabilities};
use super::options::BackendOptions;
use super::status::LpResult;

/// HiGHS in the registry.
pub(super) const BACKEND: Backend = Backend {
    name: "highs",
    description: "HiGHS simplex and branch and cut (C++)",
    capabilities: Capabilities {
        integers: true,
        duals: true,
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
    let mut model = vars
        .minimise(objective)
        .using(good_lp::highs)
        .set_option("presolve", "off")
        .set_option("threads", 1)
        .set_option("output_flag", false)
        // Tighter than the cut loop and the plan check (see tolerance.rs).
        .set_option("primal_feasibility_tolerance", SOLVER_FEASIBILITY)
        .set_option("mip_feasibility_tolerance", SOLVER_FEASIBILITY);
    if let Some(t) = opts.time_limit_secs {
        model = model.set_time_limit(t);
    }
    if lp.has_integers() {
        // Presolve off for MIPs too: on these models it costs far more than it
        // saves (2,000 offers × 5 minerals with min_order: 6 s with, 0.2 s without).
        model = model
            .set_mip_rel_gap(opts.mip_gap as f32)
            .unwrap_or_else(|_| unreachable_gap());
    }
    let refs = add_rows(&mut model, lp, &handles);
    finish(model.solve(), &handles, |sol| {
        opts.duals.then(|| {
            let d = sol.compute_dual();
            refs.iter().map(|r| d.dual(r.clone())).collect()
        })
    })
}
