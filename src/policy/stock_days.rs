//! `min_stock_days`: the stock held after the plan covers at least `bound` days of
//! demand, S0 + b ≥ bound / 365 · D (issue 24; S0 the stock on hand, b the stock built,
//! what the plan buys above demand).
//!
//! The stock is built on top of the year's demand, so the row is stated on what the plan
//! contracts: 365 (S0 + Σ x − D) / D ≥ bound, in days. It is stated only where the stock
//! on hand falls short of the bound ([`shortfall`] > 0); elsewhere it holds whatever is
//! bought. The constant is carried by a variable fixed at 365 (S0 / D − 1), so the row's
//! right-hand side is the bound and its dual the price of one more day.

use std::collections::BTreeMap;

use super::context::RowContext;
use super::text::trimmed;
use super::{
    BoundDomain, CleanMeasure, Entry, Family, Kind, Point, Rule, Sense, SummaryMetric, TargetKind,
};
use crate::engine::lp::Lp;
use crate::model::{Model, PolicyRow};
use crate::policy::rows::{MineralPlan, RowInstance};
use crate::tolerance::FEASIBILITY;
use crate::write::numbers::plain;

/// The `min_stock_days` rule.
pub const MIN_STOCK_DAYS: Kind = Kind(&(&MinStockDays as &dyn Rule));

/// Days in the year of demand D.
pub const DAYS_PER_YEAR: f64 = 365.0;

/// See the module docs.
pub struct MinStockDays;

/// What mineral `m` must build to hold `days` of demand, as a share of demand:
/// days / 365 − S0 / D (≤ 0 when the stock on hand covers it).
pub fn shortfall(model: &Model, m: usize, days: f64) -> f64 {
    let mineral = &model.minerals[m];
    let on_hand = mineral.stock.map_or(0.0, |s| s.on_hand);
    days / DAYS_PER_YEAR - on_hand / mineral.demand
}

/// True when some `min_stock_days` row makes mineral `m`'s plain plan build stock (the
/// block then gets a stock column in its demand row).
pub fn builds_stock(model: &Model, m: usize, instances: &[RowInstance]) -> bool {
    instances
        .iter()
        .any(|i| i.kind == MIN_STOCK_DAYS && shortfall(model, m, i.bound) > 0.0)
}

impl Rule for MinStockDays {
    fn name(&self) -> &'static str {
        "min_stock_days"
    }
    fn target_kind(&self) -> TargetKind {
        TargetKind::None
    }
    fn domain(&self) -> BoundDomain {
        BoundDomain::NonNegative
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
        _k: usize,
        inst: &RowInstance,
    ) -> Option<Vec<(usize, f64)>> {
        let m = inst.mineral;
        if shortfall(cx.model, m, inst.bound) <= 0.0 {
            return None;
        }
        let mineral = &cx.model.minerals[m];
        let on_hand = mineral.stock.map_or(0.0, |s| s.on_hand);
        let constant = DAYS_PER_YEAR * (on_hand / mineral.demand - 1.0);
        let one = lp.add_var(constant, constant, 0.0);
        let mut terms = cx.covered(inst, |_| DAYS_PER_YEAR);
        terms.push((one, 1.0));
        Some(terms)
    }
    fn value(&self, plan: &MineralPlan, _inst: &RowInstance) -> f64 {
        let mineral = &plan.model.minerals[plan.mineral];
        let on_hand = mineral.stock.map_or(0.0, |s| s.on_hand);
        let built = mineral.stock_built(plan.quantities.iter().sum());
        DAYS_PER_YEAR * (on_hand + built) / mineral.demand
    }
    fn tolerance(&self) -> f64 {
        DAYS_PER_YEAR * FEASIBILITY
    }
    fn clean_measure(&self, _inst: &RowInstance) -> Option<CleanMeasure> {
        None
    }
    fn snap_order(&self) -> Option<u8> {
        None
    }
    fn bound_text(&self, bound: f64) -> String {
        format!("{} days", trimmed(bound, 2))
    }
    fn rule_name(&self, _target: &str) -> String {
        "minimum stock (days of demand)".into()
    }
    fn rule_with_bound(&self, _target: &str, bound: f64) -> String {
        format!("the minimum stock of {} of demand", self.bound_text(bound))
    }
    fn point(&self) -> Option<Point> {
        Some(Point {
            size: 1.0,
            words: "day of stock",
        })
    }
    fn family(&self) -> Family {
        Family::StockDays
    }
    fn export_prefix(&self) -> &'static str {
        "stock_days"
    }
    fn country_alike(&self) -> bool {
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
    fn needs_stock(&self) -> bool {
        true
    }
    fn check(
        &self,
        model: &Model,
        m: usize,
        row: &PolicyRow,
        _by_country: &BTreeMap<usize, Option<f64>>,
    ) -> Option<String> {
        let mineral = &model.minerals[m];
        let stock = mineral.stock?;
        let want = row.bound / DAYS_PER_YEAR * mineral.demand;
        let most = stock.on_hand + mineral.stock_room();
        (most < want * (1.0 - FEASIBILITY)).then(|| {
            format!(
                "constraints.csv:{}: {}: {} days of demand is a stock of {}, but the stock can hold at most {} ({})",
                row.line,
                mineral.name,
                plain(row.bound),
                plain(want),
                plain(most),
                match stock.cap {
                    Some(_) => "its stock_cap",
                    None => "the stock on hand plus one year's demand, without a stock_cap",
                }
            )
        })
    }
}
