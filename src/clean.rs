//! Clean numbers: a solved plan as a planner should read it. Solvers return quantities
//! a hair off the bounds they meet (`250.000000001` against a cap of 250); this module
//! puts every quantity on a stated grid and onto the bounds it meets.
//!
//! The precision: quantities are multiples of their mineral's *quantum*, the power of
//! ten 10^(⌊log10 D⌋ − 11) for demand D: twelve significant digits at the scale of
//! demand (D = 500 → 1e-9, D = 10,000 → 1e-7), at most [`QUANTITY_PRECISION`] of D, the
//! most a plain 12-digit decimal (what every output writes) holds exactly. On that grid,
//! [`clean_plan`]
//! - writes a quantity within [`SNAP`] × D of a bound it meets (its capacity, its
//!   min_order, a supplier cap) as that bound;
//! - makes the total of each country or group within [`SNAP`] × D of its share bound
//!   equal that bound, moving the difference (a few quanta) onto a member offer not at a
//!   bound;
//! - keeps purchases plus unmet equal to demand exactly, on an offer not at a bound.
//!
//! The solve holds every row to 1e-9 of demand (residue below [`SNAP`]); linear blocks
//! are polished to exact vertices, so their digits are meaningful to the grid. Sums of
//! quantities on one grid are exact in decimal, so re-summing the written allocation of
//! a mineral gives the written summary ([`grid_sum`]). Indices (HHI, risk, row values,
//! slacks) are rounded to [`INDEX_PRECISION`] ([`round_index`]). A bound that is itself
//! finer than the grid is met to within half a quantum.

use crate::model::{Model, PolicyKind};
use crate::rows::RowInstance;

pub use crate::tolerance::QUANTITY_PRECISION;

/// Significant digits of the grid at the scale of demand.
const GRID_DIGITS: i32 = 12;

pub use crate::tolerance::SNAP;

pub use crate::tolerance::INDEX_PRECISION;

/// Decimal places of the quantum of a mineral with demand `d`: the quantum is
/// 10^−places (negative places for a quantum above 1).
pub fn quantum_places(d: f64) -> i32 {
    if !(d.is_finite() && d > 0.0) {
        return GRID_DIGITS - 1;
    }
    (GRID_DIGITS - 1 - d.log10().floor() as i32).clamp(-15, 22)
}

/// Grid arithmetic for one mineral: values as whole numbers of quanta.
#[derive(Debug, Clone, Copy)]
struct Grid {
    places: i32,
}

impl Grid {
    fn scale(self) -> f64 {
        10f64.powi(self.places.abs())
    }

    fn units(self, v: f64) -> i64 {
        let u = if self.places >= 0 {
            v * self.scale()
        } else {
            v / self.scale()
        };
        u.round() as i64
    }

    /// The value of `k` quanta, correctly rounded from the exact decimal.
    fn value(self, k: i64) -> f64 {
        if self.places >= 0 {
            k as f64 / self.scale()
        } else {
            k as f64 * self.scale()
        }
    }
}

/// Σ `values` (quantities of one mineral with demand `d`, already on its grid) exactly:
/// added as whole quanta, so the sum is the decimal sum of the written values.
pub fn grid_sum(values: impl IntoIterator<Item = f64>, d: f64) -> f64 {
    let g = Grid {
        places: quantum_places(d),
    };
    g.value(values.into_iter().map(|v| g.units(v)).sum())
}

/// `v` rounded to [`INDEX_PRECISION`] (non-finite values unchanged).
pub fn round_index(v: f64) -> f64 {
    if !v.is_finite() {
        return v;
    }
    let scale = 1.0 / INDEX_PRECISION;
    let r = (v * scale).round() / scale;
    if r == 0.0 {
        0.0
    } else {
        r
    }
}

/// Puts mineral `m`'s plan (`x`, indexed within the mineral, and `unmet`) on its grid
/// and onto the bounds it meets (see the module docs). Offers bought stay bought and
/// unused ones unused; every value moves by at most a few quanta.
pub fn clean_plan(
    model: &Model,
    m: usize,
    instances: &[RowInstance],
    x: &mut [f64],
    unmet: &mut f64,
) {
    let d = model.minerals[m].demand;
    let g = Grid {
        places: quantum_places(d),
    };
    let tol = SNAP * d;
    let offers = model.offers_of(m);
    let mut k: Vec<i64> = x
        .iter()
        .map(|&v| if v > 0.0 { g.units(v).max(1) } else { 0 })
        .collect();
    let mut ku = if *unmet > 0.0 {
        g.units(*unmet).max(1)
    } else {
        0
    };
    let mut locked = vec![false; x.len()];
    let upper: Vec<i64> = offers
        .iter()
        .map(|o| o.capacity.map_or(i64::MAX, |c| g.units(c)))
        .collect();
    // Single-offer bounds: capacity, min_order, supplier caps.
    let mut single: Vec<Vec<f64>> = offers
        .iter()
        .map(|o| o.capacity.into_iter().chain([o.min_order]).collect())
        .collect();
    for inst in instances {
        if inst.kind == PolicyKind::MaxSupplierShare && inst.members.len() == 1 {
            single[inst.members[0]].push(inst.bound * d);
        }
    }
    for (i, bounds) in single.iter().enumerate() {
        if k[i] == 0 {
            continue;
        }
        if let Some(&b) = bounds.iter().find(|&&b| b > 0.0 && (x[i] - b).abs() <= tol) {
            k[i] = g.units(b).max(1);
            locked[i] = true;
        }
    }
    // Country rows, then group rows (largest last), that meet their bound.
    let mut sets: Vec<&RowInstance> = instances
        .iter()
        .filter(|r| {
            matches!(
                r.kind,
                PolicyKind::MaxCountryShare | PolicyKind::MinGroupShare | PolicyKind::MaxGroupShare
            ) && !r.members.is_empty()
        })
        .filter(|r| {
            let total: f64 = r.members.iter().map(|&j| x[j]).sum();
            (total - r.bound * d).abs() <= tol && total > 0.0
        })
        .collect();
    sets.sort_by_key(|r| (r.kind != PolicyKind::MaxCountryShare, r.members.len()));
    for r in sets {
        let have: i64 = r.members.iter().map(|&j| k[j]).sum();
        let diff = g.units(r.bound * d) - have;
        absorb(&mut k, &locked, &upper, r.members.iter().copied(), diff);
        for &j in &r.members {
            locked[j] = true;
        }
    }
    // Demand balance: purchases + unmet = demand, exactly on the grid.
    let balance: f64 = x.iter().sum::<f64>() + *unmet;
    if (balance - d).abs() <= tol {
        let diff = g.units(d) - k.iter().sum::<i64>() - ku;
        let mut rest = absorb(&mut k, &locked, &upper, 0..x.len(), diff);
        if rest != 0 && ku > 0 && ku + rest >= 1 {
            ku += rest;
            rest = 0;
        }
        if rest != 0 {
            // Every bought offer is at a bound: the largest one takes the residue.
            let no_lock = vec![false; x.len()];
            absorb(&mut k, &no_lock, &upper, 0..x.len(), rest);
        }
    }
    for (v, &n) in x.iter_mut().zip(&k) {
        *v = g.value(n);
    }
    *unmet = g.value(ku);
}

/// Moves `diff` quanta onto the largest bought, unlocked offer among `members` that can
/// take it (staying bought and within its capacity); returns what could not be placed.
fn absorb(
    k: &mut [i64],
    locked: &[bool],
    upper: &[i64],
    members: impl Iterator<Item = usize>,
    diff: i64,
) -> i64 {
    if diff == 0 {
        return 0;
    }
    let best = members
        .filter(|&j| !locked[j] && k[j] > 0)
        .filter(|&j| k[j] + diff >= 1 && k[j].saturating_add(diff) <= upper[j])
        .max_by(|&a, &b| k[a].cmp(&k[b]).then(b.cmp(&a)));
    match best {
        Some(j) => {
            k[j] += diff;
            0
        }
        None => diff,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quanta_are_powers_of_ten_below_the_precision() {
        assert_eq!(quantum_places(500.0), 9);
        assert_eq!(quantum_places(1000.0), 8);
        assert_eq!(quantum_places(10_000.0), 7);
        assert_eq!(quantum_places(1e9), 2);
        assert_eq!(quantum_places(1e15), -4);
        assert_eq!(quantum_places(1e-3), 14);
        for d in [1e-3, 0.7, 500.0, 999.0, 1e9] {
            let q = 10f64.powi(-quantum_places(d));
            assert!(
                q <= QUANTITY_PRECISION * d && q > QUANTITY_PRECISION * d / 100.0,
                "{d}"
            );
        }
    }

    #[test]
    fn grid_sums_are_exact_decimals() {
        let d = 500.0;
        let values = [250.0, 164.4453998, 85.5546002];
        assert_eq!(grid_sum(values, d), 500.0);
        let thirds = [0.1, 0.2];
        assert_eq!(grid_sum(thirds, 1.0), 0.3);
        assert_eq!(round_index(0.5500000000000002), 0.55);
        assert_eq!(round_index(-1e-14), 0.0);
    }
}
