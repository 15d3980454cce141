//! Price tiers in a block (SPEC §6). A tiered offer's variable x carries no cost of its
//! own; its quantity is split into one segment g_b per bracket, x − Σ g_b = 0, each
//! segment at its bracket's landed cost (scaled):
//!
//! - incremental, costs that never fall: 0 ≤ g_b ≤ width_b, and nothing else — a linear
//!   program fills the cheaper lower brackets first;
//! - incremental otherwise: a binary z_b per bracket b ≥ 1 ("reached"), g_b ≤ width_b z_b
//!   and g_{b−1} ≥ width_{b−1} z_b (a bracket is full before the next one starts);
//! - all-units: a binary z_b per bracket ("the quantity falls here"), Σ z_b ≤ 1 and
//!   from_b z_b ≤ g_b ≤ from_{b+1} z_b. At a threshold both neighbours allow the
//!   quantity; all-units prices never rise (tiers.csv), so the optimum prices it at the
//!   upper bracket, as the definition does.
//!
//! Widths are capped at the offer's big-M (a bracket that starts beyond it cannot be
//! reached, its binary is fixed at 0).

use crate::engine::lp::{Lp, RowTag, Sense};
use crate::model::tiers::{TierKind, Tiers};

/// The tier variables of one offer.
#[derive(Debug, Clone, PartialEq)]
pub struct TierVars {
    /// The offer (local index within the mineral).
    pub offer: usize,
    /// One segment variable per bracket.
    pub segments: Vec<usize>,
    /// (bracket, binary) pairs: the binaries the brackets need (none for convex ones).
    pub binaries: Vec<(usize, usize)>,
    /// The offer's price list.
    pub tiers: Tiers,
}

impl TierVars {
    /// The value of each binary when the offer buys `quantity` (unscaled): what the
    /// fixed-binary LP fixes them at.
    pub fn binary_values(&self, quantity: f64) -> Vec<(usize, f64)> {
        let tiers = &self.tiers;
        let reached = tiers.reached(quantity);
        self.binaries
            .iter()
            .map(|&(b, z)| {
                let on = match tiers.kind {
                    TierKind::AllUnits => b == reached && quantity > 0.0,
                    TierKind::Incremental => b <= reached,
                };
                (z, if on { 1.0 } else { 0.0 })
            })
            .collect()
    }
}

/// Adds the segments (and binaries) of offer `j`, whose variable is `x`, to `lp`: `d` the
/// demand, `cost_scale` the price unit, `big_m` the offer's largest scaled quantity.
pub fn add_tiers(
    lp: &mut Lp,
    j: usize,
    x: usize,
    tiers: &Tiers,
    d: f64,
    cost_scale: f64,
    big_m: f64,
) -> TierVars {
    let n = tiers.brackets.len();
    let start = |b: usize| tiers.brackets[b].from / d;
    let end = |b: usize| (tiers.end(b) / d).min(big_m);
    let segments: Vec<usize> = (0..n)
        .map(|b| {
            let upper = match tiers.kind {
                TierKind::Incremental => (end(b) - start(b)).max(0.0),
                TierKind::AllUnits => end(b),
            };
            lp.add_var(0.0, upper, tiers.brackets[b].landed_cost / cost_scale)
        })
        .collect();
    let mut definition = vec![(x, 1.0)];
    definition.extend(segments.iter().map(|&g| (g, -1.0)));
    lp.add_row(RowTag::Other, definition, Sense::Eq, 0.0);
    let binaries = match tiers.kind {
        TierKind::Incremental if tiers.is_convex() => Vec::new(),
        TierKind::Incremental => incremental_binaries(lp, &segments, &start, &end),
        TierKind::AllUnits => all_units_binaries(lp, &segments, &start, &end),
    };
    TierVars {
        offer: j,
        segments,
        binaries,
        tiers: tiers.clone(),
    }
}

/// z_b for b ≥ 1: g_b ≤ width_b z_b, g_{b−1} ≥ width_{b−1} z_b.
fn incremental_binaries(
    lp: &mut Lp,
    segments: &[usize],
    start: &dyn Fn(usize) -> f64,
    end: &dyn Fn(usize) -> f64,
) -> Vec<(usize, usize)> {
    (1..segments.len())
        .map(|b| {
            let z = lp.add_binary(0.0);
            let below = start(b) - start(b - 1);
            if start(b) > end(b - 1) {
                // Starts beyond the offer's big-M.
                lp.vars[z].upper = 0.0;
            }
            let width = (end(b) - start(b)).max(0.0);
            lp.add_row(
                RowTag::Other,
                vec![(segments[b], 1.0), (z, -width)],
                Sense::Le,
                0.0,
            );
            lp.add_row(
                RowTag::Other,
                vec![(segments[b - 1], 1.0), (z, -below)],
                Sense::Ge,
                0.0,
            );
            (b, z)
        })
        .collect()
}

/// z_b per bracket: Σ z_b ≤ 1, from_b z_b ≤ g_b ≤ min(from_{b+1}, M) z_b.
fn all_units_binaries(
    lp: &mut Lp,
    segments: &[usize],
    start: &dyn Fn(usize) -> f64,
    end: &dyn Fn(usize) -> f64,
) -> Vec<(usize, usize)> {
    let binaries: Vec<(usize, usize)> = (0..segments.len())
        .map(|b| {
            let z = lp.add_binary(0.0);
            if start(b) > end(b) {
                lp.vars[z].upper = 0.0;
            }
            lp.add_row(
                RowTag::Other,
                vec![(segments[b], 1.0), (z, -end(b))],
                Sense::Le,
                0.0,
            );
            if start(b) > 0.0 {
                lp.add_row(
                    RowTag::Other,
                    vec![(segments[b], 1.0), (z, -start(b))],
                    Sense::Ge,
                    0.0,
                );
            }
            (b, z)
        })
        .collect();
    lp.add_row(
        RowTag::Other,
        binaries.iter().map(|&(_, z)| (z, 1.0)).collect(),
        Sense::Le,
        1.0,
    );
    binaries
}
