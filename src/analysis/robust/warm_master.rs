//! The decomposition's linear master kept alive in a backend with warm starts (HiGHS,
//! built with `--features highs`) across rounds.
//!
//! Rebuilding the master each round and solving it cold costs a full simplex solve per
//! round, which dominates once thousands of scenarios bring thousands of cuts. Here one
//! model lives for the whole decomposition ([`WarmLp`]): a round appends its new cuts as
//! rows (and the prefix variables they need as columns, each with its two defining rows,
//! see [`Skeleton::ensure_prefix`]) and re-solves from the previous optimal basis. The
//! cuts [`super::decomposition`] prunes are deleted from the model too: they are slack,
//! so their slacks are basic and the basis survives (kept, they made every simplex
//! iteration dearer: at 3,000 scenarios the re-solves took 5–18 s with them, 4–6 s
//! without, a round or two more). [`Skeleton`] mirrors the model row for row, so plans,
//! θ and the objective are read as on the cold path.

use crate::engine::lp::Sense;
use crate::engine::warm::WarmLp;
use crate::engine::{LpResult, SolverKind};

use super::decomposition::Cut;
use super::master::{skeleton, Skeleton};
use super::{Clock, Problem};

/// The master program and the backend's model that holds the same rows and columns.
pub struct WarmMaster {
    sk: Skeleton,
    /// The backend that holds the model.
    kind: SolverKind,
    /// The model.
    model: Box<dyn WarmLp>,
    /// Cuts of the caller's list already in the program.
    emitted: usize,
    /// True once the program has been solved.
    solved: bool,
    /// The row of each emitted cut, in the caller's order.
    cut_rows: Vec<usize>,
}

impl WarmMaster {
    /// An empty-of-cuts master of `p` (the skeleton with full-length prefixes only) kept
    /// in `kind`, or `None` when `kind` has no warm starts.
    /// Its first solve starts from `incumbent` (the nominal plan, over the blocks'
    /// variables, the program's first columns): the master without cuts buys what the
    /// nominal plan buys, so the simplex starts with the offers it fills at their caps.
    pub fn new(p: &Problem, kind: SolverKind, incumbent: &[f64]) -> Option<Self> {
        let mut model = kind.open_warm()?;
        let sk = skeleton(p, &Default::default());
        model.start_at(&start(p, &sk, incumbent));
        Some(WarmMaster {
            model,
            kind,
            sk,
            emitted: 0,
            solved: false,
            cut_rows: Vec::new(),
        })
    }

    /// The backend that holds the model.
    pub fn kind(&self) -> SolverKind {
        self.kind
    }

    /// The program as it stands (after [`WarmMaster::solve`]: the one solved).
    pub fn skeleton(&self) -> &Skeleton {
        &self.sk
    }
    /// Appends `cuts[emitted..]` (the list only grows on this path) and re-solves.
    pub fn solve(&mut self, p: &Problem, cuts: &[Cut], clock: &Clock) -> LpResult {
        let new = &cuts[self.emitted..];
        // In ascending order each new prefix is defined from its nearest shorter one, so
        // a round adds at most one chain's worth of entries per chain.
        let refs: std::collections::BTreeSet<(usize, usize)> = new
            .iter()
            .flat_map(|c| c.terms.iter().map(|&((chain, len, _), _)| (chain, len)))
            .collect();
        for (chain, len) in refs {
            self.sk.ensure_prefix(p, chain, len);
        }
        if !self.solved {
            // The program without cuts first: a cold simplex solve of the first round's
            // cuts costs more than the dual simplex adding them to a solved skeleton
            // (1.3 s of CPU against 2.0 s on 1,000 x 3 x 200 with microlp).
            self.solved = true;
            let skeleton = self.model.solve(&self.sk.lp, clock.remaining());
            if !skeleton.status.is_optimal() {
                return skeleton;
            }
        }
        for cut in new {
            self.cut_rows.push(self.sk.lp.rows.len());
            let terms = super::decomposition::row_terms(&self.sk, cut);
            self.sk.row(terms, Sense::Ge, cut.rhs);
        }
        self.emitted = cuts.len();
        self.model.solve(&self.sk.lp, clock.remaining())
    }

    /// Deletes the cuts `stays` marks false (one per emitted cut, in order) from the
    /// program and the model. They are slack at the last solution, so their slacks are
    /// basic and the basis stays valid without them.
    pub fn forget(&mut self, stays: &[bool]) {
        let mut gone = vec![false; self.sk.lp.rows.len()];
        let mut set = Vec::new();
        for (&row, &keep) in self.cut_rows.iter().zip(stays) {
            if !keep {
                gone[row] = true;
                set.push(row);
            }
        }
        self.emitted = stays.iter().filter(|&&k| k).count();
        if !self.model.deletes_rows() {
            // The model keeps them, so the program does: valid cuts, only no longer
            // the caller's to prune or re-emit.
            let mut flags = stays.iter();
            self.cut_rows
                .retain(|_| flags.next().copied().unwrap_or(true));
            return;
        }
        if set.is_empty() {
            return;
        }
        if !self.model.delete_rows(&set) {
            // The model and the program would disagree: the backend dropped its model
            // (the next solve reports the failure).
            return;
        }
        let mut new_index = Vec::with_capacity(gone.len());
        let mut kept = 0;
        for &g in &gone {
            new_index.push(kept);
            kept += usize::from(!g);
        }
        let mut flags = gone.iter();
        self.sk
            .lp
            .rows
            .retain(|_| !flags.next().copied().unwrap_or(false));
        let mut flags = gone.iter();
        self.sk
            .is_cut
            .retain(|_| !flags.next().copied().unwrap_or(false));
        self.cut_rows = self
            .cut_rows
            .iter()
            .filter(|&&r| !gone[r])
            .map(|&r| new_index[r])
            .collect();
    }
}

/// The incumbent (per offer, real units) over the skeleton's columns: each offer's share
/// of its block's demand, NaN (no hint) for every other column.
fn start(p: &Problem, sk: &Skeleton, incumbent: &[f64]) -> Vec<f64> {
    let mut x = vec![f64::NAN; sk.lp.vars.len()];
    for (i, &q) in incumbent.iter().enumerate() {
        let m = p.model.offers[i].mineral;
        if let Some(v) = sk.offer_var(p, i) {
            x[v] = q / p.blocks[m].demand;
        }
    }
    x
}
