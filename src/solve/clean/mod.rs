//! Clean numbers: a solved plan as a planner should read it. Solvers return quantities
//! a hair off the bounds they meet (`250.000000001` against a cap of 250); this module
//! puts every quantity on a stated grid and onto the bounds it meets.
//!
//! The precision: quantities are multiples of their mineral's *quantum*, the power of
//! ten 10^(⌊log10 D⌋ − 11) for demand D: twelve significant digits at the scale of
//! demand (D = 500 → 1e-9, D = 10,000 → 1e-7), at most `tolerance::QUANTITY_PRECISION` of D, the
//! most a plain 12-digit decimal (what every output writes) holds exactly. On that grid,
//! [`clean_plan`]
//! - writes a quantity within [`SNAP`] × D of a bound it meets (its capacity, its
//!   min_order, a supplier cap) as that bound; when what this moves adds up to push a
//!   row past its limit (below), each country gets what it moved back on another of its
//!   offers not at a bound, so country totals stay as they were;
//! - makes the total of each country or group within [`SNAP`] × D of its share bound
//!   equal that bound, moving the difference (a few quanta) onto a member offer not at a
//!   bound;
//! - keeps purchases plus unmet equal to demand exactly, the residue on the largest
//!   offer not at a bound that can take it.
//!
//! Every residue lands only on an offer whose rows can take it ([`RowGuard`]): no row
//! ends past the farther of its value in the input and its bound + `CLEAN_ROOM`
//! ([`crate::tolerance::CLEAN_ROOM`]), so the cleaned plan meets every row the input
//! met. Before cleaning, [`close_balance`] closes a larger demand-balance residue
//! (solver accuracy, up to [`BALANCE_REPAIR`] × D) under the same rule.
//!
//! The solve holds every row to 1e-9 of demand (residue below [`SNAP`]); linear blocks
//! are polished to exact vertices, so their digits are meaningful to the grid. Sums of
//! quantities on one grid are exact in decimal, so re-summing the written allocation of
//! a mineral gives the written summary ([`grid_sum`]). Indices (HHI, risk, row values,
//! slacks) are rounded to [`INDEX_PRECISION`] ([`round_index`]). A bound that is itself
//! finer than the grid is met to within half a quantum.

use std::collections::BTreeMap;

use crate::formulate::MIN_USED_SHARE;
use crate::model::Model;
use crate::policy::rows::RowInstance;
use crate::policy::Entry;
use crate::tolerance::{BALANCE_REPAIR, DUST_SHARE};

mod guard;
pub use guard::RowGuard;

#[cfg(test)]
use crate::tolerance::QUANTITY_PRECISION;

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

    /// `v` in quanta, not rounded.
    fn exact_units(self, v: f64) -> f64 {
        if self.places >= 0 {
            v * self.scale()
        } else {
            v / self.scale()
        }
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

/// What `values` (quantities of one mineral with demand `d`, on its grid) leave of
/// demand, exactly on the grid (0 when they cover it).
pub fn grid_shortfall(values: impl IntoIterator<Item = f64>, d: f64) -> f64 {
    let g = Grid {
        places: quantum_places(d),
    };
    let bought: i64 = values.into_iter().map(|v| g.units(v)).sum();
    g.value((g.units(d) - bought).max(0))
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
/// unused ones unused; a value moves by at most a few quanta, or by a residue that
/// [`RowGuard`] allows, so the plan meets every row it met before.
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
    let k: Vec<i64> = x
        .iter()
        .map(|&v| if v > 0.0 { g.units(v).max(1) } else { 0 })
        .collect();
    let mut ku = if *unmet > 0.0 {
        g.units(*unmet).max(1)
    } else {
        0
    };
    let on_grid: Vec<f64> = k.iter().map(|&n| n as f64).collect();
    let mut c = Cleaner {
        guard: RowGuard::new(model, m, instances, &on_grid, g.exact_units(d)),
        locked: vec![false; x.len()],
        limits: Limits::new(model, m, instances, g),
        k,
    };
    let drift = c.snap_offers(model, m, instances, x, g);
    if c.guard.any_past() {
        c.keep_country_totals(model, m, &drift);
    }
    c.snap_sets(instances, x, g, d);
    // Demand balance: purchases + unmet = demand, exactly on the grid.
    let balance: f64 = x.iter().sum::<f64>() + *unmet;
    if (balance - d).abs() <= SNAP * d {
        let diff = g.units(d) - c.k.iter().sum::<i64>() - ku;
        let mut rest = c.absorb(0..x.len(), diff, Pick::Unlocked);
        if rest != 0 && ku > 0 && ku + rest >= 1 {
            ku += rest;
            rest = 0;
        }
        // Every bought offer is at a bound: the largest one whose rows can take the
        // residue takes it, or else the largest one.
        let rest = c.absorb(0..x.len(), rest, Pick::Any);
        c.absorb(0..x.len(), rest, Pick::Unchecked);
    }
    for (v, &n) in x.iter_mut().zip(&c.k) {
        *v = g.value(n);
    }
    *unmet = g.value(ku);
}

/// What each offer may hold on the grid while bought.
struct Limits {
    /// Capacity (quanta).
    upper: Vec<i64>,
    /// The least used quantity of an offer with a binary (SPEC §2), else one quantum.
    lower: Vec<i64>,
}

impl Limits {
    fn new(model: &Model, m: usize, instances: &[RowInstance], g: Grid) -> Self {
        let d = model.minerals[m].demand;
        let counts = instances.iter().any(|i| i.kind.needs_binaries());
        let offers = model.offers_of(m);
        Limits {
            upper: offers
                .iter()
                .map(|o| o.capacity.map_or(i64::MAX, |c| g.units(c)))
                .collect(),
            lower: offers
                .iter()
                .map(|o| {
                    if counts || o.min_order > 0.0 || o.fixed_cost > 0.0 {
                        g.units(o.min_order.max(MIN_USED_SHARE * d)).max(1)
                    } else {
                        1
                    }
                })
                .collect(),
        }
    }
}

/// Which offers may take a residue.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Pick {
    /// Offers not yet at a bound, whose rows can take it.
    Unlocked,
    /// Any bought offer whose rows can take it.
    Any,
    /// Any bought offer (the last resort).
    Unchecked,
}

/// A plan being cleaned: quantities in quanta, the offers already at a bound, and the
/// rows they count in.
struct Cleaner {
    k: Vec<i64>,
    locked: Vec<bool>,
    limits: Limits,
    guard: RowGuard,
}

impl Cleaner {
    /// Writes each quantity within [`SNAP`] × D of a bound it meets (capacity,
    /// min_order, a supplier cap) as that bound; returns what that moved per country
    /// (quanta, by model country index).
    fn snap_offers(
        &mut self,
        model: &Model,
        m: usize,
        instances: &[RowInstance],
        x: &[f64],
        g: Grid,
    ) -> Vec<i64> {
        let d = model.minerals[m].demand;
        let offers = model.offers_of(m);
        let mut single: Vec<Vec<f64>> = offers
            .iter()
            .map(|o| o.capacity.into_iter().chain([o.min_order]).collect())
            .collect();
        for inst in instances {
            if inst.kind.entry() == Entry::OfferBound && inst.members.len() == 1 {
                single[inst.members[0]].push(inst.bound * d);
            }
        }
        let mut drift = vec![0i64; model.countries.len()];
        for (i, bounds) in single.iter().enumerate() {
            if self.k[i] == 0 {
                continue;
            }
            if let Some(&b) = bounds
                .iter()
                .find(|&&b| b > 0.0 && (x[i] - b).abs() <= SNAP * d)
            {
                let moved = g.units(b).max(1) - self.k[i];
                self.k[i] += moved;
                self.guard.apply(i, moved as f64);
                drift[offers[i].country] += moved;
                self.locked[i] = true;
            }
        }
        drift
    }

    /// Puts what snapping moved in each country back onto another offer of that
    /// country not at a bound, so country totals — and with them group shares, average
    /// risk and HHIs — stay as they were to a few quanta (what a country cannot take
    /// stays in the demand-balance residue, unless a row is still past its limit).
    fn keep_country_totals(&mut self, model: &Model, m: usize, drift: &[i64]) {
        let mut members: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for (j, o) in model.offers_of(m).iter().enumerate() {
            if drift[o.country] != 0 {
                members.entry(o.country).or_default().push(j);
            }
        }
        for (country, offers) in members {
            let rest = self.absorb(offers.iter().copied(), -drift[country], Pick::Unlocked);
            if rest != 0 && self.guard.any_past() {
                // Every offer of the country is at a bound: one of them leaves its
                // bound rather than a row passing its limit.
                self.absorb(offers.iter().copied(), rest, Pick::Any);
            }
        }
    }

    /// Makes the total of each country or group within [`SNAP`] × D of its share bound
    /// equal that bound (country rows, then group rows, largest last), moving the
    /// difference onto a member not at a bound.
    fn snap_sets(&mut self, instances: &[RowInstance], x: &[f64], g: Grid, d: f64) {
        let mut sets: Vec<&RowInstance> = instances
            .iter()
            // Rows at a stage weigh their members by fractions: not snapped.
            .filter(|r| r.kind.snap_order().is_some() && !r.members.is_empty())
            .filter(|r| r.stage.is_none())
            .filter(|r| {
                let total: f64 = r.members.iter().map(|&j| x[j]).sum();
                (total - r.bound * d).abs() <= SNAP * d && total > 0.0
            })
            .collect();
        sets.sort_by_key(|r| (r.kind.snap_order(), r.members.len()));
        for r in sets {
            let have: i64 = r.members.iter().map(|&j| self.k[j]).sum();
            let diff = g.units(r.bound * d) - have;
            self.absorb(r.members.iter().copied(), diff, Pick::Unlocked);
            for &j in &r.members {
                self.locked[j] = true;
            }
        }
    }

    /// Moves `diff` quanta onto the largest bought offer among `members` that `pick`
    /// allows and that can take it (staying above its least used quantity and within its
    /// capacity); returns what could not be placed.
    fn absorb(&mut self, members: impl Iterator<Item = usize>, diff: i64, pick: Pick) -> i64 {
        if diff == 0 {
            return 0;
        }
        let (k, limits, guard) = (&self.k, &self.limits, &self.guard);
        let best = members
            .filter(|&j| k[j] > 0 && (pick != Pick::Unlocked || !self.locked[j]))
            .filter(|&j| diff > 0 || k[j] + diff >= limits.lower[j])
            .filter(|&j| diff < 0 || k[j].saturating_add(diff) <= limits.upper[j])
            .filter(|&j| pick == Pick::Unchecked || guard.allows(j, diff as f64))
            .max_by(|&a, &b| k[a].cmp(&k[b]).then(b.cmp(&a)));
        match best {
            Some(j) => {
                self.k[j] += diff;
                self.guard.apply(j, diff as f64);
                0
            }
            None => diff,
        }
    }
}

/// Closes a demand-balance residue of mineral `m`'s plan: the gap between demand and
/// `x` (real units, indexed within the mineral) plus `unmet`, when it is at most
/// [`BALANCE_REPAIR`] × D (solver accuracy, not a decision), goes to the bought offer
/// with the most room (a shortfall) or comes from the largest one (a surplus), among
/// the offers whose rows can take it ([`RowGuard`]). Returns the gap left: 0 once
/// closed, the whole gap when it is larger or no offer can take it.
pub fn close_balance(
    model: &Model,
    m: usize,
    instances: &[RowInstance],
    x: &mut [f64],
    unmet: f64,
) -> f64 {
    let d = model.minerals[m].demand;
    let gap = d - x.iter().sum::<f64>() - unmet;
    if gap == 0.0 || gap.abs() > BALANCE_REPAIR * d {
        return gap;
    }
    // Capacity tightened by supplier caps, as the solve bounds each offer.
    let mut upper: Vec<f64> = model
        .offers_of(m)
        .iter()
        .map(|o| o.capacity.unwrap_or(f64::INFINITY))
        .collect();
    for inst in instances {
        if inst.kind.entry() == Entry::OfferBound {
            for &j in &inst.members {
                upper[j] = upper[j].min(inst.bound * d);
            }
        }
    }
    let guard = RowGuard::new(model, m, instances, x, d);
    let room = |k: usize| upper[k] - x[k];
    let best = if gap > 0.0 {
        (0..x.len())
            .filter(|&k| x[k] > 0.0 && room(k) >= gap && guard.allows(k, gap))
            .max_by(|&a, &b| room(a).total_cmp(&room(b)).then(b.cmp(&a)))
    } else {
        (0..x.len())
            .filter(|&k| x[k] + gap >= DUST_SHARE * d && guard.allows(k, gap))
            .max_by(|&a, &b| x[a].total_cmp(&x[b]).then(b.cmp(&a)))
    };
    match best {
        Some(k) => {
            x[k] += gap;
            0.0
        }
        None => gap,
    }
}

#[cfg(test)]
mod tests;
