//! `max_country_share`: Σ x over the offers of one country ≤ bound · D (`*`: each
//! country offering the mineral).

use std::collections::BTreeMap;

use super::context::RowContext;
use super::text::percent;
use super::{
    bounded_rule, BoundDomain, CleanMeasure, Entry, Family, Kind, Point, Rule, Sense,
    SummaryMetric, TargetKind,
};
use crate::engine::lp::Lp;
use crate::model::{Model, PolicyRow, Target};
use crate::policy::rows::{MineralPlan, RowInstance};
use crate::tolerance::FEASIBILITY;
use crate::write::numbers::plain;

/// The `max_country_share` rule.
pub const MAX_COUNTRY_SHARE: Kind = Kind(&(&MaxCountryShare as &dyn Rule));

/// See the module docs.
pub struct MaxCountryShare;

impl Rule for MaxCountryShare {
    fn name(&self) -> &'static str {
        "max_country_share"
    }
    fn target_kind(&self) -> TargetKind {
        TargetKind::CountryOrAll
    }
    fn domain(&self) -> BoundDomain {
        BoundDomain::Fraction
    }
    fn sense(&self) -> Sense {
        Sense::AtMost
    }
    fn entry(&self) -> Entry {
        Entry::Row
    }
    fn tightens_big_m(&self) -> bool {
        true
    }
    fn terms(
        &self,
        cx: &mut RowContext,
        _lp: &mut Lp,
        _k: usize,
        inst: &RowInstance,
    ) -> Option<Vec<(usize, f64)>> {
        let (model, offers) = (cx.model, cx.offers);
        Some(cx.covered(inst, |j| inst.coefficient(model, &offers[j])))
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
        Some(0)
    }
    fn bound_text(&self, bound: f64) -> String {
        percent(bound)
    }
    fn rule_name(&self, target: &str) -> String {
        if target == "*" {
            "cap on each country".into()
        } else {
            format!("cap on {target}")
        }
    }
    fn rule_with_bound(&self, target: &str, bound: f64) -> String {
        bounded_rule(self, target, bound)
    }
    fn point(&self) -> Option<Point> {
        Some(Point::PERCENTAGE)
    }
    fn family(&self) -> Family {
        Family::CountryCaps
    }
    fn export_prefix(&self) -> &'static str {
        "cap"
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
        None
    }

    /// A `*` cap the offering countries cannot meet together.
    fn check(
        &self,
        model: &Model,
        m: usize,
        row: &PolicyRow,
        by_country: &BTreeMap<usize, Option<f64>>,
    ) -> Option<String> {
        let Target::Each = row.target else {
            return None;
        };
        let mineral = &model.minerals[m];
        let d = mineral.demand;
        let reachable: f64 = by_country
            .values()
            .map(|c| c.unwrap_or(f64::INFINITY).min(row.bound * d))
            .sum();
        (reachable < d).then(|| {
            format!(
                "constraints.csv:{}: {}: with at most {} of demand per country, the {} countries offering it can supply only {} of {}",
                row.line,
                mineral.name,
                plain(row.bound),
                by_country.len(),
                plain(reachable),
                plain(d)
            )
        })
    }
}
