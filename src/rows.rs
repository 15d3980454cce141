//! Policy rows expanded per mineral (a `*` mineral or target gives one instance per
//! mineral and per target), and their value on a plan. Shared by formulation, reports
//! and diagnosis so every number traces back to one line of constraints.csv.

use crate::model::{Model, PolicyKind, Target};

/// What one expanded row applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InstanceTarget {
    /// No target (risk, HHI and count rows).
    None,
    /// One country (index into `Model::countries`).
    Country(usize),
    /// One supplier id.
    Supplier(String),
    /// One group (index into `Model::groups`).
    Group(usize),
}

/// One policy row applied to one mineral and one target.
#[derive(Debug, Clone, PartialEq)]
pub struct RowInstance {
    /// Index into `Model::policy`.
    pub policy: usize,
    /// The rule (copied from the policy row).
    pub kind: PolicyKind,
    /// Index into `Model::minerals`.
    pub mineral: usize,
    /// The target.
    pub target: InstanceTarget,
    /// The bound.
    pub bound: f64,
}

impl RowInstance {
    /// The target as written in reports: a country code, supplier id, group tag or "".
    pub fn target_label<'m>(&'m self, model: &'m Model) -> &'m str {
        match &self.target {
            InstanceTarget::None => "",
            InstanceTarget::Country(c) => &model.countries[*c].code,
            InstanceTarget::Supplier(s) => s,
            InstanceTarget::Group(g) => &model.groups[*g],
        }
    }

    /// True when offer `i` (global index) is in the row's sum.
    pub fn covers(&self, model: &Model, i: usize) -> bool {
        let o = &model.offers[i];
        match &self.target {
            InstanceTarget::None => true,
            InstanceTarget::Country(c) => o.country == *c,
            InstanceTarget::Supplier(s) => o.supplier == *s,
            InstanceTarget::Group(g) => model.countries[o.country].groups.contains(g),
        }
    }
}

/// The policy rows of mineral `m`, expanded, in file order; `*` targets in country-code
/// or offer order.
pub fn expand(model: &Model, m: usize) -> Vec<RowInstance> {
    let mut out = Vec::new();
    let range = model.minerals[m].offers.clone();
    for (p, row) in model.policy.iter().enumerate() {
        if !row.applies_to(m) {
            continue;
        }
        let mut push = |target| {
            out.push(RowInstance {
                policy: p,
                kind: row.kind,
                mineral: m,
                target,
                bound: row.bound,
            })
        };
        match (&row.target, row.kind) {
            (Target::Each, PolicyKind::MaxCountryShare) => {
                let mut cs: Vec<usize> = model.offers[range.clone()]
                    .iter()
                    .map(|o| o.country)
                    .collect();
                cs.sort_unstable();
                cs.dedup();
                for c in cs {
                    push(InstanceTarget::Country(c));
                }
            }
            (Target::Each, _) => {
                for o in &model.offers[range.clone()] {
                    push(InstanceTarget::Supplier(o.supplier.clone()));
                }
            }
            (Target::None, _) => push(InstanceTarget::None),
            (Target::Country(c), _) => push(InstanceTarget::Country(*c)),
            (Target::Supplier(s), _) => push(InstanceTarget::Supplier(s.clone())),
            (Target::Group(g), _) => push(InstanceTarget::Group(*g)),
        }
    }
    out
}

/// Quantities of one mineral's plan, as the rows see them.
pub struct MineralPlan<'a> {
    /// Model.
    pub model: &'a Model,
    /// Mineral index.
    pub mineral: usize,
    /// Quantity per offer of the mineral (indexed from the mineral's first offer).
    pub quantities: &'a [f64],
}

impl MineralPlan<'_> {
    /// Quantity bought per country (indexed by country), in real units.
    pub fn by_country(&self) -> Vec<f64> {
        let mut q = vec![0.0; self.model.countries.len()];
        let start = self.model.minerals[self.mineral].offers.start;
        for (k, &x) in self.quantities.iter().enumerate() {
            q[self.model.offers[start + k].country] += x;
        }
        q
    }

    /// The row's left-hand side in the bound's units (a share, an index, a count).
    pub fn value(&self, row: &RowInstance) -> f64 {
        let model = self.model;
        let d = model.minerals[self.mineral].demand;
        let start = model.minerals[self.mineral].offers.start;
        let covered = || {
            self.quantities
                .iter()
                .enumerate()
                .filter(move |(k, _)| row.covers(model, start + k))
                .map(|(_, &x)| x)
        };
        match row.kind {
            PolicyKind::MaxCountryShare
            | PolicyKind::MaxSupplierShare
            | PolicyKind::MinGroupShare
            | PolicyKind::MaxGroupShare
            | PolicyKind::ExcludeCountry
            | PolicyKind::ExcludeSupplier => covered().sum::<f64>() / d,
            PolicyKind::MaxAvgRisk => {
                self.quantities
                    .iter()
                    .enumerate()
                    .map(|(k, &x)| model.countries[model.offers[start + k].country].risk * x)
                    .sum::<f64>()
                    / d
            }
            PolicyKind::MaxHhi => self.by_country().iter().map(|q| (q / d).powi(2)).sum(),
            PolicyKind::MaxRiskHhi => self
                .by_country()
                .iter()
                .zip(&model.countries)
                .map(|(q, c)| c.risk * (q / d).powi(2))
                .sum(),
            PolicyKind::MinSuppliers | PolicyKind::MaxSuppliers => {
                self.quantities.iter().filter(|&&x| x > 0.0).count() as f64
            }
            PolicyKind::MinCountries => {
                self.by_country().iter().filter(|&&q| q > 0.0).count() as f64
            }
        }
    }
}
