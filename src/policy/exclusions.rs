//! `exclude_country` and `exclude_supplier`: no purchases from one country or supplier.
//! The excluded offers get no variable; the rule has no bound.

use super::context::RowContext;
use super::text::trimmed;
use super::{
    BoundDomain, CleanMeasure, Entry, Family, Kind, Point, Rule, Sense, SummaryMetric, TargetKind,
};
use crate::engine::lp::Lp;
use crate::policy::rows::{MineralPlan, RowInstance};

/// The `exclude_country` rule.
pub const EXCLUDE_COUNTRY: Kind = Kind(&(&Exclusion { supplier: false } as &dyn Rule));
/// The `exclude_supplier` rule.
pub const EXCLUDE_SUPPLIER: Kind = Kind(&(&Exclusion { supplier: true } as &dyn Rule));

/// No purchases from the target.
pub struct Exclusion {
    /// True for `exclude_supplier`.
    supplier: bool,
}

impl Rule for Exclusion {
    fn name(&self) -> &'static str {
        if self.supplier {
            "exclude_supplier"
        } else {
            "exclude_country"
        }
    }
    fn target_kind(&self) -> TargetKind {
        if self.supplier {
            TargetKind::Supplier
        } else {
            TargetKind::Country
        }
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
        // Excluded offers have no quantity to move.
        None
    }
    fn snap_order(&self) -> Option<u8> {
        None
    }
    fn bound_text(&self, bound: f64) -> String {
        trimmed(bound, 4)
    }
    fn rule_name(&self, target: &str) -> String {
        if self.supplier {
            format!("exclusion of supplier {target}")
        } else {
            format!("exclusion of {target}")
        }
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
        "exclude"
    }
    fn stage_aware(&self) -> bool {
        // At a stage: no offer with any fraction through the country there.
        !self.supplier
    }
    fn country_alike(&self) -> bool {
        // Removes offers; what is left is aggregated as usual.
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
