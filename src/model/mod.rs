//! The validated model: minerals, offers, countries and policy rows, with every
//! cross-reference resolved to an index. Nothing here needs re-checking downstream, and
//! nothing changes it once read: disruption scenarios and the reader's warnings travel
//! beside it ([`crate::input::Loaded`]).

use std::ops::Range;

pub mod coupling;
pub mod name;
pub mod parts;
pub mod soft;
pub mod stages;
pub mod tiers;

use crate::model::name::Name;
pub use crate::model::soft::Soft;
use crate::model::stages::Stages;
use crate::model::tiers::Tiers;
use crate::policy::Kind;

/// A validated sourcing model (SPEC §1).
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// Minerals, sorted by key (lower-case name).
    pub minerals: Vec<Mineral>,
    /// Offers, grouped by mineral (see [`Mineral::offers`]), in file order within one.
    pub offers: Vec<Offer>,
    /// Countries named anywhere, sorted by code.
    pub countries: Vec<Country>,
    /// Group tags named anywhere, sorted.
    pub groups: Vec<Name>,
    /// Policy rows in file order.
    pub policy: Vec<PolicyRow>,
    /// Bundles and lot discounts (bundles.csv, discounts.csv); empty without them.
    pub coupling: coupling::Coupling,
    /// The supply-chain stages and the offers' chains (empty without stage columns).
    pub stages: Stages,
}

/// One mineral with its demand.
#[derive(Debug, Clone, PartialEq)]
pub struct Mineral {
    /// Name as written in demand.csv.
    pub name: Name,
    /// Demand D_m (> 0).
    pub demand: f64,
    /// Cost per unit left unsourced; `None` means demand must be met in full.
    pub unmet_penalty: Option<f64>,
    /// The offers of this mineral: `model.offers[offers]`.
    pub offers: Range<usize>,
    /// Line in demand.csv.
    pub line: u64,
    /// The stockpile, when demand.csv has stock columns (see [`Stock`]).
    pub stock: Option<Stock>,
}

/// A mineral's stockpile (demand.csv's `stock_on_hand`, `holding_cost`, `stock_cap`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stock {
    /// S0: the stock held at the start of the year (≥ 0).
    pub on_hand: f64,
    /// h: cost per unit of stock held over the year (≥ 0).
    pub holding_cost: f64,
    /// Most the stock may hold (≥ `on_hand`); `None`: no cap.
    pub cap: Option<f64>,
}

impl Mineral {
    /// b: the stock a plan contracting `contracted` builds, what it buys above demand (a
    /// rounding excess within the feasibility tolerance is none); 0 without stock.
    pub fn stock_built(&self, contracted: f64) -> f64 {
        let over = contracted - self.demand;
        if self.stock.is_some() && over > crate::tolerance::FEASIBILITY * self.demand {
            over
        } else {
            0.0
        }
    }

    /// h · S: what holding the stock costs a plan contracting `contracted` (S = on hand
    /// plus built); 0 without stock.
    pub fn holding_cost(&self, contracted: f64) -> f64 {
        self.stock.map_or(0.0, |s| {
            s.holding_cost * (s.on_hand + self.stock_built(contracted))
        })
    }

    /// Most the plan can add to the stock in a year: the cap less the stock on hand, or
    /// one year's demand without a cap; 0 without stock.
    pub fn stock_room(&self) -> f64 {
        match self.stock {
            Some(s) => s.cap.map_or(self.demand, |c| (c - s.on_hand).max(0.0)),
            None => 0.0,
        }
    }
}

/// One offer: a supplier selling one mineral.
#[derive(Debug, Clone, PartialEq)]
pub struct Offer {
    /// Supplier id.
    pub supplier: Name,
    /// Index into `Model::minerals`.
    pub mineral: usize,
    /// Index into `Model::countries`.
    pub country: usize,
    /// Price per unit (≥ 0).
    pub unit_cost: f64,
    /// Most the offer can supply; `None` = unlimited.
    pub capacity: Option<f64>,
    /// Per-unit logistics cost (≥ 0).
    pub freight: f64,
    /// If used, at least this much (≥ 0).
    pub min_order: f64,
    /// Paid once if used (≥ 0).
    pub fixed_cost: f64,
    /// Landed unit cost: unit_cost · (1 + tariff) + freight.
    pub landed_cost: f64,
    /// Line in suppliers.csv.
    pub line: u64,
    /// Price tiers from tiers.csv, when the offer has some.
    pub tiers: Option<Box<Tiers>>,
}

impl Offer {
    /// The landed purchase cost of quantity `x` (its tiers' cost when it has tiers;
    /// fixed cost not included).
    pub fn purchase_cost(&self, x: f64) -> f64 {
        match &self.tiers {
            Some(t) => t.cost(x),
            None => x * self.landed_cost,
        }
    }

    /// The average landed unit cost paid for quantity `x > 0` (the landed cost without
    /// tiers).
    pub fn average_cost(&self, x: f64) -> f64 {
        match &self.tiers {
            Some(t) if x > 0.0 => t.cost(x) / x,
            _ => self.landed_cost,
        }
    }
}

/// A country with its risk attributes.
#[derive(Debug, Clone, PartialEq)]
pub struct Country {
    /// ISO 3166-1 alpha-3 code, upper case.
    pub code: Name,
    /// Geopolitical supply risk (≥ 0; 0 without countries.csv).
    pub risk: f64,
    /// Indices into `Model::groups`, sorted.
    pub groups: Vec<usize>,
    /// Ad-valorem duty as a fraction.
    pub tariff: f64,
    /// Yearly probability of an export disruption, if given.
    pub disruption_prob: Option<f64>,
    /// Line in countries.csv, if the country is listed there.
    pub line: Option<u64>,
}

/// Which minerals a policy row applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MineralScope {
    /// `*`: each mineral separately.
    Each,
    /// One mineral (index into `Model::minerals`).
    One(usize),
}

/// A supplier id named by a policy row or a shock, with its offers resolved when the
/// model is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupplierRef {
    /// The supplier id.
    pub name: Name,
    /// Indices into `Model::offers` of its offers (at most one per mineral), ascending.
    pub offers: Vec<usize>,
}

/// The target of a policy row, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// No target.
    None,
    /// `*` for countries or suppliers: each one offering the mineral.
    Each,
    /// One country (index into `Model::countries`).
    Country(usize),
    /// One supplier, with its offers.
    Supplier(SupplierRef),
    /// One group (index into `Model::groups`).
    Group(usize),
    /// A number of countries k ≥ 1 (`max_top_share`: the k largest country shares).
    Top(usize),
}

/// One row of constraints.csv, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyRow {
    /// The rule (a handle into [`crate::policy::ALL`]).
    pub kind: Kind,
    /// The minerals it applies to.
    pub mineral: MineralScope,
    /// What it applies to.
    pub target: Target,
    /// The bound (a share, an index value or a count); 0 for exclusions.
    pub bound: f64,
    /// Line in constraints.csv.
    pub line: u64,
    /// Whether and how the row may give way (`penalty`, `priority`); hard by default.
    pub soft: Soft,
    /// The stage it applies at (constraints.csv's `stage` column).
    pub stage: StageScope,
}

/// Where a policy row applies along the chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StageScope {
    /// The shipping country (an empty `stage` cell).
    #[default]
    Shipping,
    /// One stage (index into `Stages::names`).
    At(usize),
    /// `any`: the shipping country and every stage, one row each.
    Any,
}

impl StageScope {
    /// The stages the row applies at (`None`: the shipping country), for a model with
    /// `stages` stages.
    pub fn stages(self, stages: usize) -> Vec<Option<usize>> {
        match self {
            StageScope::Shipping => vec![None],
            StageScope::At(s) => vec![Some(s)],
            StageScope::Any => std::iter::once(None).chain((0..stages).map(Some)).collect(),
        }
    }
}

/// One disruption scenario: a named set of shocks with a probability.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// Scenario name.
    pub name: String,
    /// Probability (the same on each of its rows).
    pub probability: f64,
    /// The shocks, in file order.
    pub shocks: Vec<Shock>,
}

/// One row of scenarios.csv: factors applied to every offer it matches.
#[derive(Debug, Clone, PartialEq)]
pub struct Shock {
    /// Mineral matched, or all.
    pub mineral: Option<usize>,
    /// Country matched, or all.
    pub country: Option<usize>,
    /// The stage at which `country` is matched (an index into `Stages::names`), or `None`
    /// for the shipping country; see [`crate::analysis::stage_shocks`].
    pub stage: Option<usize>,
    /// Supplier matched (with its offers), or all.
    pub supplier: Option<SupplierRef>,
    /// Scales what an offer can deliver (≥ 0).
    pub capacity_factor: f64,
    /// Scales an offer's unit cost (> 0).
    pub price_factor: f64,
    /// Line in scenarios.csv.
    pub line: u64,
}

impl Model {
    /// True when demand.csv has stock columns (the stock reports and columns appear).
    pub fn has_stock(&self) -> bool {
        self.minerals.iter().any(|m| m.stock.is_some())
    }

    /// The offers of mineral `m`.
    pub fn offers_of(&self, m: usize) -> &[Offer] {
        &self.offers[self.minerals[m].offers.clone()]
    }

    /// True when some policy row names a penalty or a priority (constraints.csv then
    /// reports violations).
    pub fn has_soft_rows(&self) -> bool {
        self.policy.iter().any(|r| r.soft.is_used())
    }

    /// Total finite capacity of mineral `m`, or `None` when some offer is unlimited.
    pub fn capacity_of(&self, m: usize) -> Option<f64> {
        self.offers_of(m).iter().map(|o| o.capacity).sum()
    }
}

impl PolicyRow {
    /// True when the row applies to mineral `m`.
    pub fn applies_to(&self, m: usize) -> bool {
        match self.mineral {
            MineralScope::Each => true,
            MineralScope::One(k) => k == m,
        }
    }
}
