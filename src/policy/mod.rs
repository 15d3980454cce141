//! The policy rules: one file per rule family, each stating everything about its rules
//! once (name, target, bound domain, sense, expansion, how the rule enters a block, its
//! value on a plan and the plan check's tolerance, what cleaning must not tip, its words
//! and per-point unit, its `policy` family, its export name, what the country aggregation
//! and the solvers need of it, its `check` finding). The rest of the crate asks the
//! registry ([`ALL`], through a [`Kind`]) instead of matching on rule kinds.
//!
//! Adding a rule: a unit struct implementing [`Rule`] in a file of its family, a
//! [`Kind`] constant for it, and one line in [`ALL`].

mod avg_risk;
pub(crate) mod concentration;
pub(crate) mod context;
pub(crate) mod controlled;
mod country_share;
mod counts;
mod exclusions;
mod group_share;
mod hhi;
pub(crate) mod rows;
mod share_if_used;
pub(crate) mod stock_days;
mod supplier_share;
pub(crate) mod text;
mod top_share;
mod value_share;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::engine::lp::Lp;
use crate::model::{Model, PolicyRow};
use crate::policy::rows::{MineralPlan, RowInstance};
use context::RowContext;

pub use avg_risk::MAX_AVG_RISK;
pub use controlled::EXCLUDE_CONTROLLED;
pub use country_share::MAX_COUNTRY_SHARE;
pub use counts::{MAX_SUPPLIERS, MIN_COUNTRIES, MIN_SUPPLIERS};
pub use exclusions::{EXCLUDE_COUNTRY, EXCLUDE_SUPPLIER};
pub use group_share::{MAX_GROUP_SHARE, MIN_GROUP_SHARE};
pub use hhi::{MAX_HHI, MAX_RISK_HHI};
pub use share_if_used::{MIN_COUNTRY_SHARE_IF_USED, MIN_SUPPLIER_SHARE_IF_USED};
pub use stock_days::MIN_STOCK_DAYS;
pub use supplier_share::MAX_SUPPLIER_SHARE;
pub(crate) use top_share::top_sum;
pub use top_share::MAX_TOP_SHARE;
pub use value_share::{MAX_VALUE_SHARE, MIN_VALUE_SHARE};

/// Every rule, in the order of SPEC §1 (constraints.csv's error message lists them so),
/// then the rules added since.
pub const ALL: &[Kind] = &[
    MAX_COUNTRY_SHARE,
    MAX_SUPPLIER_SHARE,
    MIN_GROUP_SHARE,
    MAX_GROUP_SHARE,
    MAX_AVG_RISK,
    MAX_HHI,
    MAX_RISK_HHI,
    MIN_SUPPLIERS,
    MAX_SUPPLIERS,
    MIN_COUNTRIES,
    EXCLUDE_COUNTRY,
    EXCLUDE_SUPPLIER,
    MAX_TOP_SHARE,
    MIN_SUPPLIER_SHARE_IF_USED,
    MIN_COUNTRY_SHARE_IF_USED,
    MIN_STOCK_DAYS,
    EXCLUDE_CONTROLLED,
    MIN_VALUE_SHARE,
    MAX_VALUE_SHARE,
];

/// Everything the crate needs to know about one policy rule (one row kind of
/// constraints.csv).
pub trait Rule: Sync {
    /// The name used in constraints.csv.
    fn name(&self) -> &'static str;
    /// What the target column holds (and how a `*` target expands).
    fn target_kind(&self) -> TargetKind;
    /// The domain of the bound column.
    fn domain(&self) -> BoundDomain;
    /// Which side of the bound the row's value must stay on.
    fn sense(&self) -> Sense;
    /// How the rule enters a block.
    fn entry(&self) -> Entry;
    /// True when a row of this rule caps each member offer's big-M at its bound.
    fn tightens_big_m(&self) -> bool;
    /// The (variable, coefficient) terms of instance `k` in a block (creating auxiliary
    /// variables on first use); `None` when [`Rule::entry`] is not [`Entry::Row`], and
    /// for a row that holds whatever is bought when none of its offers has a variable
    /// ([`Rule::holds_at_zero`]). The row is `terms · x (sense) bound`, in the bound's
    /// units.
    fn terms(
        &self,
        cx: &mut RowContext,
        lp: &mut Lp,
        k: usize,
        inst: &RowInstance,
    ) -> Option<Vec<(usize, f64)>>;
    /// The row's left-hand side on a plan, in the bound's units.
    fn value(&self, plan: &MineralPlan, inst: &RowInstance) -> f64;
    /// How far past its bound the plan check lets the value be (in the bound's units;
    /// exclusions must be exactly 0).
    fn tolerance(&self) -> f64;
    /// What cleaning must not tip; `None` for rules a residue cannot move past their
    /// bound (counts: cleaning never buys or drops an offer; exclusions: no variable).
    fn clean_measure(&self, inst: &RowInstance) -> Option<CleanMeasure>;
    /// For share rows over a set of offers that cleaning snaps onto their bound: the order
    /// in which they are snapped (smaller first); `None` for rows cleaning does not snap.
    fn snap_order(&self) -> Option<u8>;
    /// The bound in the units a planner writes it: "50%", "0.55", "4000 points", "2".
    fn bound_text(&self, bound: f64) -> String;
    /// What the rule is called, without its bound ("cap on CHN"); `target` as written
    /// (`*` reads "each country").
    fn rule_name(&self, target: &str) -> String;
    /// The rule with its bound: "the 50% cap on CHN".
    fn rule_with_bound(&self, target: &str, bound: f64) -> String;
    /// One point of the bound (the unit of per-point prices); `None` without a bound.
    fn point(&self) -> Option<Point>;
    /// The family removed together in `policy`'s `without_<family>` case.
    fn family(&self) -> Family;
    /// The prefix of the rule's row names in exported models.
    fn export_prefix(&self) -> &'static str;
    /// True when the rule treats all offers of a country alike (or only bounds or removes
    /// offers), so the country aggregation may carry it.
    fn country_alike(&self) -> bool;
    /// True when the rule needs a binary "used" variable on every offer of the mineral.
    fn needs_binaries(&self) -> bool;
    /// True for convex quadratic rules (HHI caps: tangent cuts or cones).
    fn is_quadratic(&self) -> bool;
    /// The summary.csv metric the rule caps, if any: a binding cap's row value is the
    /// metric summary.csv reports, so the two files agree digit for digit.
    fn summary_metric(&self) -> Option<SummaryMetric>;
    /// A `check` finding: what makes row `row` unreachable on mineral `m` before any
    /// solve (`by_country`: each offering country's capacity, `None` when unlimited).
    fn check(
        &self,
        model: &Model,
        m: usize,
        row: &PolicyRow,
        by_country: &BTreeMap<usize, Option<f64>>,
    ) -> Option<String> {
        let _ = (model, m, row, by_country);
        None
    }

    /// True when the rule needs the stock columns of demand.csv.
    fn needs_stock(&self) -> bool {
        false
    }
    /// True when the rule may name a stage (constraints.csv's `stage` column): it then
    /// applies to the quantity passing through each country at that stage.
    fn stage_aware(&self) -> bool {
        false
    }

    /// True when every offer of the mineral is a member of the rule's rows, whatever
    /// the target (value shares: the whole value is the denominator).
    fn spans_all_offers(&self) -> bool {
        false
    }

    /// The right side of the row [`Rule::terms`] builds (the bound, unless the bound is
    /// in the coefficients).
    fn rhs(&self, inst: &RowInstance) -> f64 {
        inst.bound
    }

    /// Offer `offer`'s coefficient in the row cleaning follows for a share measure
    /// (`CleanMeasure::AtMost` / `AtLeast`), against [`Rule::rhs`].
    fn clean_coefficient(
        &self,
        model: &Model,
        inst: &RowInstance,
        offer: &crate::model::Offer,
    ) -> f64 {
        inst.coefficient(model, offer)
    }

    /// True when a row of this rule also holds with the value 0 (a share that is 0 or at
    /// least the bound).
    fn holds_at_zero(&self) -> bool {
        false
    }
    /// True for `min_*` rows (a lower bound on the row's value).
    fn is_lower_bound(&self) -> bool {
        self.sense() == Sense::AtLeast
    }
    /// True for exclusions (they have no bound).
    fn is_exclusion(&self) -> bool {
        self.sense() == Sense::Excludes
    }
    /// True for rows whose bound is a count of offers or countries.
    fn is_count(&self) -> bool {
        self.domain() == BoundDomain::Count
    }
}

/// A handle to one rule of the registry: what a policy row holds. Copy, compared and
/// hashed by name, ordered as in [`ALL`]; it dereferences to the [`Rule`]. One word: a
/// reference to the rule's `&dyn Rule` (a 1M-offer model holds a handle in each of its
/// million row instances and their results, where a fat pointer cost 35 MB more).
#[derive(Clone, Copy)]
pub struct Kind(pub &'static &'static dyn Rule);

impl Kind {
    /// The rule named `name` in constraints.csv.
    pub fn from_name(name: &str) -> Option<Kind> {
        ALL.iter().copied().find(|k| k.name() == name)
    }

    /// Position in [`ALL`].
    pub fn index(self) -> usize {
        ALL.iter()
            .position(|k| k.name() == self.name())
            .unwrap_or(ALL.len())
    }

    /// A shadow price (d cost / d bound) converted to cost per point of the bound (see
    /// [`Rule::point`]: the exact derivative is per unit of the bound as written, a share
    /// from 0 to 1, so a cap's price per whole unit is a hundred times one percentage
    /// point's); `None` when there is no shadow price or the rule has no bound.
    pub fn per_point(self, shadow_price: Option<f64>) -> Option<f64> {
        Some(shadow_price? * self.point()?.size)
    }
}

impl std::ops::Deref for Kind {
    type Target = dyn Rule;
    fn deref(&self) -> &(dyn Rule + 'static) {
        *self.0
    }
}

impl PartialEq for Kind {
    fn eq(&self, other: &Kind) -> bool {
        self.name() == other.name()
    }
}

impl Eq for Kind {}

impl PartialOrd for Kind {
    fn partial_cmp(&self, other: &Kind) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Kind {
    fn cmp(&self, other: &Kind) -> std::cmp::Ordering {
        self.index().cmp(&other.index())
    }
}

impl std::hash::Hash for Kind {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.name().hash(state)
    }
}

impl std::fmt::Debug for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// What a policy row's target column names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetKind {
    /// Nothing: the column must be empty.
    None,
    /// A country code or `*` (one row per country offering the mineral).
    CountryOrAll,
    /// A country code.
    Country,
    /// A supplier id or `*` (one row per offer of the mineral).
    SupplierOrAll,
    /// A supplier id.
    Supplier,
    /// A group tag.
    Group,
    /// A whole number of countries k ≥ 1.
    Top,
    /// A country code or a group tag: the states controlling suppliers.
    CountryOrGroup,
}

/// The domain of a rule's bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoundDomain {
    /// A share in [0, 1].
    Fraction,
    /// Any finite number ≥ 0.
    NonNegative,
    /// A whole number ≥ 0.
    Count,
    /// No bound (exclusions): the column is ignored.
    None,
}

/// Which side of its bound a rule keeps its value on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sense {
    /// value ≤ bound.
    AtMost,
    /// value ≥ bound.
    AtLeast,
    /// No purchases at all from the target (value = 0).
    Excludes,
}

/// How a rule enters a block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    /// A row of the block ([`Rule::terms`]).
    Row,
    /// The upper bound of each member offer's own variable (supplier caps fold there).
    OfferBound,
    /// The member offers get no variable.
    RemovesOffers,
}

/// "the 50% cap on CHN": a share rule's bound and name together, the words most rules
/// use for [`Rule::rule_with_bound`].
pub(crate) fn bounded_rule(rule: &dyn Rule, target: &str, bound: f64) -> String {
    format!("the {} {}", rule.bound_text(bound), rule.rule_name(target))
}

/// A metric of summary.csv that a rule caps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SummaryMetric {
    /// Σ_c (q_c / D)².
    Hhi,
    /// Σ_c risk_c (q_c / D)².
    RiskHhi,
    /// Σ risk · x / D.
    AvgRisk,
}

/// What cleaning must not tip past its limit (see `solve::clean::guard`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CleanMeasure {
    /// Σ members ≤ bound.
    AtMost,
    /// Σ members ≥ bound.
    AtLeast,
    /// Σ risk · x ≤ bound.
    AvgRisk,
    /// Σ_c q_c² ≤ bound.
    Hhi,
    /// Σ_c risk_c q_c² ≤ bound.
    RiskHhi,
    /// The sum of the k largest country totals ≤ bound.
    TopShare(usize),
}

/// How much of its bound one "point" of a rule is, and what it is called.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// The step in the bound's own units: 0.01 for shares, average risk and HHI (100
    /// points on the 0–10,000 scale), 1 for counts.
    pub size: f64,
    /// The step in words, as in "costs 604 per percentage point".
    pub words: &'static str,
}

impl Point {
    /// One percentage point of demand: the point of every share rule.
    pub const PERCENTAGE: Point = Point {
        size: 0.01,
        words: "percentage point",
    };
}

/// A family of policy rules, removed together in a `without_<family>` case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    /// `max_country_share`.
    CountryCaps,
    /// `max_supplier_share`.
    SupplierCaps,
    /// `min_group_share`, `max_group_share`.
    GroupShares,
    /// `max_avg_risk`.
    RiskBudget,
    /// `max_hhi`, `max_risk_hhi`.
    Concentration,
    /// `max_top_share`.
    TopShares,
    /// `min_suppliers`, `max_suppliers`, `min_countries`.
    Counts,
    /// `exclude_country`, `exclude_supplier`, `exclude_controlled`.
    Exclusions,
    /// `min_supplier_share_if_used`, `min_country_share_if_used`.
    SharesIfUsed,
    /// `min_stock_days`.
    StockDays,
    /// `min_value_share`, `max_value_share`.
    ValueShares,
}

impl Family {
    /// Every family, in the order of policy.csv.
    pub const ALL: [Family; 11] = [
        Family::CountryCaps,
        Family::SupplierCaps,
        Family::GroupShares,
        Family::RiskBudget,
        Family::Concentration,
        Family::TopShares,
        Family::Counts,
        Family::Exclusions,
        Family::SharesIfUsed,
        Family::StockDays,
        Family::ValueShares,
    ];

    /// The name in `without_<family>`.
    pub fn name(self) -> &'static str {
        match self {
            Family::CountryCaps => "country_caps",
            Family::SupplierCaps => "supplier_caps",
            Family::GroupShares => "group_shares",
            Family::RiskBudget => "risk_budget",
            Family::Concentration => "concentration",
            Family::TopShares => "top_shares",
            Family::Counts => "counts",
            Family::Exclusions => "exclusions",
            Family::SharesIfUsed => "shares_if_used",
            Family::StockDays => "stock_days",
            Family::ValueShares => "value_shares",
        }
    }

    /// The family in words, with the verb that agrees with it: ("the country caps", "cost").
    pub fn words(self) -> (&'static str, &'static str) {
        match self {
            Family::CountryCaps => ("the country caps", "cost"),
            Family::SupplierCaps => ("the supplier caps", "cost"),
            Family::GroupShares => ("the group share rules", "cost"),
            Family::RiskBudget => ("the risk budget", "costs"),
            Family::Concentration => ("the concentration (HHI) caps", "cost"),
            Family::TopShares => ("the caps on the largest country shares", "cost"),
            Family::Counts => ("the supplier and country counts", "cost"),
            Family::Exclusions => ("the exclusions", "cost"),
            Family::SharesIfUsed => ("the minimum shares of the targets used", "cost"),
            Family::StockDays => ("the minimum stock (days of demand)", "costs"),
            Family::ValueShares => ("the value-share rules", "cost"),
        }
    }
}

#[cfg(test)]
mod tests;
