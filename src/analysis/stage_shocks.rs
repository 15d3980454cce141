//! Disruptions at a stage (scenarios.csv's `stage` column): how a scenario's stage rows
//! and its shipping-country rows combine into one offer's capacity and price factors.
//!
//! A stage row (country c, stage s, capacity factor a) cuts the fraction f_isc of offer i
//! passing through c at s. The stage rows of a scenario add up:
//! σ_i = clamp(1 − Σ_rows f_isc · (1 − a), 0, 1). The shipping-country rows keep their
//! product π_i as before, and the offer's factor is π_i · σ_i: the two are independent
//! losses in series (what the shipping country lets out of what the chain produced), the
//! rule shipping-country rows already follow among themselves. A stage row's price factor
//! p raises the offer's cost by the share it touches: the price factor is the product of
//! 1 + f_isc · (p − 1) over its rows.

use crate::model::{Model, Offer, Shock};

/// The stage rows of one scenario accumulated for one offer (or one class of offers
/// sharing a chain).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct StageCut {
    /// Σ f_isc · (1 − a).
    cut: f64,
    /// Π (1 + f_isc · (p − 1)).
    price: f64,
}

impl Default for StageCut {
    fn default() -> StageCut {
        StageCut {
            cut: 0.0,
            price: 1.0,
        }
    }
}

impl StageCut {
    /// Adds stage row `shock`, which passes `offer`'s mineral and supplier tests.
    pub(crate) fn add(&mut self, model: &Model, shock: &Shock, offer: &Offer) {
        let f = fraction(model, shock, offer);
        if f > 0.0 {
            self.cut += f * (1.0 - shock.capacity_factor);
            self.price *= 1.0 + f * (shock.price_factor - 1.0);
        }
    }

    /// σ: the share of the offer's capacity the stage rows leave, in [0, 1].
    pub(crate) fn capacity(&self) -> f64 {
        (1.0 - self.cut).clamp(0.0, 1.0)
    }

    /// The stage rows' price factor.
    pub(crate) fn price(&self) -> f64 {
        self.price
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
