//! `max_avg_risk`: Σ risk · x ≤ bound · D (the risk budget).

use super::context::RowContext;
use super::text::trimmed;
use super::{
    BoundDomain, CleanMeasure, Entry, Family, Kind, Point, Rule, Sense, SummaryMetric, TargetKind,
};
use crate::engine::lp::Lp;
use crate::policy::rows::{MineralPlan, RowInstance};
use crate::tolerance::FEASIBILITY;

/// The `max_avg_risk` rule.
pub const MAX_AVG_RISK: Kind = Kind(&(&MaxAvgRisk as &dyn Rule));

/// See the module docs.
pub struct MaxAvgRisk;

impl Rule for MaxAvgRisk {
    fn name(&self) -> &'static str {
        "max_avg_risk"
    }
    fn target_kind(&self) -> TargetKind {
        TargetKind::None
    }
    fn domain(&self) -> BoundDomain {
        BoundDomain::NonNegative
    }
    fn sense(&self) -> Sense {
        Sense::AtMost
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
        _k: usize,
        inst: &RowInstance,
    ) -> Option<Vec<(usize, f64)>> {
        let (model, offers) = (cx.model, cx.offers);
        Some(cx.covered(inst, |j| {
            match inst.stage {
                None => model.countries[offers[j].country].risk,
                stage => model
                    .stages
                    .mix(&offers[j], stage)
                    .map(|(c, f)| model.countries[c].risk * f)
                    .sum(),
            }
        }))
    }
    fn value(&self, plan: &MineralPlan, inst: &RowInstance) -> f64 {
        plan.avg_risk_at(inst.stage)
    }
    fn tolerance(&self) -> f64 {
        FEASIBILITY
    }
    fn clean_measure(&self, _inst: &RowInstance) -> Option<CleanMeasure> {
        Some(CleanMeasure::AvgRisk)
    }
    fn snap_order(&self) -> Option<u8> {
        None
    }
    fn bound_text(&self, bound: f64) -> String {
        trimmed(bound, 4)
    }
    fn rule_name(&self, _target: &str) -> String {
        "risk budget (average risk)".into()
    }
    fn rule_with_bound(&self, _target: &str, bound: f64) -> String {
        format!("the risk budget of {} average risk", self.bound_text(bound))
    }
    fn point(&self) -> Option<Point> {
        Some(Point {
            size: 0.01,
            words: "0.01 of average risk",
        })
    }
    fn family(&self) -> Family {
        Family::RiskBudget
    }
    fn export_prefix(&self) -> &'static str {
        "risk"
    }
    fn stage_aware(&self) -> bool {
        true
    }
    fn country_alike(&self) -> bool {
        true
    }
    fn needs_binaries(&self) -> bool {
        false
    }
    fn is_quadratic(&self) -> bool {
        false
    }
    fn summary_metric(&self) -> Option<SummaryMetric> {
        Some(SummaryMetric::AvgRisk)
    }
}
