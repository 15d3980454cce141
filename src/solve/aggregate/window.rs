//! The exact restricted problem: the block itself with, per country, only a window of
//! its sorted offers free; cheaper offers are fixed at their bound and dearer ones at
//! zero. Its optimum is the block's once no country's quantity sits on an artificial
//! window edge (a convex problem's local optimum is global) and, with duals, no fixed
//! offer prices out (then the duals are the block's too); otherwise the windows grow
//! and it is solved again.

use std::borrow::Cow;

use super::backend::{Caps, Problem};
use super::groups::Groups;
use crate::engine::lp::{lift, Slot};
use crate::engine::LpResult;
use crate::formulate::Block;

/// Offers on each side of the guessed marginal offer in a first window.
const HALF_WIDTH: usize = 8;

use crate::tolerance::AGG_EDGE as EDGE;

use crate::tolerance::AGG_PRICE as PRICE;

/// Offers `lo..hi` of a group (cheapest first) are free; those before at their bound,
/// those after at zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Window {
    /// First free offer.
    pub lo: usize,
    /// One past the last free offer.
    pub hi: usize,
}

/// The restricted problem and where each block variable went.
pub(crate) struct Restricted {
    /// The problem (costs multiplied by kappa).
    pub problem: Problem<'static>,
    slots: Vec<Slot>,
}

/// First windows: around the guessed quantities, or the cheapest offers without a guess.
pub(crate) fn initial(groups: &Groups, guess: Option<&[f64]>) -> Vec<Window> {
    groups
        .groups
        .iter()
        .enumerate()
        .map(|(g, grp)| {
            let k = guess.map_or(0, |q| grp.segment(q[g]));
            clamp(
                grp,
                Window {
                    lo: k.saturating_sub(HALF_WIDTH),
                    hi: k + HALF_WIDTH + 1,
                },
            )
        })
        .collect()
}

/// Keeps a window inside its group, never fixing at its bound an offer a plan may not
/// fill (nor an unlimited one).
fn clamp(grp: &super::groups::Group, w: Window) -> Window {
    let n = grp.len();
    let lo = w.lo.min(grp.last_full());
    Window {
        lo,
        hi: w.hi.clamp(lo + 1, n.max(lo + 1)),
    }
}

/// True when the window leaves the group's whole range of quantities open.
fn is_full(grp: &super::groups::Group, w: Window) -> bool {
    w.lo == 0 && (w.hi == grp.len() || grp.quantity[w.hi] >= grp.limit)
}

/// True when every window is full, so the restricted problem is the block's.
pub(crate) fn all_full(groups: &Groups, windows: &[Window]) -> bool {
    groups
        .groups
        .iter()
        .zip(windows)
        .all(|(g, &w)| is_full(g, w))
}

/// Doubles every window that is not full; returns whether any changed.
pub(crate) fn widen_all(groups: &Groups, windows: &mut [Window]) -> bool {
    let mut changed = false;
    for (grp, w) in groups.groups.iter().zip(windows.iter_mut()) {
        let width = (w.hi - w.lo).max(HALF_WIDTH);
        let wider = clamp(
            grp,
            Window {
                lo: w.lo.saturating_sub(width),
                hi: w.hi + width,
            },
        );
        changed |= wider != *w;
        *w = wider;
    }
    changed
}

/// Builds the restricted problem of `block` for `windows`.
pub(crate) fn restrict(
    block: &Block,
    groups: &Groups,
    windows: &[Window],
    kappa: f64,
) -> Restricted {
    // Offers outside their window: cheaper ones at their bound, dearer ones at zero.
    let mut fixed: Vec<Option<f64>> = vec![None; block.lp.vars.len()];
    for (grp, w) in groups.groups.iter().zip(windows) {
        for k in 0..grp.vars.len() {
            if k < w.lo {
                fixed[grp.vars[k] as usize] = Some(grp.upper[k]);
            } else if k >= w.hi {
                fixed[grp.vars[k] as usize] = Some(0.0);
            }
        }
    }
    let (mut lp, slots) = block.lp.with_fixed(|j| fixed[j]);
    for v in &mut lp.vars {
        v.cost *= kappa;
    }
    let caps = caps_of(block, |j| match slots[j] {
        Slot::Free(i) => i,
        Slot::Fixed(_) => usize::MAX,
    });
    Restricted {
        problem: Problem {
            lp: Cow::Owned(lp),
            caps,
        },
        slots,
    }
}

/// The block's HHI caps with its variables renamed by `index`.
pub(crate) fn caps_of(block: &Block, index: impl Fn(usize) -> usize) -> Option<Caps> {
    let c = block.concentration.as_ref()?;
    Some(Caps {
        pairs: c
            .countries
            .iter()
            .map(|&(_, s, t)| (index(s), index(t)))
            .collect(),
        caps: c
            .caps
            .iter()
            .map(|(k, w)| (block.instances[*k].bound, w.clone()))
            .collect(),
    })
}

impl Restricted {
    /// Each group's quantity at the restricted solution `x`.
    pub fn quantities(&self, groups: &Groups, x: &[f64]) -> Vec<f64> {
        groups
            .groups
            .iter()
            .map(|grp| {
                grp.vars
                    .iter()
                    .map(|&v| match self.slots[v as usize] {
                        Slot::Free(i) => x[i],
                        Slot::Fixed(x) => x,
                    })
                    .sum()
            })
            .collect()
    }

    /// The block's solution: non-offer variables as solved, each country's quantity
    /// bought cheapest first; row duals back in block units.
    pub fn lift(&self, groups: &Groups, r: &LpResult, kappa: f64) -> LpResult {
        let mut x = lift(&self.slots, &r.x);
        for (grp, q) in groups.groups.iter().zip(self.quantities(groups, &r.x)) {
            for (v, take) in grp.fill(q) {
                x[v] = take;
            }
        }
        LpResult {
            status: r.status.clone(),
            x,
            duals: r
                .duals
                .as_ref()
                .map(|d| d.iter().map(|y| y / kappa).collect()),
        }
    }
}

/// Grows the windows a solution shows too narrow: a quantity on an artificial edge, or
/// (with block-unit `duals`) a fixed offer whose reduced cost has the wrong sign.
/// Returns whether any window changed.
pub(crate) fn grow(
    groups: &Groups,
    windows: &mut [Window],
    q: &[f64],
    duals: Option<&[f64]>,
    max_cost: f64,
) -> bool {
    let mut changed = false;
    for (g, grp) in groups.groups.iter().enumerate() {
        let w = windows[g];
        let width = (w.hi - w.lo).max(HALF_WIDTH);
        let mut next = w;
        if w.lo > 0 && q[g] <= grp.quantity[w.lo] + EDGE {
            next.lo = w.lo.saturating_sub(width);
        }
        if !is_full(grp, Window { lo: 0, hi: w.hi }) && q[g] >= grp.quantity[w.hi] - EDGE {
            next.hi = w.hi + width;
        }
        if let Some(d) = duals {
            let sigma: f64 = grp.column.iter().map(|&(r, a)| a * d[r]).sum();
            let tol = PRICE * max_cost.max(f64::MIN_POSITIVE);
            // Offers before the window are at their bound: none may cost more than σ.
            let cheap = grp.cost.partition_point(|&c| c <= sigma + tol);
            next.lo = next.lo.min(cheap);
            // Offers after it are at zero: none may cost less than σ.
            let dear = grp.cost.partition_point(|&c| c < sigma - tol);
            next.hi = next.hi.max(dear);
        }
        let next = clamp(grp, next);
        changed |= next != w;
        windows[g] = next;
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formulate::formulate;
    use crate::input::{parse_model, ModelFiles};

    /// One country with 40 offers of capacity 1 at costs 1..40, demand 10: the marginal
    /// offer is the tenth.
    fn setup() -> (Block, Groups) {
        let mut suppliers = String::from("supplier,mineral,country,unit_cost,capacity\n");
        for k in 0..40 {
            suppliers.push_str(&format!("s{k},m,AUS,{},1\n", k + 1));
        }
        let files = ModelFiles::from_memory(&[
            ("suppliers.csv", suppliers.as_bytes()),
            ("demand.csv", b"mineral,quantity\nm,10\n"),
        ]);
        let model = parse_model(&files).unwrap();
        let block = formulate(&model, 0).unwrap();
        let groups = Groups::of(&model, &block).unwrap();
        (block, groups)
    }

    #[test]
    fn a_window_around_the_guess_fixes_cheaper_offers_at_their_bound() {
        let (block, groups) = setup();
        let w = initial(&groups, Some(&[0.95]));
        assert_eq!(w, vec![Window { lo: 1, hi: 18 }]);
        let r = restrict(&block, &groups, &w, 1.0);
        // The demand row keeps the free offers; the fixed one moved to its rhs.
        assert_eq!(r.problem.lp.vars.len(), 17);
        assert!((r.problem.lp.rows[0].rhs - 0.9).abs() < 1e-15);
    }

    #[test]
    fn a_quantity_on_an_artificial_edge_or_a_priced_out_offer_grows_the_window() {
        let (_, groups) = setup();
        let mut w = vec![Window { lo: 5, hi: 8 }];
        // On the upper edge (0.8): grows upward; strictly inside: unchanged.
        assert!(grow(&groups, &mut w, &[0.8], None, 1.0));
        assert!(w[0].hi > 8 && w[0].lo == 5);
        let before = w.clone();
        assert!(!grow(&groups, &mut w, &[0.65], None, 1.0));
        assert_eq!(w, before);
        // A dual that makes offer 3 (cost 3, fixed at its bound) too dear prices it out.
        let sigma = 2.5 / block_costs_scale(&groups);
        let mut duals = vec![0.0; 1];
        duals[0] = sigma;
        grow(&groups, &mut w, &[0.65], Some(&duals), 40.0);
        assert!(w[0].lo <= 2, "{:?}", w[0]);
    }

    /// Block cost of 1 currency unit (costs are scaled by the block's price unit).
    fn block_costs_scale(groups: &Groups) -> f64 {
        1.0 / groups.groups[0].cost[0]
    }
}
