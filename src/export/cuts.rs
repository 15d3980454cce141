//! The HHI cut loop for export: solve the block's LP, add tangent cuts t_c ≥ 2a s_c − a²
//! at the shares of the plan, and repeat until every cap holds, as `solve` does with an
//! LP backend. The block then holds the cuts of the final round.

use crate::formulate::Block;
use crate::lp::Lp;
use crate::polish::polish;
use crate::solve::DEFAULT_MIP_GAP;
use crate::solvers::{solve_lp, BackendOptions, LpStatus, SolverKind};
use crate::tolerance::{CUT_DEPTH, CUT_TOLERANCE};

/// Most rounds of cuts, as in `solve` (`solve::optimize`).
const MAX_ROUNDS: usize = 100;

/// How the cut loop of one block ended.
#[derive(Debug, Clone, PartialEq)]
pub struct CutOutcome {
    /// Rounds of cuts added after the first solve.
    pub rounds: usize,
    /// The backend used.
    pub solver: SolverKind,
    /// True when every cap held within [`CUT_TOLERANCE`] at the last solve; false when
    /// the solver stopped without a plan (an infeasible block) or the round limit was hit.
    pub converged: bool,
}

/// Runs the cut loop on `block` (which has HHI caps) with the LP backend `auto` uses for
/// linear models of its kind (HiGHS when compiled in; else Clarabel polished to a vertex,
/// or microlp for integer rules).
pub fn final_cuts(block: &mut Block) -> CutOutcome {
    let kind = SolverKind::auto(block.lp.has_integers(), false);
    let opts = BackendOptions {
        time_limit_secs: None,
        mip_gap: DEFAULT_MIP_GAP,
        duals: false,
    };
    let mut rounds = 0;
    loop {
        let Some(x) = solve_point(kind, &block.lp, &opts) else {
            return outcome(rounds, kind, false);
        };
        let holds = block
            .cap_values(&x)
            .iter()
            .all(|&(k, v)| v <= block.instances[k].bound + CUT_TOLERANCE);
        if holds {
            return outcome(rounds, kind, true);
        }
        if rounds >= MAX_ROUNDS || block.add_cuts(&x, CUT_DEPTH) == 0 {
            return outcome(rounds, kind, false);
        }
        rounds += 1;
    }
}

fn outcome(rounds: usize, solver: SolverKind, converged: bool) -> CutOutcome {
    CutOutcome {
        rounds,
        solver,
        converged,
    }
}

/// The solver's plan, polished to a vertex for Clarabel; `None` without a plan.
fn solve_point(kind: SolverKind, lp: &Lp, opts: &BackendOptions) -> Option<Vec<f64>> {
    let r = solve_lp(kind, lp, opts);
    if !matches!(r.status, LpStatus::Optimal | LpStatus::Feasible) {
        return None;
    }
    if kind == SolverKind::Clarabel {
        return Some(polish(lp, &r.x, None).unwrap_or(r.x));
    }
    Some(r.x)
}
