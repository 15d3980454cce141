//! `exclude_controlled`: no purchases from an offer whose supplier is controlled by a
//! state in the target (a country code or a group tag; suppliers.csv's `controlled_by`).
//! The foreign-entity-of-concern rule: the countries of concern are a group of
//! countries.csv. The excluded offers get no variable; the rule has no bound.

use super::context::RowContext;
use super::text::trimmed;
use super::{
    BoundDomain, CleanMeasure, Entry, Family, Kind, Point, Rule, Sense, SummaryMetric, TargetKind,
};
use crate::engine::lp::Lp;
use crate::model::{Model, Offer, Target};
use crate::policy::rows::{MineralPlan, RowInstance};

/// The `exclude_controlled` rule.
pub const EXCLUDE_CONTROLLED: Kind = Kind(&(&ExcludeControlled as &dyn Rule));

/// See the module docs.
pub struct ExcludeControlled;

/// True when `offer`'s controlling state is `target` (a country) or in it (a group).
pub(crate) fn controlled_in(model: &Model, offer: &Offer, target: &Target) -> bool {
    let Some(state) = model.stages.controlled_by(offer) else {
        return false;
    };
    match target {
        Target::Country(c) => state == *c,
        Target::Group(g) => model.countries[state].groups.contains(g),
        Target::None | Target::Each | Target::Supplier(_) | Target::Top(_) => false,
    }
}

impl Rule for ExcludeControlled {
    fn name(&self) -> &'static str {
        "exclude_controlled"
    }
    fn target_kind(&self) -> TargetKind {
        TargetKind::CountryOrGroup
    }
    fn domain(&self) -> BoundDomain {
        BoundDomain::None
    }
    fn sense(&self) -> Sense {
        Sense::Excludes
    }
    fn entry(&self) -> Entry {
        Entry::RemovesOffers
    }
    fn tightens_big_m(&self) -> bool {
        false
    }
    fn terms(
        &self,
        _cx: &mut RowContext,
        _lp: &mut Lp,
        _k: usize,
        _inst: &RowInstance,
    ) -> Option<Vec<(usize, f64)>> {
        None
    }
    fn value(&self, plan: &MineralPlan, inst: &RowInstance) -> f64 {
        plan.members_share(inst)
    }
    fn tolerance(&self) -> f64 {
        0.0
    }
    fn clean_measure(&self, _inst: &RowInstance) -> Option<CleanMeasure> {
        None
    }
    fn snap_order(&self) -> Option<u8> {
        None
    }
    fn bound_text(&self, bound: f64) -> String {
        trimmed(bound, 4)
    }
    fn rule_name(&self, target: &str) -> String {
        format!("exclusion of suppliers controlled by {target}")
    }
    fn rule_with_bound(&self, target: &str, _bound: f64) -> String {
        format!("the {}", self.rule_name(target))
    }
    fn point(&self) -> Option<Point> {
        None
    }
    fn family(&self) -> Family {
        Family::Exclusions
    }
    fn export_prefix(&self) -> &'static str {
        "excludectl"
    }
    fn country_alike(&self) -> bool {
        // Removes offers; chain classes keep the controlling state apart.
        true
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
