//! The HHI machinery of a block, in one place: per-country share variables s_c with
//! epigraph variables t_c ≥ s_c², the tangent cuts that state t ≥ s² for LP solvers,
//! and the value of a cap Σ w_c s_c² at a point.

use crate::engine::cuts::add_tangent;
use crate::engine::lp::{Lp, RowTag, Sense};

/// Tangent points of the first outer approximation of t ≥ s² (shares).
const INITIAL_TANGENTS: [f64; 8] = [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.7, 1.0];

/// Country share and epigraph variables of a block with HHI caps.
#[derive(Debug, Clone, PartialEq)]
pub struct Concentration {
    /// (country, s_c variable, t_c variable) for each country offering the mineral, at
    /// the shipping country and at each stage an HHI cap names.
    pub countries: Vec<(usize, usize, usize)>,
    /// The stage of each entry of `countries` (`None`: the shipping country).
    pub stages: Vec<Option<usize>>,
    /// (instance, weight per entry of `countries`) for each HHI cap.
    pub caps: Vec<(usize, Vec<f64>)>,
}

impl Concentration {
    /// No countries yet ([`Concentration::add_stage`] adds them).
    pub fn new() -> Self {
        Concentration {
            countries: Vec::new(),
            stages: Vec::new(),
            caps: Vec::new(),
        }
    }

    /// True when the entries of `stage` are in.
    pub fn has_stage(&self, stage: Option<usize>) -> bool {
        self.stages.contains(&stage)
    }

    /// Adds s_c = Σ_i f_ic x_i and t_c ≥ 0 at `stage` for every (country, (variable, f)
    /// pairs) of `by_country`.
    pub fn add_stage(
        &mut self,
        lp: &mut Lp,
        stage: Option<usize>,
        by_country: Vec<(usize, Vec<(usize, f64)>)>,
    ) {
        for (c, terms) in by_country {
            let s = lp.add_var(0.0, 1.0, 0.0);
            let t = lp.add_var(0.0, 1.0, 0.0);
            let mut row = vec![(s, -1.0)];
            row.extend(terms);
            lp.add_row(RowTag::Definition, row, Sense::Eq, 0.0);
            self.countries.push((c, s, t));
            self.stages.push(stage);
        }
    }

    /// Σ w_c s_c² of cap `weights` at the point `x`.
    pub fn cap_value(&self, weights: &[f64], x: &[f64]) -> f64 {
        self.countries
            .iter()
            .zip(weights)
            .map(|(&(_, s, _), w)| w * x[s] * x[s])
            .sum()
    }

    /// For each cap: (instance, its value at `x`).
    pub fn cap_values(&self, x: &[f64]) -> Vec<(usize, f64)> {
        self.caps
            .iter()
            .map(|(k, w)| (*k, self.cap_value(w, x)))
            .collect()
    }

    /// Adds the first outer approximation: tangents at fixed shares for every country.
    pub fn add_initial_tangents(&self, lp: &mut Lp) {
        for &(_, s, t) in &self.countries {
            for a in INITIAL_TANGENTS {
                add_tangent(lp, s, t, a);
            }
        }
    }

    /// Adds a tangent at a = s_c for every country whose epigraph variable is below s_c²
    /// by more than `depth` at `x`; returns how many were added.
    pub fn add_cuts(&self, lp: &mut Lp, x: &[f64], depth: f64) -> usize {
        let mut added = 0;
        for &(_, s, t) in &self.countries {
            let a = x[s];
            if a * a - x[t] > depth {
                add_tangent(lp, s, t, a);
                added += 1;
            }
        }
        added
    }
}
