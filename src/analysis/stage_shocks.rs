//! Disruptions at a stage (scenarios.csv's `stage` column, SPEC §6): how a scenario's
//! stage rows and its shipping-country rows combine into each offer's capacity and price
//! factors.
//!
//! A stage row (country c, stage s, capacity factor a) cuts the fraction f_isc of offer i
//! passing through c at s. Within a stage the cuts add up; stages follow one another, so
//! their factors multiply: σ_i = Π_s clamp(1 − Σ_{rows at s} f_isc · (1 − a), 0, 1). The
//! shipping-country rows keep their product π_i as before, and the offer's factor is
//! π_i · σ_i: losses in series (what the shipping country lets out of what the chain
//! produced), the rule shipping-country rows already follow among themselves. A stage
//! row's price factor p raises the offer's cost by the share it touches: the product of
//! 1 + f_isc · (p − 1) over the stage rows.

use crate::model::{Model, Offer, Scenario, Shock};

/// The stage rows of one scenario accumulated for `n` items (offers, or classes of
/// offers sharing a chain).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct StageCuts {
    /// Per stage the scenario names, in stage order: (stage, Σ f · (1 − a) per item).
    cuts: Vec<(usize, Vec<f64>)>,
    /// Per item: Π (1 + f · (p − 1)).
    price: Vec<f64>,
}

impl StageCuts {
    /// Empty cuts for `n` items under scenario `s`; `None` when no row of `s` names a
    /// stage (the factors are then the shipping rows' alone, as before stages).
    pub(crate) fn new(s: &Scenario, n: usize) -> Option<StageCuts> {
        let mut stages: Vec<usize> = s.shocks.iter().filter_map(|k| k.stage).collect();
        if stages.is_empty() {
            return None;
        }
        stages.sort_unstable();
        stages.dedup();
        Some(StageCuts {
            cuts: stages.into_iter().map(|s| (s, vec![0.0; n])).collect(),
            price: vec![1.0; n],
        })
    }

    /// Adds stage row `shock` to item `k`, whose offers pass its mineral and supplier
    /// tests and share `offer`'s chain.
    pub(crate) fn add(&mut self, k: usize, model: &Model, shock: &Shock, offer: &Offer) {
        let f = fraction(model, shock, offer);
        if f <= 0.0 {
            return;
        }
        if let Some((_, cut)) = self.cuts.iter_mut().find(|(s, _)| Some(*s) == shock.stage) {
            cut[k] += f * (1.0 - shock.capacity_factor);
        }
        self.price[k] *= 1.0 + f * (shock.price_factor - 1.0);
    }

    /// σ of item `k`: the share of its capacity the stage rows leave, in [0, 1].
    pub(crate) fn capacity(&self, k: usize) -> f64 {
        self.cuts
            .iter()
            .map(|(_, cut)| (1.0 - cut[k]).clamp(0.0, 1.0))
            .product()
    }

    /// The stage rows' price factor of item `k`.
    pub(crate) fn price(&self, k: usize) -> f64 {
        self.price[k]
    }
}

/// f_isc of stage row `shock` for `offer`: the fraction passing through its country at
/// its stage (1 when the row names every country).
fn fraction(model: &Model, shock: &Shock, offer: &Offer) -> f64 {
    match shock.country {
        Some(c) => model.stages.fraction(offer, shock.stage, c),
        None => 1.0,
    }
}

/// True when some shock of some scenario names a stage.
pub(crate) fn any_at_stage<'a>(mut shocks: impl Iterator<Item = &'a Shock>) -> bool {
    shocks.any(|s| s.stage.is_some())
}
