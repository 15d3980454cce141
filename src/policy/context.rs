//! What the policy rows of a block share while their terms are built: the offers'
//! variables, and the auxiliary variables (country-used indicators, HHI shares) a rule
//! creates on first use. Each rule states its own terms (`crate::policy`).

use crate::engine::lp::{Lp, RowTag, Sense};
use crate::model::{Model, Offer};
use crate::policy::rows::RowInstance;

use super::concentration::Concentration;

/// What the policy rows of one block share while their terms are built.
pub struct RowContext<'a> {
    /// The model.
    pub model: &'a Model,
    /// The mineral's offers.
    pub offers: &'a [Offer],
    /// Each offer's variable (`None` when excluded).
    pub offer_var: &'a [Option<usize>],
    /// Each offer's binary, when it has one.
    pub used_var: &'a [Option<usize>],
    /// Countries offering the mineral (not excluded), in code order.
    pub countries: &'a [usize],
    /// Country-used indicators, created by the first `min_countries` row.
    pub country_used: Option<Vec<usize>>,
    /// HHI variables, created by the first cap.
    pub concentration: Option<Concentration>,
    /// (instance, binary) of each row whose binary is 1 exactly when its members buy
    /// nothing (`min_*_share_if_used`).
    pub indicators: Vec<(usize, usize)>,
    /// (instance, (offer variable, landed cost / scale) per offer) of each value-share
    /// row: its value at a point, which turns its dual into d cost / d bound.
    pub value_rows: Vec<(usize, Vec<(usize, f64)>)>,
}

/// The (variable, coefficient) terms of instance `k`, or `None` for rules stated
/// elsewhere (supplier caps are bounds, exclusions remove variables).
pub fn row_terms(
    cx: &mut RowContext,
    lp: &mut Lp,
    k: usize,
    inst: &RowInstance,
) -> Option<Vec<(usize, f64)>> {
    inst.kind.terms(cx, lp, k, inst)
}

impl RowContext<'_> {
    /// (variable, coefficient) of the offers a row covers.
    pub fn covered(
        &self,
        inst: &RowInstance,
        coefficient: impl Fn(usize) -> f64,
    ) -> Vec<(usize, f64)> {
        inst.members
            .iter()
            .filter_map(|&j| {
                let v = self.offer_var[j]?;
                let a = coefficient(j);
                (a != 0.0).then_some((v, a))
            })
            .collect()
    }

    /// −x of each offer with a variable that `pick` selects (the offers' side of a
    /// definition row `aux − Σ x ≥ 0`).
    pub fn covered_where(&self, pick: impl Fn(usize) -> bool) -> Vec<(usize, f64)> {
        (0..self.offers.len())
            .filter(|&j| pick(j))
            .filter_map(|j| Some((self.offer_var[j]?, -1.0)))
            .collect()
    }

    /// Σ y over the offers' binaries.
    pub fn used_terms(&self) -> Vec<(usize, f64)> {
        self.used_var.iter().flatten().map(|&y| (y, 1.0)).collect()
    }

    /// Σ z_c over countries, with z_c ≤ Σ y of the country's offers defined on first use.
    pub fn country_used_terms(&mut self, lp: &mut Lp) -> Vec<(usize, f64)> {
        let (offers, used_var, countries) = (self.offers, self.used_var, self.countries);
        let z = self.country_used.get_or_insert_with(|| {
            countries
                .iter()
                .map(|&c| {
                    let z = lp.add_var(0.0, 1.0, 0.0);
                    let mut terms = vec![(z, 1.0)];
                    for (j, o) in offers.iter().enumerate() {
                        if o.country == c {
                            if let Some(y) = used_var[j] {
                                terms.push((y, -1.0));
                            }
                        }
                    }
                    lp.add_row(RowTag::Definition, terms, Sense::Le, 0.0);
                    z
                })
                .collect()
        });
        z.iter().map(|&z| (z, 1.0)).collect()
    }

    /// For each country offers with a variable pass through at `stage`, in code order:
    /// (country, (variable, f) of each such offer in offer order, f its fraction there;
    /// 1 at the shipping country). One pass over the offers.
    pub fn through_all(&self, stage: Option<usize>) -> Vec<(usize, Vec<(usize, f64)>)> {
        let mut by_country: std::collections::BTreeMap<usize, Vec<(usize, f64)>> =
            std::collections::BTreeMap::new();
        for (j, o) in self.offers.iter().enumerate() {
            let Some(v) = self.offer_var[j] else { continue };
            for (c, f) in self.model.stages.mix(o, stage) {
                by_country.entry(c).or_default().push((v, f));
            }
        }
        by_country.into_iter().collect()
    }

    /// Σ w_c t_c for HHI cap `k` at `stage` (`weight` of each model country), recording
    /// the cap's weights; the HHI variables of the stage are created on first use.
    pub fn cap_terms(
        &mut self,
        lp: &mut Lp,
        k: usize,
        stage: Option<usize>,
        weight: impl Fn(usize) -> f64,
    ) -> Vec<(usize, f64)> {
        let mut conc = self.concentration.take().unwrap_or_else(Concentration::new);
        if !conc.has_stage(stage) {
            conc.add_stage(lp, stage, self.through_all(stage));
        }
        let weights: Vec<f64> = conc
            .countries
            .iter()
            .zip(&conc.stages)
            .map(|(&(c, _, _), &s)| if s == stage { weight(c) } else { 0.0 })
            .collect();
        let terms = conc
            .countries
            .iter()
            .zip(&weights)
            .filter(|(_, &w)| w != 0.0)
            .map(|(&(_, _, t), &w)| (t, w))
            .collect();
        conc.caps.push((k, weights));
        self.concentration = Some(conc);
        terms
    }
}
