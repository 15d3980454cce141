//! The HHI cut loop for export: solve the block's LP, add tangent cuts t_c ≥ 2a s_c − a²
//! at the shares of the plan, and repeat until every cap holds, as `solve` does with an
//! LP backend (the engine's cut loop). The block then holds the cuts of the final round.

use crate::engine::cuts::{CutEnd, CutLoop};
use crate::engine::lp::Lp;
use crate::engine::{route, solve_lp, BackendOptions, LpResult, SolverChoice, SolverKind};
use crate::formulate::Block;
use crate::solve::DEFAULT_MIP_GAP;
use crate::tolerance::{CUT_DEPTH, CUT_TOLERANCE, MAX_CUT_ROUNDS};

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
    let kind = SolverChoice::Auto.backend(block.lp.has_integers(), false);
    let opts = BackendOptions {
        time_limit_secs: None,
        mip_gap: DEFAULT_MIP_GAP.get(),
        duals: false,
    };
    let run = CutLoop::new(MAX_CUT_ROUNDS).run(
        block,
        |block, _| solve_point(kind, &block.lp, &opts),
        |block, x| {
            block
                .cap_values(x)
                .iter()
                .all(|&(k, v)| v <= block.instances[k].bound + CUT_TOLERANCE)
        },
        |block, x| block.add_cuts(x, CUT_DEPTH),
    );
    CutOutcome {
        // The rounds whose cuts were added: a stalled round added none.
        rounds: run.rounds - usize::from(run.end == CutEnd::Stalled),
        solver: kind,
        converged: run.end == CutEnd::Holds,
    }
}

/// The solver's result, polished to a vertex for an interior-point backend (export sets
/// no time limit, so a point is an optimum).
fn solve_point(kind: SolverKind, lp: &Lp, opts: &BackendOptions) -> LpResult {
    route::polished(kind, lp, solve_lp(kind, lp, opts), None)
}
