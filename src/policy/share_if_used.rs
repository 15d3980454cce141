//! `min_supplier_share_if_used` and `min_country_share_if_used`: the target's share of
//! demand is 0 or at least the bound (SPEC §6's `min_share_if_used`; `*`: each supplier
//! or country offering the mineral). Each instance gets a binary v ("the target buys
//! nothing"): the row Σ x + b·v ≥ b, and the definition Σ x + v ≤ 1 (shares of demand
//! never exceed 1, so v = 1 forces the target to 0).

use super::context::RowContext;
use super::text::percent;
use super::{
    bounded_rule, BoundDomain, CleanMeasure, Entry, Family, Kind, Point, Rule, Sense,
    SummaryMetric, TargetKind,
};
use crate::engine::lp::{Lp, RowTag};
use crate::policy::rows::{MineralPlan, RowInstance};
use crate::tolerance::FEASIBILITY;

/// The `min_supplier_share_if_used` rule.
pub const MIN_SUPPLIER_SHARE_IF_USED: Kind = Kind(&(&ShareIfUsed::Supplier as &dyn Rule));
/// The `min_country_share_if_used` rule.
pub const MIN_COUNTRY_SHARE_IF_USED: Kind = Kind(&(&ShareIfUsed::Country as &dyn Rule));

/// A minimum share that binds only a target that is used.
pub enum ShareIfUsed {
    /// The target is a supplier (its offer of the mineral).
    Supplier,
    /// The target is a country (its offers of the mineral together).
    Country,
}

impl Rule for ShareIfUsed {
    fn name(&self) -> &'static str {
        match self {
            ShareIfUsed::Supplier => "min_supplier_share_if_used",
            ShareIfUsed::Country => "min_country_share_if_used",
        }
    }
    fn target_kind(&self) -> TargetKind {
        match self {
            ShareIfUsed::Supplier => TargetKind::SupplierOrAll,
            ShareIfUsed::Country => TargetKind::CountryOrAll,
        }
    }
    fn domain(&self) -> BoundDomain {
        BoundDomain::Fraction
    }
    fn sense(&self) -> Sense {
        Sense::AtLeast
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
        lp: &mut Lp,
        k: usize,
        inst: &RowInstance,
    ) -> Option<Vec<(usize, f64)>> {
        let mut terms = cx.covered(inst, |_| 1.0);
        if terms.is_empty() {
            // Nothing to buy from: the target is unused and the row holds (no row).
            return None;
        }
        let v = lp.add_binary(0.0);
        let mut definition = terms.clone();
        definition.push((v, 1.0));
        lp.add_row(RowTag::Other, definition, crate::engine::lp::Sense::Le, 1.0);
        cx.indicators.push((k, v));
        terms.push((v, inst.bound));
        Some(terms)
    }
    fn value(&self, plan: &MineralPlan, inst: &RowInstance) -> f64 {
        plan.members_share(inst)
    }
    fn tolerance(&self) -> f64 {
        FEASIBILITY
    }
    fn holds_at_zero(&self) -> bool {
        true
    }
    fn clean_measure(&self, _inst: &RowInstance) -> Option<CleanMeasure> {
        // Cleaning never buys a new offer or drops one, and a used target's share is
        // kept at or above the bound within the plan check's tolerance.
        None
    }
    fn snap_order(&self) -> Option<u8> {
        None
    }
    fn bound_text(&self, bound: f64) -> String {
        percent(bound)
    }
    fn rule_name(&self, target: &str) -> String {
        let what = match (self, target) {
            (ShareIfUsed::Supplier, "*") => "each supplier".to_string(),
            (ShareIfUsed::Country, "*") => "each country".to_string(),
            (ShareIfUsed::Supplier | ShareIfUsed::Country, t) => t.to_string(),
        };
        format!("minimum share (or none) of {what}")
    }
    fn rule_with_bound(&self, target: &str, bound: f64) -> String {
        bounded_rule(self, target, bound)
    }
    fn point(&self) -> Option<Point> {
        Some(Point::PERCENTAGE)
    }
    fn family(&self) -> Family {
        Family::SharesIfUsed
    }
    fn export_prefix(&self) -> &'static str {
        match self {
            ShareIfUsed::Supplier => "minshareifused",
            ShareIfUsed::Country => "mincountryshareifused",
        }
    }
    fn country_alike(&self) -> bool {
        // A binary per target: such blocks are never aggregated.
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
