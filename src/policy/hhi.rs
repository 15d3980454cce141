//! `max_hhi` and `max_risk_hhi`: Σ_c w_c (q_c / D)² ≤ bound, with w_c = 1 (the HHI) or
//! the country's risk. In a block: Σ w_c t_c ≤ bound over per-country share variables
//! s_c and epigraph variables t_c ≥ s_c² (tangent cuts or cones, see
//! `formulate::concentration`), created by the first cap.

use super::context::RowContext;
use super::text::trimmed;
use super::{
    BoundDomain, CleanMeasure, Entry, Family, Kind, Point, Rule, Sense, SummaryMetric, TargetKind,
};
use crate::engine::lp::Lp;
use crate::policy::rows::{hhi, risk_hhi, MineralPlan, RowInstance};
use crate::tolerance::FEASIBILITY;

/// The `max_hhi` rule.
pub const MAX_HHI: Kind = Kind(
    &(&HhiCap {
        risk_weighted: false,
    } as &dyn Rule),
);
/// The `max_risk_hhi` rule.
pub const MAX_RISK_HHI: Kind = Kind(
    &(&HhiCap {
        risk_weighted: true,
    } as &dyn Rule),
);

/// A cap on the (risk-weighted) concentration of a mineral's supply by country.
pub struct HhiCap {
    /// True for `max_risk_hhi`.
    risk_weighted: bool,
}

impl Rule for HhiCap {
    fn name(&self) -> &'static str {
        if self.risk_weighted {
            "max_risk_hhi"
        } else {
            "max_hhi"
        }
    }
    fn target_kind(&self) -> TargetKind {
        TargetKind::None
    }
    fn domain(&self) -> BoundDomain {
        if self.risk_weighted {
            BoundDomain::NonNegative
        } else {
            BoundDomain::Fraction
        }
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
        lp: &mut Lp,
        k: usize,
        inst: &RowInstance,
    ) -> Option<Vec<(usize, f64)>> {
        let model = cx.model;
        let risk_weighted = self.risk_weighted;
        Some(cx.cap_terms(lp, k, inst.stage, |c: usize| {
            if risk_weighted {
                model.countries[c].risk
            } else {
                1.0
            }
        }))
    }
    fn value(&self, plan: &MineralPlan, inst: &RowInstance) -> f64 {
        let d = plan.model.minerals[plan.mineral].demand;
        let q = plan.by_country_at(inst.stage);
        if self.risk_weighted {
            risk_hhi(plan.model, &q, d)
        } else {
            hhi(&q, d)
        }
    }
    fn tolerance(&self) -> f64 {
        FEASIBILITY
    }
    fn clean_measure(&self, _inst: &RowInstance) -> Option<CleanMeasure> {
        Some(if self.risk_weighted {
            CleanMeasure::RiskHhi
        } else {
            CleanMeasure::Hhi
        })
    }
    fn snap_order(&self) -> Option<u8> {
        None
    }
    fn bound_text(&self, bound: f64) -> String {
        format!("{} points", trimmed(bound * 10_000.0, 2))
    }
    fn rule_name(&self, _target: &str) -> String {
        if self.risk_weighted {
            "risk-weighted HHI cap".into()
        } else {
            "HHI cap".into()
        }
    }
    fn rule_with_bound(&self, target: &str, bound: f64) -> String {
        format!(
            "the {} of {}",
            self.rule_name(target),
            self.bound_text(bound)
        )
    }
    fn point(&self) -> Option<Point> {
        Some(Point {
            size: 0.01,
            words: if self.risk_weighted {
                "100 risk-weighted HHI points"
            } else {
                "100 HHI points"
            },
        })
    }
    fn family(&self) -> Family {
        Family::Concentration
    }
    fn export_prefix(&self) -> &'static str {
        if self.risk_weighted {
            "riskhhi"
        } else {
            "hhi"
        }
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
        true
    }
    fn summary_metric(&self) -> Option<SummaryMetric> {
        Some(if self.risk_weighted {
            SummaryMetric::RiskHhi
        } else {
            SummaryMetric::Hhi
        })
    }
}
