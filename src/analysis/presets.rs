//! Scenario presets: disruptions a planner can ask about without writing scenarios.csv.
//!
//! `n_minus_one`: "what if any one country stops?" — one scenario per mineral and per
//! country that offers it, in which that country's offers of that mineral deliver
//! nothing (capacity factor 0, prices unchanged). The probabilities are a preset, not an
//! estimate: together the scenarios have [`N_MINUS_ONE_PROBABILITY`], shared equally, and
//! the baseline keeps the rest.

use crate::model::{Model, Scenario, Shock};

/// The probability all `--n-1` scenarios share (each has this divided by their number).
pub const N_MINUS_ONE_PROBABILITY: f64 = 0.1;

/// One scenario per (mineral, country offering it), minerals in model order and countries
/// in countries order, named `<COUNTRY>-stops-<mineral>`; each stops that country's
/// offers of that mineral. Empty when no mineral has an offer.
pub fn n_minus_one(model: &Model) -> Vec<Scenario> {
    let mut pairs = Vec::new();
    for (m, mineral) in model.minerals.iter().enumerate() {
        let mut offered = vec![false; model.countries.len()];
        for o in model.offers_of(m) {
            offered[o.country] = true;
        }
        for (c, _) in offered.iter().enumerate().filter(|(_, &on)| on) {
            pairs.push((m, c, &mineral.name));
        }
    }
    let probability = N_MINUS_ONE_PROBABILITY / pairs.len().max(1) as f64;
    pairs
        .into_iter()
        .map(|(m, c, mineral)| Scenario {
            name: format!("{}-stops-{mineral}", model.countries[c].code),
            probability,
            shocks: vec![Shock {
                mineral: Some(m),
                country: Some(c),
                stage: None,
                supplier: None,
                capacity_factor: 0.0,
                price_factor: 1.0,
                line: 0,
            }],
        })
        .collect()
}
