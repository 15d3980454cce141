//! One function per constraint family: the terms of each expanded policy row of a block,
//! driven by the row's kind. Rows whose family needs auxiliary variables (country-used
//! indicators, HHI shares) create them on first use.

use crate::lp::{Lp, RowTag, Sense};
use crate::model::{Model, Offer, PolicyKind};
use crate::rows::RowInstance;

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
}

/// The (variable, coefficient) terms of instance `k`, or `None` for kinds stated
/// elsewhere (supplier caps are bounds, exclusions remove variables).
pub fn row_terms(
    cx: &mut RowContext,
    lp: &mut Lp,
    k: usize,
    inst: &RowInstance,
) -> Option<Vec<(usize, f64)>> {
    Some(match inst.kind {
        PolicyKind::MaxCountryShare | PolicyKind::MaxGroupShare | PolicyKind::MinGroupShare => {
            covered(cx.offer_var, inst, |_| 1.0)
        }
        PolicyKind::MaxAvgRisk => {
            let (model, offers) = (cx.model, cx.offers);
            covered(cx.offer_var, inst, |j| {
                model.countries[offers[j].country].risk
            })
        }
        PolicyKind::MinSuppliers | PolicyKind::MaxSuppliers => {
            cx.used_var.iter().flatten().map(|&y| (y, 1.0)).collect()
        }
        PolicyKind::MinCountries => country_count_terms(cx, lp),
        PolicyKind::MaxHhi | PolicyKind::MaxRiskHhi => cap_terms(cx, lp, k, inst.kind),
        PolicyKind::MaxSupplierShare | PolicyKind::ExcludeCountry | PolicyKind::ExcludeSupplier => {
            return None
        }
    })
}

/// (variable, coefficient) of the offers a row covers.
fn covered(
    offer_var: &[Option<usize>],
    inst: &RowInstance,
    coefficient: impl Fn(usize) -> f64,
) -> Vec<(usize, f64)> {
    inst.members
        .iter()
        .filter_map(|&j| {
            let v = offer_var[j]?;
            let a = coefficient(j);
            (a != 0.0).then_some((v, a))
        })
        .collect()
}

/// Σ z_c over countries, with z_c ≤ Σ y of the country's offers defined on first use.
fn country_count_terms(cx: &mut RowContext, lp: &mut Lp) -> Vec<(usize, f64)> {
    let (offers, used_var, countries) = (cx.offers, cx.used_var, cx.countries);
    let z = cx.country_used.get_or_insert_with(|| {
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

/// Σ w_c t_c for an HHI cap (w = 1, or the country's risk), recording the cap's weights.
fn cap_terms(cx: &mut RowContext, lp: &mut Lp, k: usize, kind: PolicyKind) -> Vec<(usize, f64)> {
    let (model, offers, offer_var, countries) = (cx.model, cx.offers, cx.offer_var, cx.countries);
    let conc = cx
        .concentration
        .get_or_insert_with(|| Concentration::new(lp, offers, offer_var, countries));
    let weights: Vec<f64> = conc
        .countries
        .iter()
        .map(|&(c, _, _)| match kind {
            PolicyKind::MaxHhi => 1.0,
            _ => model.countries[c].risk,
        })
        .collect();
    let terms = conc
        .countries
        .iter()
        .zip(&weights)
        .filter(|(_, &w)| w != 0.0)
        .map(|(&(_, _, t), &w)| (t, w))
        .collect();
    conc.caps.push((k, weights));
    terms
}
