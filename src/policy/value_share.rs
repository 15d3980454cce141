//! `min_value_share` and `max_value_share`: the share of the mineral's landed value
//! (landed cost × quantity) whose stage lies in a group's countries,
//! Σ_i l_i · x_i · Σ_{c∈G} f_isc ≥ / ≤ bound · Σ_i l_i · x_i (at the shipping country
//! without a stage). Linear as Σ_i l_i (φ_i − bound) x_i ≥ / ≤ 0 with φ_i the offer's
//! fraction in the group: the bound is in the coefficients and the row's right side is 0,
//! so the block records each row's value weights l_i and the shadow price d cost / d bound
//! is the row's dual times the plan's value (the envelope theorem).

use super::context::RowContext;
use super::text::percent;
use super::{
    bounded_rule, BoundDomain, CleanMeasure, Entry, Family, Kind, Point, Rule, Sense,
    SummaryMetric, TargetKind,
};
use crate::engine::lp::Lp;
use crate::model::{Model, Offer};
use crate::policy::rows::{InstanceTarget, MineralPlan, RowInstance};
use crate::tolerance::FEASIBILITY;

/// The `min_value_share` rule.
pub const MIN_VALUE_SHARE: Kind = Kind(&(&ValueShare { at_least: true } as &dyn Rule));
/// The `max_value_share` rule.
pub const MAX_VALUE_SHARE: Kind = Kind(&(&ValueShare { at_least: false } as &dyn Rule));

/// See the module docs.
pub struct ValueShare {
    /// True for `min_value_share`.
    at_least: bool,
}

/// φ: the fraction of `offer` in the row's group at its stage.
fn in_group(model: &Model, inst: &RowInstance, offer: &Offer) -> f64 {
    let InstanceTarget::Group(g) = inst.target else {
        return 0.0;
    };
    model
        .stages
        .mix(offer, inst.stage)
        .filter(|&(c, _)| model.countries[c].groups.contains(&g))
        .map(|(_, f)| f)
        .sum()
}

/// The largest landed cost of `offers` (1 when none is positive): the row's scale.
fn value_scale(offers: &[Offer]) -> f64 {
    let top = offers.iter().map(|o| o.landed_cost).fold(0.0, f64::max);
    if top > 0.0 {
        top
    } else {
        1.0
    }
}

impl Rule for ValueShare {
    fn name(&self) -> &'static str {
        if self.at_least {
            "min_value_share"
        } else {
            "max_value_share"
        }
    }
    fn target_kind(&self) -> TargetKind {
        TargetKind::Group
    }
    fn domain(&self) -> BoundDomain {
        BoundDomain::Fraction
    }
    fn sense(&self) -> Sense {
        if self.at_least {
            Sense::AtLeast
        } else {
            Sense::AtMost
        }
    }
    fn entry(&self) -> Entry {
        Entry::Row
    }
    fn tightens_big_m(&self) -> bool {
        false
    }
    fn terms(
        &self,
        cx: &mut RowContext,
        _lp: &mut Lp,
        k: usize,
        inst: &RowInstance,
    ) -> Option<Vec<(usize, f64)>> {
        let scale = value_scale(cx.offers);
        let mut terms = Vec::new();
        let mut weights = Vec::new();
        for (j, o) in cx.offers.iter().enumerate() {
            let Some(v) = cx.offer_var[j] else { continue };
            let l = o.landed_cost / scale;
            let a = l * (in_group(cx.model, inst, o) - inst.bound);
            if a != 0.0 {
                terms.push((v, a));
            }
            weights.push((v, l));
        }
        cx.value_rows.push((k, weights));
        Some(terms)
    }
    fn rhs(&self, _inst: &RowInstance) -> f64 {
        0.0
    }
    fn value(&self, plan: &MineralPlan, inst: &RowInstance) -> f64 {
        let offers = plan.model.offers_of(plan.mineral);
        let (mut inside, mut total) = (0.0, 0.0);
        for (o, &x) in offers.iter().zip(plan.quantities) {
            total += o.landed_cost * x;
            inside += o.landed_cost * x * in_group(plan.model, inst, o);
        }
        if total > 0.0 {
            inside / total
        } else {
            0.0
        }
    }
    fn tolerance(&self) -> f64 {
        FEASIBILITY
    }
    fn clean_measure(&self, _inst: &RowInstance) -> Option<CleanMeasure> {
        Some(if self.at_least {
            CleanMeasure::AtLeast
        } else {
            CleanMeasure::AtMost
        })
    }
    fn clean_coefficient(&self, model: &Model, inst: &RowInstance, offer: &Offer) -> f64 {
        let scale = value_scale(model.offers_of(inst.mineral));
        offer.landed_cost / scale * (in_group(model, inst, offer) - inst.bound)
    }
    fn snap_order(&self) -> Option<u8> {
        None
    }
    fn bound_text(&self, bound: f64) -> String {
        percent(bound)
    }
    fn rule_name(&self, target: &str) -> String {
        if self.at_least {
            format!("minimum share of value from {target}")
        } else {
            format!("maximum share of value from {target}")
        }
    }
    fn rule_with_bound(&self, target: &str, bound: f64) -> String {
        bounded_rule(self, target, bound)
    }
    fn point(&self) -> Option<Point> {
        Some(Point {
            size: 0.01,
            words: "percentage point of value",
        })
    }
    fn family(&self) -> Family {
        Family::ValueShares
    }
    fn export_prefix(&self) -> &'static str {
        if self.at_least {
            "valuemin"
        } else {
            "valuemax"
        }
    }
    fn spans_all_offers(&self) -> bool {
        true
    }
    fn stage_aware(&self) -> bool {
        true
    }
    fn country_alike(&self) -> bool {
        // Each offer's coefficient is its own landed cost.
        false
    }
    fn needs_binaries(&self) -> bool {
        false
    }
    fn is_quadratic(&self) -> bool {
        false
    }
    fn summary_metric(&self) -> Option<SummaryMetric> {
        None
    }
}
