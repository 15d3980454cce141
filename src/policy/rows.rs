//! Policy rows expanded per mineral (a `*` mineral or target gives one instance per
//! mineral and per target), and their value on a plan. Shared by formulation, reports
//! and diagnosis so every number traces back to one line of constraints.csv.

use std::collections::BTreeMap;

use crate::model::name::Name;
use crate::model::{Model, Target};
use crate::policy::{Kind, TargetKind};

/// What one expanded row applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InstanceTarget {
    /// No target (risk, HHI and count rows).
    None,
    /// One country (index into `Model::countries`).
    Country(usize),
    /// One supplier id.
    Supplier(Name),
    /// One group (index into `Model::groups`).
    Group(usize),
    /// The k largest country shares, with k as written.
    Top(usize, Name),
}

/// One policy row applied to one mineral and one target.
#[derive(Debug, Clone, PartialEq)]
pub struct RowInstance {
    /// Index into `Model::policy`.
    pub policy: usize,
    /// The rule (copied from the policy row).
    pub kind: Kind,
    /// Index into `Model::minerals`.
    pub mineral: usize,
    /// The target.
    pub target: InstanceTarget,
    /// The bound.
    pub bound: f64,
    /// The offers in the row's sum: local indices within the mineral, ascending.
    pub members: Vec<usize>,
    /// The stage the row applies at (`None`: the shipping country).
    pub stage: Option<usize>,
}

impl RowInstance {
    /// The distance of `value` (the row's left-hand side) to the bound on the allowed
    /// side: positive inside, negative past it.
    pub fn slack(&self, value: f64) -> f64 {
        if self.kind.is_lower_bound() {
            value - self.bound
        } else {
            self.bound - value
        }
    }

    /// The sense of the row in an LP: ≥ for a lower bound (`min_*`), ≤ otherwise.
    pub fn lp_sense(&self) -> crate::engine::lp::Sense {
        if self.kind.is_lower_bound() {
            crate::engine::lp::Sense::Ge
        } else {
            crate::engine::lp::Sense::Le
        }
    }

    /// The coefficient of `offer` in the row's sum: the fraction of it passing through
    /// the target's countries at the row's stage (1 at the shipping country, where
    /// members are whole offers; 1 for rows over every offer).
    pub fn coefficient(&self, model: &Model, offer: &crate::model::Offer) -> f64 {
        let Some(s) = self.stage else {
            return 1.0;
        };
        match &self.target {
            InstanceTarget::Country(c) => model.stages.fraction(offer, Some(s), *c),
            InstanceTarget::Group(g) => model
                .stages
                .mix(offer, Some(s))
                .filter(|&(c, _)| model.countries[c].groups.contains(g))
                .map(|(_, f)| f)
                .sum(),
            InstanceTarget::None | InstanceTarget::Supplier(_) | InstanceTarget::Top(..) => 1.0,
        }
    }

    /// The target as written in reports: a country code, supplier id, group tag or "".
    pub fn target_label<'m>(&'m self, model: &'m Model) -> &'m str {
        match &self.target {
            InstanceTarget::None => "",
            InstanceTarget::Country(c) => &model.countries[*c].code,
            InstanceTarget::Supplier(s) => s,
            InstanceTarget::Group(g) => &model.groups[*g],
            InstanceTarget::Top(_, label) => label,
        }
    }

    /// [`RowInstance::target_label`] as a shared [`Name`].
    pub fn target_name(&self, model: &Model) -> Name {
        match &self.target {
            InstanceTarget::None => Name::default(),
            InstanceTarget::Country(c) => model.countries[*c].code.clone(),
            InstanceTarget::Supplier(s) => s.clone(),
            InstanceTarget::Group(g) => model.groups[*g].clone(),
            InstanceTarget::Top(_, label) => label.clone(),
        }
    }
}

/// The policy rows of mineral `m`, expanded, in file order; `*` targets in country-code
/// or offer order. Member lists are built from indices, so expansion is linear in the
/// number of offers and instances.
pub fn expand(model: &Model, m: usize) -> Vec<RowInstance> {
    let range = model.minerals[m].offers.clone();
    let offers = &model.offers[range.clone()];
    let mut by_country: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (j, o) in offers.iter().enumerate() {
        by_country.entry(o.country).or_default().push(j);
    }
    let stages = model.stages.names.len();
    let mut at_stage: Vec<Option<BTreeMap<usize, Vec<usize>>>> = vec![None; stages];
    let mut out = Vec::new();
    for (p, row) in model.policy.iter().enumerate() {
        if !row.applies_to(m) {
            continue;
        }
        for stage in row.stage.stages(stages) {
            let by_country = match stage {
                None => &by_country,
                Some(s) => &*at_stage[s].get_or_insert_with(|| stage_members(model, m, s)),
            };
            expand_row(model, m, p, stage, by_country, &mut out);
        }
    }
    out
}

/// The offers of mineral `m` passing through each country at stage `s` (local indices).
fn stage_members(model: &Model, m: usize, s: usize) -> BTreeMap<usize, Vec<usize>> {
    let mut by_country: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (j, o) in model.offers_of(m).iter().enumerate() {
        for (c, _) in model.stages.mix(o, Some(s)) {
            by_country.entry(c).or_default().push(j);
        }
    }
    by_country
}

/// The instances of policy row `p` on mineral `m` at `stage`, `by_country` the offers
/// passing through each country there.
fn expand_row(
    model: &Model,
    m: usize,
    p: usize,
    stage: Option<usize>,
    by_country: &BTreeMap<usize, Vec<usize>>,
    out: &mut Vec<RowInstance>,
) {
    let range = model.minerals[m].offers.clone();
    let offers = &model.offers[range.clone()];
    let row = &model.policy[p];
    if row.kind.target_kind() == TargetKind::CountryOrGroup {
        let members = (0..offers.len())
            .filter(|&j| super::controlled::controlled_in(model, &offers[j], &row.target))
            .collect();
        let target = match row.target {
            Target::Group(g) => InstanceTarget::Group(g),
            Target::Country(c) => InstanceTarget::Country(c),
            _ => unreachable!("input resolves a country or a group"),
        };
        out.push(RowInstance {
            policy: p,
            kind: row.kind,
            mineral: m,
            target,
            bound: row.bound,
            members,
            stage,
        });
        return;
    }
    {
        let mut push = |target, members| {
            out.push(RowInstance {
                policy: p,
                kind: row.kind,
                mineral: m,
                target,
                bound: row.bound,
                members,
                stage,
            })
        };
        match &row.target {
            Target::Each => match row.kind.target_kind() {
                TargetKind::CountryOrAll => {
                    for (&c, members) in by_country {
                        push(InstanceTarget::Country(c), members.clone());
                    }
                }
                TargetKind::SupplierOrAll => {
                    for (j, o) in offers.iter().enumerate() {
                        push(InstanceTarget::Supplier(o.supplier.clone()), vec![j]);
                    }
                }
                TargetKind::None
                | TargetKind::Country
                | TargetKind::Supplier
                | TargetKind::Group
                | TargetKind::Top
                | TargetKind::CountryOrGroup => {
                    unreachable!("input accepts * only for targets that may be all")
                }
            },
            Target::None => push(InstanceTarget::None, (0..offers.len()).collect()),
            Target::Top(k) => push(
                InstanceTarget::Top(*k, Name::from(k.to_string())),
                (0..offers.len()).collect(),
            ),
            Target::Country(c) => push(
                InstanceTarget::Country(*c),
                by_country.get(c).cloned().unwrap_or_default(),
            ),
            Target::Supplier(s) => push(
                InstanceTarget::Supplier(s.name.clone()),
                s.offers
                    .iter()
                    .filter(|&&i| range.contains(&i))
                    .map(|&i| i - range.start)
                    .collect(),
            ),
            Target::Group(g) if row.kind.spans_all_offers() => {
                push(InstanceTarget::Group(*g), (0..offers.len()).collect())
            }
            Target::Group(g) => {
                let members = (0..offers.len())
                    .filter(|&j| {
                        model
                            .stages
                            .mix(&offers[j], stage)
                            .any(|(c, _)| model.countries[c].groups.contains(g))
                    })
                    .collect();
                push(InstanceTarget::Group(*g), members)
            }
        }
    }
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
    /// Quantity passing through each country at `stage` (`None`: the shipping
    /// country), q_sc = Σ_i f_isc · x_i, in real units.
    pub fn by_country_at(&self, stage: Option<usize>) -> Vec<f64> {
        if stage.is_none() {
            return self.by_country();
        }
        let mut q = vec![0.0; self.model.countries.len()];
        let start = self.model.minerals[self.mineral].offers.start;
        for (k, &x) in self.quantities.iter().enumerate() {
            for (c, f) in self.model.stages.mix(&self.model.offers[start + k], stage) {
                q[c] += f * x;
            }
        }
        q
    }

    /// Σ_c risk_c · q_sc / D: the average risk at `stage`.
    pub fn avg_risk_at(&self, stage: Option<usize>) -> f64 {
        if stage.is_none() {
            return self.avg_risk();
        }
        let d = self.model.minerals[self.mineral].demand;
        self.by_country_at(stage)
            .iter()
            .zip(&self.model.countries)
            .map(|(q, c)| c.risk * q)
            .sum::<f64>()
            / d
    }

    /// Quantity bought per country (indexed by country), in real units.
    pub fn by_country(&self) -> Vec<f64> {
        let mut q = vec![0.0; self.model.countries.len()];
        let start = self.model.minerals[self.mineral].offers.start;
        for (k, &x) in self.quantities.iter().enumerate() {
            q[self.model.offers[start + k].country] += x;
        }
        q
    }

    /// Σ risk · x / D: the average risk of the mineral's supply.
    pub fn avg_risk(&self) -> f64 {
        let model = self.model;
        let start = model.minerals[self.mineral].offers.start;
        self.quantities
            .iter()
            .enumerate()
            .map(|(k, &x)| model.countries[model.offers[start + k].country].risk * x)
            .sum::<f64>()
            / model.minerals[self.mineral].demand
    }

    /// Σ x over the row's members / D: the share of demand it covers.
    pub fn members_share(&self, row: &RowInstance) -> f64 {
        let d = self.model.minerals[self.mineral].demand;
        if row.stage.is_some() {
            let start = self.model.minerals[self.mineral].offers.start;
            return row
                .members
                .iter()
                .map(|&j| {
                    row.coefficient(self.model, &self.model.offers[start + j]) * self.quantities[j]
                })
                .sum::<f64>()
                / d;
        }
        row.members.iter().map(|&j| self.quantities[j]).sum::<f64>() / d
    }

    /// The row's left-hand side in the bound's units (a share, an index, a count).
    pub fn value(&self, row: &RowInstance) -> f64 {
        row.kind.value(self, row)
    }
}

/// Σ_c (q_c / D)²: the concentration (HHI, 0–1 scale) of quantities `by_country`.
pub fn hhi(by_country: &[f64], d: f64) -> f64 {
    by_country.iter().map(|q| (q / d).powi(2)).sum()
}

/// Σ_c risk_c (q_c / D)²: the risk-weighted concentration of `by_country`.
pub fn risk_hhi(model: &Model, by_country: &[f64], d: f64) -> f64 {
    by_country
        .iter()
        .zip(&model.countries)
        .map(|(q, c)| c.risk * (q / d).powi(2))
        .sum()
}
