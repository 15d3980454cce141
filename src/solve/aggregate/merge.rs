//! The offers of one country merged into one variable in a problem where they cost
//! nothing: the elastic program of an infeasible block (`solve::diagnose`), whose
//! objective is the slacks alone.
//!
//! The offers of a country have one common column in the block ([`Groups::of`]). In a
//! problem built on the block's rows where those offers have no cost, only their sum
//! matters: any split of a country's quantity within the offers' bounds is as good as
//! another. So all of them but one are left out, and the one kept carries the sum of
//! their upper bounds. Offers that must stay apart (in a row of their own, such as a
//! supplier cap that can move) are named by the caller and kept as they are. The merged
//! problem has the same optimum, and its plan maps back to one of the problem's.

use super::groups::Groups;
use crate::engine::lp::Lp;
use crate::formulate::Block;
use crate::model::Model;

/// Merges, in `lp` (the block's variables first, then the caller's own), the offers of
/// each country of `block` that `keep` does not name into the first of them: its upper
/// bound becomes their sum, the others are fixed at 0 and left out of every row.
/// Returns, per variable of `lp`, whether it was left out; `None` when the block lacks
/// the country structure (nothing is changed then).
pub(crate) fn merge_offers(
    model: &Model,
    block: &Block,
    lp: &mut Lp,
    keep: impl Fn(usize) -> bool,
) -> Option<Vec<bool>> {
    let groups = Groups::of(model, block)?;
    let mut left_out = vec![false; lp.vars.len()];
    for group in &groups.groups {
        let mut plain = group.vars.iter().map(|&v| v as usize).filter(|&v| !keep(v));
        let Some(first) = plain.next() else { continue };
        for v in plain {
            lp.vars[first].upper += lp.vars[v].upper;
            lp.vars[v].upper = 0.0;
            left_out[v] = true;
        }
    }
    for row in &mut lp.rows {
        row.terms.retain(|&(j, _)| !left_out[j]);
    }
    Some(left_out)
}
