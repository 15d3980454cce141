//! `max_supplier_share`: x of one supplier ≤ bound · D (`*`: each offer of the
//! mineral). Stated as the upper bound of the offer's own variable, not as a row.

use super::context::RowContext;
use super::text::percent;
use super::{
    bounded_rule, BoundDomain, CleanMeasure, Entry, Family, Kind, Point, Rule, Sense,
    SummaryMetric, TargetKind,
};
use crate::engine::lp::Lp;
use crate::policy::rows::{MineralPlan, RowInstance};
use crate::tolerance::FEASIBILITY;

/// The `max_supplier_share` rule.
pub const MAX_SUPPLIER_SHARE: Kind = Kind(&(&MaxSupplierShare as &dyn Rule));

/// See the module docs.
pub struct MaxSupplierShare;

impl Rule for MaxSupplierShare {
    fn name(&self) -> &'static str {
        "max_supplier_share"
    }
    fn target_kind(&self) -> TargetKind {
        TargetKind::SupplierOrAll
    }
    fn domain(&self) -> BoundDomain {
        BoundDomain::Fraction
    }
    fn sense(&self) -> Sense {
        Sense::AtMost
    }
    fn entry(&self) -> Entry {
        Entry::OfferBound
    }
    fn tightens_big_m(&self) -> bool {
        // It lowers the offer's upper bound, which the big-M starts from.
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
        FEASIBILITY
    }
    fn clean_measure(&self, _inst: &RowInstance) -> Option<CleanMeasure> {
        Some(CleanMeasure::AtMost)
    }
    fn snap_order(&self) -> Option<u8> {
        // Snapped offer by offer, as a bound of its offer.
        None
    }
    fn bound_text(&self, bound: f64) -> String {
        percent(bound)
    }
    fn rule_name(&self, target: &str) -> String {
        if target == "*" {
            "cap on each supplier".into()
        } else {
            format!("cap on supplier {target}")
        }
    }
    fn rule_with_bound(&self, target: &str, bound: f64) -> String {
        bounded_rule(self, target, bound)
    }
    fn point(&self) -> Option<Point> {
        Some(Point::PERCENTAGE)
    }
    fn family(&self) -> Family {
        Family::SupplierCaps
    }
    fn export_prefix(&self) -> &'static str {
        "suppliercap"
    }
    fn country_alike(&self) -> bool {
        // A bound on each offer's own variable, which the aggregation keeps per offer.
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
