//! The HHI machinery of a block, in one place: per-country share variables s_c with
//! epigraph variables t_c ≥ s_c², the tangent cuts that state t ≥ s² for LP solvers,
//! and the value of a cap Σ w_c s_c² at a point.

use crate::engine::cuts::add_tangent;
use crate::engine::lp::{Lp, RowTag, Sense};
use crate::model::Offer;

/// Tangent points of the first outer approximation of t ≥ s² (shares).
const INITIAL_TANGENTS: [f64; 8] = [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.7, 1.0];

/// Country share and epigraph variables of a block with HHI caps.
#[derive(Debug, Clone, PartialEq)]
pub struct Concentration {
    /// (country, s_c variable, t_c variable) for each country offering the mineral.
    pub countries: Vec<(usize, usize, usize)>,
    /// (instance, weight per entry of `countries`) for each HHI cap.
    pub caps: Vec<(usize, Vec<f64>)>,
}

impl Concentration {
    /// Adds s_c = Σ_{i∈c} x_i and t_c ≥ 0 for every country in `countries`.
    pub fn new(
        lp: &mut Lp,
        offers: &[Offer],
        offer_var: &[Option<usize>],
        countries: &[usize],
    ) -> Self {
        let mut out = Vec::with_capacity(countries.len());
        for &c in countries {
            let s = lp.add_var(0.0, 1.0, 0.0);
            let t = lp.add_var(0.0, 1.0, 0.0);
            let mut terms = vec![(s, -1.0)];
            for (j, o) in offers.iter().enumerate() {
                if o.country == c {
                    if let Some(v) = offer_var[j] {
                        terms.push((v, 1.0));
                    }
                }
            }
            lp.add_row(RowTag::Definition, terms, Sense::Eq, 0.0);
            out.push((c, s, t));
        }
        Concentration {
            countries: out,
            caps: Vec::new(),
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
