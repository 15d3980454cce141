//! Parallel columns of a block: the offers of one country, and each country's cost curve.
//!
//! In a continuous block every row a policy states has one coefficient for all offers of
//! a country (supplier caps and exclusions only change an offer's own bounds). Offers of
//! one country are then parallel columns, and any quantity q of the country is bought
//! cheapest first: the country's cost is the convex piecewise-linear f(q) whose segments
//! are its offers sorted by cost. [`Groups::of`] finds the groups and checks that the
//! columns really are parallel, so a formulation that breaks the premise is never
//! aggregated.

use std::collections::BTreeMap;

use crate::engine::lp::Sense;
use crate::formulate::{Block, RowTag};
use crate::model::Model;

/// No group (a variable that is not an offer).
const NONE: u32 = u32::MAX;

/// The offers of one country in one block, sorted cheapest first.
#[derive(Debug, Clone)]
pub(crate) struct Group {
    /// Block variables of the offers, cheapest first (ties in variable order, which is
    /// file order).
    pub vars: Vec<u32>,
    /// Their costs (block units), non-decreasing.
    pub cost: Vec<f64>,
    /// Their upper bounds (block units; may be infinite).
    pub upper: Vec<f64>,
    /// Cumulative quantity before each offer, with each bound capped at `limit`
    /// (`vars.len() + 1` entries, so `quantity[k]..quantity[k + 1]` is offer k's segment).
    pub quantity: Vec<f64>,
    /// Cumulative cost at each entry of `quantity`.
    pub spend: Vec<f64>,
    /// Most the country can supply in any plan (the demand row's bound).
    pub limit: f64,
    /// The common column: (row, coefficient) for every row the offers appear in.
    pub column: Vec<(usize, f64)>,
}

impl Group {
    /// Number of offers.
    pub fn len(&self) -> usize {
        self.vars.len()
    }

    /// The segment holding quantity `q`: the first offer whose segment reaches `q`
    /// (at a breakpoint, the offer just filled).
    pub fn segment(&self, q: f64) -> usize {
        self.quantity[1..]
            .partition_point(|&c| c < q)
            .min(self.len().saturating_sub(1))
    }

    /// f(q): the cost of buying `q` cheapest first (q within the curve).
    pub fn curve(&self, q: f64) -> f64 {
        let k = self.segment(q);
        self.spend[k] + self.cost[k] * (q - self.quantity[k])
    }

    /// The last offer that may ever be filled to its bound in a plan: offers before the
    /// one whose segment reaches `limit`.
    pub fn last_full(&self) -> usize {
        self.segment(self.limit)
    }

    /// Quantities of the offers when `q` is bought cheapest first.
    pub fn fill(&self, q: f64) -> impl Iterator<Item = (usize, f64)> + '_ {
        let mut left = q.max(0.0);
        self.vars.iter().zip(&self.upper).map(move |(&v, &u)| {
            let take = left.min(u);
            left -= take;
            (v as usize, take)
        })
    }
}

/// The groups of a block, and which group each variable belongs to.
#[derive(Debug, Clone)]
pub(crate) struct Groups {
    /// One group per country with offers, in country order.
    pub groups: Vec<Group>,
    /// Per block variable: its group, or [`NONE`].
    group_of: Vec<u32>,
}

impl Groups {
    /// The group of block variable `j`, if it is an offer.
    pub fn group_of(&self, j: usize) -> Option<usize> {
        let g = self.group_of[j];
        (g != NONE).then_some(g as usize)
    }

    /// Groups the offers of a continuous `block` by country, or `None` when the block
    /// does not have the parallel structure (a rule that does not treat the offers of a
    /// country alike, `policy::Rule::country_alike`; integer variables, price tiers, an offer with a positive
    /// lower bound, two offers of one country with different coefficients in some row,
    /// no demand row).
    pub fn of(model: &Model, block: &Block) -> Option<Groups> {
        let lp = &block.lp;
        let alike = block.instances.iter().all(|i| i.kind.country_alike());
        // A tiered offer's cost is its own curve: offers of its country differ.
        if lp.has_integers() || !alike || !block.tiers.is_empty() {
            return None;
        }
        let offers = model.offers_of(block.mineral);
        // Offers of one country with the same chain (the same mix at every stage, the same
        // controlling state) are alike in every rule: one class each.
        let class = |k: usize| (offers[k].country, model.stages.chain_id(&offers[k]));
        let mut index: BTreeMap<(usize, u32), u32> = BTreeMap::new();
        for (k, v) in block.offer_var.iter().enumerate() {
            if v.is_some() {
                index.entry(class(k)).or_insert(0);
            }
        }
        for (g, slot) in index.values_mut().enumerate() {
            *slot = g as u32;
        }
        let mut group_of = vec![NONE; lp.vars.len()];
        let mut members: Vec<Vec<u32>> = vec![Vec::new(); index.len()];
        for (k, v) in block.offer_var.iter().enumerate() {
            if let Some(v) = *v {
                let g = index[&class(k)];
                if lp.vars[v].lower != 0.0 || lp.vars[v].upper < 0.0 {
                    return None;
                }
                group_of[v] = g;
                members[g as usize].push(v as u32);
            }
        }
        let columns = common_columns(block, &group_of, &members)?;
        let demand = lp.rows.iter().position(|r| r.tag == RowTag::Demand)?;
        let row = &lp.rows[demand];
        if row.sense != Sense::Eq || row.rhs.is_nan() || row.rhs <= 0.0 {
            return None;
        }
        let groups = members
            .into_iter()
            .zip(columns)
            .map(|(vars, column)| {
                let coef = column.iter().find(|&&(r, _)| r == demand)?.1;
                (coef > 0.0).then(|| curve(block, vars, column, row.rhs / coef))
            })
            .collect::<Option<Vec<Group>>>()?;
        Some(Groups { groups, group_of })
    }
}

/// For each group, its common column; `None` when some row gives two offers of one group
/// different coefficients, or covers only part of a group.
fn common_columns(
    block: &Block,
    group_of: &[u32],
    members: &[Vec<u32>],
) -> Option<Vec<Vec<(usize, f64)>>> {
    let n = members.len();
    let mut columns: Vec<Vec<(usize, f64)>> = vec![Vec::new(); n];
    let mut count = vec![0usize; n];
    let mut coef = vec![0.0f64; n];
    let mut touched: Vec<usize> = Vec::new();
    for (r, row) in block.lp.rows.iter().enumerate() {
        for &(j, a) in &row.terms {
            let g = group_of[j];
            if g == NONE {
                continue;
            }
            let g = g as usize;
            if count[g] == 0 {
                touched.push(g);
                coef[g] = a;
            } else if coef[g] != a {
                return None;
            }
            count[g] += 1;
        }
        for &g in &touched {
            if count[g] != members[g].len() {
                return None;
            }
            columns[g].push((r, coef[g]));
            count[g] = 0;
        }
        touched.clear();
    }
    Some(columns)
}

/// The cost curve of one group: its offers sorted by cost (ties in variable order).
fn curve(block: &Block, mut vars: Vec<u32>, column: Vec<(usize, f64)>, limit: f64) -> Group {
    let lp = &block.lp;
    vars.sort_by(|&a, &b| {
        lp.vars[a as usize]
            .cost
            .total_cmp(&lp.vars[b as usize].cost)
            .then(a.cmp(&b))
    });
    let cost: Vec<f64> = vars.iter().map(|&v| lp.vars[v as usize].cost).collect();
    let upper: Vec<f64> = vars.iter().map(|&v| lp.vars[v as usize].upper).collect();
    let mut quantity = Vec::with_capacity(vars.len() + 1);
    let mut spend = Vec::with_capacity(vars.len() + 1);
    let (mut q, mut f) = (0.0f64, 0.0f64);
    quantity.push(q);
    spend.push(f);
    for (&c, &u) in cost.iter().zip(&upper) {
        // Past `limit` no plan goes; capping keeps every entry finite.
        let step = u.min(limit - q).max(0.0);
        q += step;
        f += c * step;
        quantity.push(q);
        spend.push(f);
    }
    Group {
        vars,
        cost,
        upper,
        quantity,
        spend,
        limit,
        column,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formulate::formulate;
    use crate::input::{parse_model, ModelFiles};

    fn model(suppliers: &str, constraints: &str) -> Model {
        let files = ModelFiles::from_memory(&[
            ("suppliers.csv", suppliers.as_bytes()),
            ("demand.csv", b"mineral,quantity\nm,100\n"),
            ("constraints.csv", constraints.as_bytes()),
        ]);
        parse_model(&files).expect("model loads")
    }

    #[test]
    fn offers_of_a_country_are_one_group_sorted_cheapest_first_ties_in_file_order() {
        let m = model(
            "supplier,mineral,country,unit_cost,capacity\na,m,AUS,5,10\nb,m,CHN,2,\nc,m,AUS,3,20\nd,m,AUS,5,30\n",
            "constraint,mineral,target,bound\nmax_country_share,m,*,0.8\n",
        );
        let block = formulate(&m, 0).unwrap();
        let g = Groups::of(&m, &block).expect("parallel columns");
        assert_eq!(g.groups.len(), 2);
        let aus = &g.groups[0];
        let var = |k: usize| block.offer_var[k].unwrap() as u32;
        assert_eq!(aus.vars, vec![var(2), var(0), var(3)]);
        // Shares of demand 100: 0.2 at 3, then 0.1 and 0.3 at 5.
        let p = block.cost_scale;
        assert!((aus.quantity[3] - 0.6).abs() < 1e-15);
        assert!((aus.curve(0.25) * p - (0.2 * 3.0 + 0.05 * 5.0)).abs() < 1e-12);
        let fill: Vec<f64> = aus.fill(0.25).map(|(_, x)| x).collect();
        assert_eq!(fill.len(), 3);
        assert_eq!(fill[0], 0.2);
        assert!((fill[1] - 0.05).abs() < 1e-15 && fill[2] == 0.0);
        // CHN's single offer is unlimited: its curve is capped at the demand.
        assert_eq!(g.groups[1].quantity, vec![0.0, 1.0]);
        assert_eq!(g.groups[1].segment(1.0), 0);
        assert_eq!(aus.segment(0.2), 0);
        assert_eq!(aus.segment(0.2000001), 1);
    }

    #[test]
    fn a_top_share_cap_keeps_the_offers_of_a_country_parallel() {
        let m = model(
            "supplier,mineral,country,unit_cost,capacity\na,m,AUS,5,10\nb,m,CHN,2,\nc,m,AUS,3,20\n",
            "constraint,mineral,target,bound\nmax_top_share,m,1,0.7\n",
        );
        let block = formulate(&m, 0).unwrap();
        let g = Groups::of(&m, &block).expect("parallel columns");
        assert_eq!(g.groups.len(), 2);
        // AUS's column: the demand row and its own excess row v + t − Σ x ≥ 0.
        assert_eq!(g.groups[0].column.len(), 2);
        assert!(g.groups[0].column.iter().any(|&(_, a)| a == -1.0));
    }

    #[test]
    fn integer_rules_are_not_aggregated() {
        let m = model(
            "supplier,mineral,country,unit_cost,capacity,min_order\na,m,AUS,5,10,2\nb,m,AUS,4,100,\n",
            "constraint,mineral,target,bound\n",
        );
        let block = formulate(&m, 0).unwrap();
        assert!(Groups::of(&m, &block).is_none());
    }
}
