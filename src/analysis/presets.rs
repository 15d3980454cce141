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
    n_minus_one_at(model, None)
}

/// [`n_minus_one`] at `stage` (`--n-1-stage`; `None`: the shipping country): one
/// scenario per (mineral, country some offer of it passes through at the stage), named
/// `<COUNTRY>-stops-<mineral>-at-<stage>`, each cutting what passes through that country
/// there.
pub fn n_minus_one_at(model: &Model, stage: Option<usize>) -> Vec<Scenario> {
    let mut pairs = Vec::new();
    for (m, mineral) in model.minerals.iter().enumerate() {
        let mut offered = vec![false; model.countries.len()];
        for o in model.offers_of(m) {
            for (c, f) in model.stages.mix(o, stage) {
                offered[c] |= f > 0.0;
            }
        }
        for (c, _) in offered.iter().enumerate().filter(|(_, &on)| on) {
            pairs.push((m, c, &mineral.name));
        }
    }
    let probability = N_MINUS_ONE_PROBABILITY / pairs.len().max(1) as f64;
    pairs
        .into_iter()
        .map(|(m, c, mineral)| Scenario {
            name: match stage {
                None => format!("{}-stops-{mineral}", model.countries[c].code),
                Some(_) => format!(
                    "{}-stops-{mineral}-at-{}",
                    model.countries[c].code,
                    model.stages.label(stage)
                ),
            },
            probability,
            shocks: vec![Shock {
                mineral: Some(m),
                country: Some(c),
                stage,
                supplier: None,
                capacity_factor: 0.0,
                price_factor: 1.0,
                line: 0,
            }],
        })
        .collect()
}
