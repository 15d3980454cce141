//! `min_suppliers`, `max_suppliers` and `min_countries`: the number of offers (or
//! countries) used ≥ or ≤ bound. They give every offer of the mineral a binary "used"
//! variable; `min_countries` adds a country-used indicator z_c ≤ Σ y of the country's
//! offers per country on first use.

use super::context::RowContext;
use super::text::trimmed;
use super::{
    BoundDomain, CleanMeasure, Entry, Family, Kind, Point, Rule, Sense, SummaryMetric, TargetKind,
};
use crate::engine::lp::Lp;
use crate::policy::rows::{MineralPlan, RowInstance};

/// The `min_suppliers` rule.
pub const MIN_SUPPLIERS: Kind = Kind(&(&Count::MinSuppliers as &dyn Rule));
/// The `max_suppliers` rule.
pub const MAX_SUPPLIERS: Kind = Kind(&(&Count::MaxSuppliers as &dyn Rule));
/// The `min_countries` rule.
pub const MIN_COUNTRIES: Kind = Kind(&(&Count::MinCountries as &dyn Rule));

/// A bound on how many offers or countries a mineral uses. (No `max_countries`: the
/// indicator z_c ≤ Σ y only bounds the count from above, so it cannot cap it.)
pub enum Count {
    /// Offers used ≥ bound.
    MinSuppliers,
    /// Offers used ≤ bound.
    MaxSuppliers,
    /// Countries with an offer used ≥ bound.
    MinCountries,
}

impl Rule for Count {
    fn name(&self) -> &'static str {
        match self {
            Count::MinSuppliers => "min_suppliers",
            Count::MaxSuppliers => "max_suppliers",
            Count::MinCountries => "min_countries",
        }
    }
    fn target_kind(&self) -> TargetKind {
        TargetKind::None
    }
    fn domain(&self) -> BoundDomain {
        BoundDomain::Count
    }
    fn sense(&self) -> Sense {
        match self {
            Count::MinSuppliers | Count::MinCountries => Sense::AtLeast,
            Count::MaxSuppliers => Sense::AtMost,
        }
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
        _inst: &RowInstance,
    ) -> Option<Vec<(usize, f64)>> {
        Some(match self {
            Count::MinSuppliers | Count::MaxSuppliers => cx.used_terms(),
            Count::MinCountries => cx.country_used_terms(lp),
        })
    }
    fn value(&self, plan: &MineralPlan, _inst: &RowInstance) -> f64 {
        match self {
            Count::MinSuppliers | Count::MaxSuppliers => {
                plan.quantities.iter().filter(|&&x| x > 0.0).count() as f64
            }
            Count::MinCountries => plan.by_country().iter().filter(|&&q| q > 0.0).count() as f64,
        }
    }
    fn tolerance(&self) -> f64 {
        // Whole numbers: met exactly.
        0.0
    }
    fn clean_measure(&self, _inst: &RowInstance) -> Option<CleanMeasure> {
        // Cleaning never buys a new offer or drops one.
        None
    }
    fn snap_order(&self) -> Option<u8> {
        None
    }
    fn bound_text(&self, bound: f64) -> String {
        trimmed(bound, 0)
    }
    fn rule_name(&self, _target: &str) -> String {
        format!("{} number of {}", self.extreme(), self.counted())
    }
    fn rule_with_bound(&self, _target: &str, bound: f64) -> String {
        format!(
            "the {} of {} {}",
            self.extreme(),
            self.bound_text(bound),
            self.counted()
        )
    }
    fn point(&self) -> Option<Point> {
        Some(Point {
            size: 1.0,
            words: match self {
                Count::MinSuppliers | Count::MaxSuppliers => "supplier",
                Count::MinCountries => "country",
            },
        })
    }
    fn family(&self) -> Family {
        Family::Counts
    }
    fn export_prefix(&self) -> &'static str {
        match self {
            Count::MinSuppliers => "minsuppliers",
            Count::MaxSuppliers => "maxsuppliers",
            Count::MinCountries => "mincountries",
        }
    }
    fn country_alike(&self) -> bool {
        // A binary per offer: such blocks are never aggregated.
        false
    }
    fn needs_binaries(&self) -> bool {
        true
    }
    fn is_quadratic(&self) -> bool {
        false
    }
    fn summary_metric(&self) -> Option<SummaryMetric> {
        None
    }
}

impl Count {
    /// What is counted, in words (plural).
    fn counted(&self) -> &'static str {
        match self {
            Count::MinSuppliers | Count::MaxSuppliers => "suppliers",
            Count::MinCountries => "countries",
        }
    }

    /// "minimum" or "maximum".
    fn extreme(&self) -> &'static str {
        match self {
            Count::MinSuppliers | Count::MinCountries => "minimum",
            Count::MaxSuppliers => "maximum",
        }
    }
}
