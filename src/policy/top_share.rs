//! `max_top_share`: the k largest country shares of the mineral together ≤ bound (target
//! k ≥ 1; from issue 23, at the shipping country). Exact and linear by the sum-of-k-largest
//! construction: the sum of the k largest of q_1..q_n (shares) is
//! min over t of k·t + Σ_c max(q_c − t, 0), so the rule is the row k·t + Σ_c v_c ≤ bound
//! with v_c ≥ q_c − t, v_c ≥ 0 for each country offering the mineral. t ≥ 0 loses
//! nothing: the minimum is attained at t = the k-th largest share (0 with fewer than k
//! countries), never negative; bounding it keeps every variable finite for every backend.
//! Each row gets its own t and v_c (they belong to its k).

use std::collections::BTreeMap;

use super::context::RowContext;
use super::text::percent;
use super::{
    bounded_rule, BoundDomain, CleanMeasure, Entry, Family, Kind, Point, Rule, Sense,
    SummaryMetric, TargetKind,
};
use crate::engine::lp::{self, Lp, RowTag};
use crate::model::{Model, PolicyRow, Target};
use crate::policy::rows::{InstanceTarget, MineralPlan, RowInstance};
use crate::tolerance::FEASIBILITY;
use crate::write::numbers::plain;

/// The `max_top_share` rule.
pub const MAX_TOP_SHARE: Kind = Kind(&(&MaxTopShare as &dyn Rule));

/// See the module docs.
pub struct MaxTopShare;

/// The k of an instance (1 for targets that are not a count, which input never gives).
fn k_of(inst: &RowInstance) -> usize {
    match inst.target {
        InstanceTarget::Top(k, _) => k,
        InstanceTarget::None
        | InstanceTarget::Country(_)
        | InstanceTarget::Supplier(_)
        | InstanceTarget::Group(_) => unreachable!("max_top_share targets a count"),
    }
}

/// The sum of the `k` largest of `values`.
pub(crate) fn top_sum(values: &[f64], k: usize) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(|a, b| b.total_cmp(a));
    v.iter().take(k).sum()
}

impl Rule for MaxTopShare {
    fn name(&self) -> &'static str {
        "max_top_share"
    }
    fn target_kind(&self) -> TargetKind {
        TargetKind::Top
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
        // One country's share is at most the sum of the k largest.
        true
    }
    fn terms(
        &self,
        cx: &mut RowContext,
        lp: &mut Lp,
        _k: usize,
        inst: &RowInstance,
    ) -> Option<Vec<(usize, f64)>> {
        let t = lp.add_var(0.0, 1.0, 0.0);
        let mut terms = vec![(t, k_of(inst) as f64)];
        for (c, through) in cx.through_all(inst.stage) {
            let v = lp.add_var(0.0, 1.0, 0.0);
            // v_c + t − Σ_j f_jc x_j ≥ 0.
            let mut def = vec![(v, 1.0), (t, 1.0)];
            match inst.stage {
                None => def.extend(cx.covered_where(|j| cx.offers[j].country == c)),
                Some(_) => def.extend(through.into_iter().map(|(x, f)| (x, -f))),
            }
            lp.add_row(RowTag::Definition, def, lp::Sense::Ge, 0.0);
            terms.push((v, 1.0));
        }
        Some(terms)
    }
    fn value(&self, plan: &MineralPlan, inst: &RowInstance) -> f64 {
        let d = plan.model.minerals[plan.mineral].demand;
        top_sum(&plan.by_country_at(inst.stage), k_of(inst)) / d
    }
    fn tolerance(&self) -> f64 {
        FEASIBILITY
    }
    fn clean_measure(&self, inst: &RowInstance) -> Option<CleanMeasure> {
        Some(CleanMeasure::TopShare(k_of(inst)))
    }
    fn snap_order(&self) -> Option<u8> {
        None
    }
    fn bound_text(&self, bound: f64) -> String {
        percent(bound)
    }
    fn rule_name(&self, target: &str) -> String {
        if target == "1" {
            "cap on the largest country share".into()
        } else {
            format!("cap on the {target} largest country shares")
        }
    }
    fn rule_with_bound(&self, target: &str, bound: f64) -> String {
        bounded_rule(self, target, bound)
    }
    fn point(&self) -> Option<Point> {
        Some(Point::PERCENTAGE)
    }
    fn family(&self) -> Family {
        Family::TopShares
    }
    fn export_prefix(&self) -> &'static str {
        "topshare"
    }
    fn stage_aware(&self) -> bool {
        true
    }
    fn country_alike(&self) -> bool {
        // Each offer enters only its country's row v_c + t − Σ x ≥ 0, with coefficient −1.
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

    /// No more than k countries offer the mineral: the k largest shares are all of it.
    fn check(
        &self,
        model: &Model,
        m: usize,
        row: &PolicyRow,
        by_country: &BTreeMap<usize, Option<f64>>,
    ) -> Option<String> {
        let Target::Top(k) = row.target else {
            return None;
        };
        let mineral = &model.minerals[m];
        (by_country.len() <= k && row.bound < 1.0).then(|| {
            format!(
                "constraints.csv:{}: {}: only {} countries offer it, so its {k} largest country shares are all of it and at most {} of {} can be bought",
                row.line,
                mineral.name,
                by_country.len(),
                plain(row.bound * mineral.demand),
                plain(mineral.demand)
            )
        })
    }
}
