//! Variable bounds of a block: exclusions remove offers, supplier caps become upper
//! bounds (their rows "fold" into the variable), and each offer's tightest big-M.

use crate::policy::rows::RowInstance;
use crate::policy::Entry;

/// What the policy does to each offer's own variable (local offer indices).
pub struct OfferBounds {
    /// Excluded offers get no variable.
    pub excluded: Vec<bool>,
    /// Capacity tightened by supplier caps.
    pub upper: Vec<f64>,
    /// The supplier-cap instance that set `upper`, when one did.
    pub owner: Vec<Option<usize>>,
    /// The bound `upper` would be without its owner's cap: capacity and the offer's other
    /// supplier caps (equal to `upper` when two caps tie).
    pub next: Vec<f64>,
    /// The tightest valid big-M: capacity, supplier cap, demand, and any country or
    /// group cap covering the offer.
    pub big_m: Vec<f64>,
}

/// Bounds of the offers of one mineral with demand `d` (capacities in `capacities`);
/// `ceiling` is the most the mineral can buy, in shares of demand (1, or more when what
/// it buys above demand goes into its stock). Soft rows (`soft[k]`) neither bound an
/// offer nor tighten its big-M: they are rows with a violation variable.
pub fn offer_bounds(
    capacities: impl Iterator<Item = Option<f64>>,
    d: f64,
    ceiling: f64,
    instances: &[RowInstance],
    soft: &[bool],
) -> OfferBounds {
    let capacity: Vec<f64> = capacities
        .map(|c| c.map_or(f64::INFINITY, |c| c / d))
        .collect();
    let n = capacity.len();
    let mut excluded = vec![false; n];
    let mut upper = capacity.clone();
    let mut owner: Vec<Option<usize>> = vec![None; n];
    let mut next = capacity;
    for (k, inst) in instances.iter().enumerate() {
        if soft[k] {
            continue;
        }
        match inst.kind.entry() {
            Entry::RemovesOffers => {
                for &j in &inst.members {
                    excluded[j] = true;
                }
            }
            Entry::OfferBound => {
                for &j in &inst.members {
                    if inst.bound <= upper[j] {
                        next[j] = upper[j];
                        upper[j] = inst.bound;
                        owner[j] = Some(k);
                    } else {
                        next[j] = next[j].min(inst.bound);
                    }
                }
            }
            Entry::Row => {}
        }
    }
    let mut big_m: Vec<f64> = upper.iter().map(|u| u.min(ceiling)).collect();
    for (inst, &soft) in instances.iter().zip(soft) {
        if inst.kind.tightens_big_m() && !soft {
            for &j in &inst.members {
                big_m[j] = big_m[j].min(inst.bound);
            }
        }
    }
    OfferBounds {
        excluded,
        upper,
        owner,
        next,
        big_m,
    }
}

/// A price unit for a block: the geometric middle of its smallest and largest positive
/// costs, so scaled costs straddle 1.
pub fn price_unit(costs: impl Iterator<Item = f64>) -> f64 {
    let (mut lo, mut hi) = (f64::INFINITY, 0.0f64);
    for c in costs.filter(|&c| c > 0.0) {
        lo = lo.min(c);
        hi = hi.max(c);
    }
    if hi > 0.0 {
        (lo * hi).sqrt()
    } else {
        1.0
    }
}
