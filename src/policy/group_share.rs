//! `min_group_share` and `max_group_share`: Σ x over the offers in a group's countries
//! ≥ or ≤ bound · D.

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

/// The `min_group_share` rule.
pub const MIN_GROUP_SHARE: Kind = Kind(&(&GroupShare { at_least: true } as &dyn Rule));
/// The `max_group_share` rule.
pub const MAX_GROUP_SHARE: Kind = Kind(&(&GroupShare { at_least: false } as &dyn Rule));

/// Σ x over a group's offers ≥ bound · D (`at_least`) or ≤ bound · D.
pub struct GroupShare {
    /// True for `min_group_share`.
    at_least: bool,
}

impl Rule for GroupShare {
    fn name(&self) -> &'static str {
        if self.at_least {
            "min_group_share"
        } else {
            "max_group_share"
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
        !self.at_least
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
        Some(if self.at_least {
            CleanMeasure::AtLeast
        } else {
            CleanMeasure::AtMost
        })
    }
    fn snap_order(&self) -> Option<u8> {
        // After the country rows (see `clean`).
        Some(1)
    }
    fn bound_text(&self, bound: f64) -> String {
        percent(bound)
    }
    fn rule_name(&self, target: &str) -> String {
        if self.at_least {
            format!("minimum share from {target}")
        } else {
            format!("maximum share from {target}")
        }
    }
    fn rule_with_bound(&self, target: &str, bound: f64) -> String {
        bounded_rule(self, target, bound)
    }
    fn point(&self) -> Option<Point> {
        Some(Point::PERCENTAGE)
    }
    fn family(&self) -> Family {
        Family::GroupShares
    }
    fn export_prefix(&self) -> &'static str {
        if self.at_least {
            "groupmin"
        } else {
            "groupmax"
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
        false
    }
    fn summary_metric(&self) -> Option<SummaryMetric> {
        None
    }

    /// A group whose offers cannot supply its minimum.
    fn check(
        &self,
        model: &Model,
        m: usize,
        row: &PolicyRow,
        _by_country: &BTreeMap<usize, Option<f64>>,
    ) -> Option<String> {
        let (true, Target::Group(g)) = (self.at_least, &row.target) else {
            return None;
        };
        let mineral = &model.minerals[m];
        let d = mineral.demand;
        let group_cap: Option<f64> = model
            .offers_of(m)
            .iter()
            .filter(|o| model.countries[o.country].groups.contains(g))
            .map(|o| o.capacity)
            .sum();
        let cap = group_cap.filter(|&cap| cap < row.bound * d)?;
        Some(format!(
            "constraints.csv:{}: {}: group {} must supply {} but its offers can supply only {}",
            row.line,
            mineral.name,
            model.groups[*g],
            plain(row.bound * d),
            plain(cap)
        ))
    }
}
