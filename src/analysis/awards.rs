//! The bundles and lot discount steps a fixed plan earns (bundles.csv, discounts.csv), for
//! `stress` and `solve --robust`, which take a plan without its decisions.
//!
//! A discount's lots are won by the quantities (each lot at its threshold), so its step
//! is the plan's. The bundles taken are the set that saves most at list prices among
//! those the plan's quantities hold (Σ of the taken bundles' quantities of an offer at
//! most what the plan buys from it): each bundle's saving is its lines' list cost less
//! its landed cost, less the discount its lines' quantities would have earned outside
//! it. `solve` takes such a set at its optimum (any other would cost more), so a plan of
//! `solve` earns what `solve` decided, up to ties of equal saving.

use crate::model::coupling::price_part;
use crate::model::Model;
use crate::solve::coupled::{bundled_quantity, lot_threshold, MineralCoupling};
use crate::tolerance::FEASIBILITY;

/// Search nodes allowed per group of bundles sharing offers; past them the best set
/// found so far is kept (groups of up to 20 bundles are searched in full).
const MAX_NODES: usize = 1 << 20;

/// Per mineral, what the plan `x` (quantity per offer of the model) earns: `None` for
/// the minerals no bundle or discount touches.
pub fn derive(model: &Model, x: &[f64]) -> Vec<Option<MineralCoupling>> {
    let mut out: Vec<Option<MineralCoupling>> = vec![None; model.minerals.len()];
    for group in crate::model::coupling::mineral_groups(model) {
        for m in group {
            out[m] = Some(MineralCoupling::default());
        }
    }
    let fraction = discount_steps(model, x, &mut out);
    for k in chosen_bundles(model, x, &fraction) {
        let b = &model.coupling.bundles[k];
        let mut minerals: Vec<usize> = b
            .lines
            .iter()
            .map(|l| model.offers[l.offer].mineral)
            .collect();
        minerals.sort_unstable();
        minerals.dedup();
        for m in minerals {
            out[m].get_or_insert_with(Default::default).taken.push(k);
        }
    }
    out
}

/// True when the plan buys at least offer `i`'s lot threshold (to the feasibility
/// tolerance of its mineral's demand).
fn reaches(model: &Model, x: &[f64], i: usize) -> bool {
    let demand = model.minerals[model.offers[i].mineral].demand;
    x[i] >= lot_threshold(model, i) - FEASIBILITY * demand
}

/// Records each discount's step and won lots in `out`; returns per offer of the model
/// the fraction off its discount reached (0 for none).
fn discount_steps(model: &Model, x: &[f64], out: &mut [Option<MineralCoupling>]) -> Vec<f64> {
    let mut fraction = vec![0.0; model.offers.len()];
    for (k, disc) in model.coupling.discounts.iter().enumerate() {
        let won: Vec<usize> = disc
            .lots
            .iter()
            .copied()
            .filter(|&i| reaches(model, x, i))
            .collect();
        let Some(step) = disc.reached(won.len()) else {
            continue;
        };
        let mut minerals: Vec<usize> = Vec::new();
        for &i in &disc.lots {
            fraction[i] = disc.steps[step].fraction;
            let m = model.offers[i].mineral;
            let mc = out[m].get_or_insert_with(Default::default);
            if won.contains(&i) {
                mc.won.push(i);
            }
            if !minerals.contains(&m) {
                minerals.push(m);
                mc.steps.push((k, step));
            }
        }
    }
    fraction
}

/// A bundle that may be taken: its index, its saving, its lines (offer, quantity).
struct Candidate {
    bundle: usize,
    saving: f64,
    lines: Vec<(usize, f64)>,
}

/// The bundles taken (ascending): per group of candidates sharing offers, the set of
/// largest saving the quantities hold.
fn chosen_bundles(model: &Model, x: &[f64], fraction: &[f64]) -> Vec<usize> {
    let slack = |i: usize| FEASIBILITY * model.minerals[model.offers[i].mineral].demand;
    let candidates: Vec<Candidate> = model
        .coupling
        .bundles
        .iter()
        .enumerate()
        .map(|(k, b)| Candidate {
            bundle: k,
            saving: b.list_cost(model)
                - b.cost(model)
                - b.lines
                    .iter()
                    .map(|l| fraction[l.offer] * price_part(model, l.offer) * l.quantity)
                    .sum::<f64>(),
            lines: b.lines.iter().map(|l| (l.offer, l.quantity)).collect(),
        })
        .filter(|c| c.saving > 0.0 && c.lines.iter().all(|&(i, q)| q <= x[i] + slack(i)))
        .collect();
    let mut taken = Vec::new();
    for group in sharing(&candidates) {
        let members: Vec<&Candidate> = group.iter().map(|&c| &candidates[c]).collect();
        let mut room: Vec<(usize, f64)> = members
            .iter()
            .flat_map(|c| c.lines.iter().map(|&(i, _)| (i, x[i] + slack(i))))
            .collect();
        room.sort_by_key(|r| r.0);
        room.dedup_by_key(|r| r.0);
        let mut search = Search {
            members: &members,
            room,
            nodes: 0,
            best: (0.0, Vec::new()),
        };
        search.visit(0, 0.0, &mut Vec::new());
        taken.extend(search.best.1.iter().map(|&c| members[c].bundle));
    }
    taken.sort_unstable();
    taken
}

/// The candidates in groups that share an offer (indices into `candidates`, in order).
fn sharing(candidates: &[Candidate]) -> Vec<Vec<usize>> {
    let mut groups: Vec<(Vec<usize>, Vec<usize>)> = Vec::new();
    for (c, cand) in candidates.iter().enumerate() {
        let offers: Vec<usize> = cand.lines.iter().map(|l| l.0).collect();
        let (mut joined, rest): (Vec<_>, Vec<_>) = groups
            .into_iter()
            .partition(|(_, o)| o.iter().any(|i| offers.contains(i)));
        let mut group = (vec![c], offers);
        for (members, o) in joined.drain(..) {
            group.0.extend(members);
            group.1.extend(o);
        }
        group.0.sort_unstable();
        groups = rest;
        groups.push(group);
    }
    groups.sort_by_key(|g| g.0[0]);
    groups.into_iter().map(|g| g.0).collect()
}

/// Depth-first search of one group's subsets, bounded by the savings left.
struct Search<'a> {
    members: &'a [&'a Candidate],
    /// (offer, quantity left to bundle).
    room: Vec<(usize, f64)>,
    nodes: usize,
    /// (saving, members taken) of the best set so far.
    best: (f64, Vec<usize>),
}

impl Search<'_> {
    fn visit(&mut self, k: usize, saving: f64, taken: &mut Vec<usize>) {
        self.nodes += 1;
        if saving > self.best.0 {
            self.best = (saving, taken.clone());
        }
        let left: f64 = self.members[k..].iter().map(|c| c.saving).sum();
        if k == self.members.len() || saving + left <= self.best.0 || self.nodes > MAX_NODES {
            return;
        }
        let c = self.members[k];
        if self.fits(c) {
            self.take(c, -1.0);
            taken.push(k);
            self.visit(k + 1, saving + c.saving, taken);
            taken.pop();
            self.take(c, 1.0);
        }
        self.visit(k + 1, saving, taken);
    }

    fn slot(&self, offer: usize) -> usize {
        self.room.partition_point(|r| r.0 < offer)
    }

    fn fits(&self, c: &Candidate) -> bool {
        c.lines.iter().all(|&(i, q)| q <= self.room[self.slot(i)].1)
    }

    fn take(&mut self, c: &Candidate, sign: f64) {
        for &(i, q) in &c.lines {
            let s = self.slot(i);
            self.room[s].1 += sign * q;
        }
    }
}

/// Per offer of the model, what the earned bundles and discounts add to its contract
/// cost at full delivery: each taken bundle line's landed cost less its quantity at
/// list price, less the discount reached on the quantity bought above the offer's
/// bundle quantities. Summed over a mineral's offers, it is the adjustment `solve`
/// reports for the mineral.
pub fn offer_adjustments(model: &Model, x: &[f64], earned: &[Option<MineralCoupling>]) -> Vec<f64> {
    let mut adjust = vec![0.0; model.offers.len()];
    for (m, mc) in earned.iter().enumerate() {
        let Some(mc) = mc else { continue };
        for &k in &mc.taken {
            let b = &model.coupling.bundles[k];
            for (l, cost) in b.lines.iter().zip(b.line_costs(model)) {
                if model.offers[l.offer].mineral == m {
                    adjust[l.offer] += cost - l.quantity * model.offers[l.offer].landed_cost;
                }
            }
        }
        for &(k, step) in &mc.steps {
            let disc = &model.coupling.discounts[k];
            let fraction = disc.steps[step].fraction;
            for &i in disc.lots.iter().filter(|&&i| model.offers[i].mineral == m) {
                let above = (x[i] - bundled_quantity(model, mc, i)).max(0.0);
                adjust[i] -= fraction * price_part(model, i) * above;
            }
        }
    }
    adjust
}

/// [`offer_adjustments`] of what `x` earns ([`derive`]); `None` for a model without
/// bundles or discounts.
pub fn earned_adjustments(model: &Model, x: &[f64]) -> Option<Vec<f64>> {
    if model.coupling.is_empty() {
        return None;
    }
    Some(offer_adjustments(model, x, &derive(model, x)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{parse, ModelFiles};

    /// Supplier a sells ga (landed 10) and ge (landed 20), b sells ga (landed 12); two
    /// bundles of a compete for a's ga: p1 (60 ga + 10 ge at 700 against 800) and p2
    /// (50 ga at 420 against 500); p3 is b's 30 ga at 310 against 360; a discount of a at
    /// 2 lots, 10 %.
    fn model() -> Model {
        let files = ModelFiles::from_memory(&[
            (
                "suppliers.csv",
                b"supplier,mineral,country,unit_cost\na,ga,AUS,10\na,ge,AUS,20\nb,ga,CAN,12\n"
                    as &[u8],
            ),
            ("demand.csv", b"mineral,quantity\nga,200\nge,100\n"),
            (
                "bundles.csv",
                b"bundle,supplier,mineral,quantity,price\np1,a,ga,60,700\np1,a,ge,10,\np2,a,ga,50,420\np3,b,ga,30,310\n",
            ),
            ("discounts.csv", b"supplier,min_lots,discount\na,2,0.1\n"),
        ]);
        parse(&files).unwrap().model
    }

    fn taken(model: &Model, x: &[f64]) -> Vec<usize> {
        let mut all: Vec<usize> = derive(model, x)
            .into_iter()
            .flatten()
            .flat_map(|m| m.taken)
            .collect();
        all.sort_unstable();
        all.dedup();
        all
    }

    #[test]
    fn the_set_that_saves_most_among_those_the_quantities_hold() {
        let m = model();
        let (a_ga, a_ge, b_ga) = (0, 2, 1);
        let offer = |s: &str, mineral: &str| {
            (0..m.offers.len())
                .find(|&i| {
                    m.offers[i].supplier.as_str() == s
                        && m.minerals[m.offers[i].mineral].name.as_str() == mineral
                })
                .unwrap()
        };
        assert_eq!(
            (offer("a", "ga"), offer("b", "ga"), offer("a", "ge")),
            (a_ga, b_ga, a_ge)
        );
        let mut x = vec![0.0; 3];
        // Both lots of a won: 10 % off its price part. p1 saves 800 − 700 = 100 less the
        // discount its 60 ga + 10 ge would earn, 0.1 · 800 = 80: 20. p2 saves 500 − 420 =
        // 80 less 50: 30. With 70 t of a's ga only one fits: p2.
        x[a_ga] = 70.0;
        x[a_ge] = 10.0;
        assert_eq!(taken(&m, &x), vec![1]);
        // 110 t hold both.
        x[a_ga] = 110.0;
        assert_eq!(taken(&m, &x), vec![0, 1]);
        // Without a's ge lot the discount is not reached (1 lot won of 2), and p1 cannot
        // be taken: p2 saves its full 80.
        x[a_ge] = 0.0;
        assert_eq!(taken(&m, &x), vec![1]);
        let earned = derive(&m, &x);
        assert!(earned.iter().flatten().all(|mc| mc.steps.is_empty()));
        // p3: b's 30 t at 310 against 360 saves 50, taken once b buys 30.
        x[b_ga] = 30.0;
        assert_eq!(taken(&m, &x), vec![1, 2]);
        // What they add to the contracts: p2's 420 replaces 500 of a's ga; p3's 310
        // replaces 360 of b's ga.
        let adjust = offer_adjustments(&m, &x, &derive(&m, &x));
        assert!((adjust[a_ga] + 80.0).abs() < 1e-9, "{adjust:?}");
        assert!((adjust[b_ga] + 50.0).abs() < 1e-9, "{adjust:?}");
        // With the discount reached (a's ge bought), a's ga pays 10 % less on its 60 t
        // above p2: 420 − 500 − 0.1 · 10 · 60 = −140.
        x[a_ge] = 5.0;
        let adjust = offer_adjustments(&m, &x, &derive(&m, &x));
        assert!((adjust[a_ga] + 140.0).abs() < 1e-9, "{adjust:?}");
        assert!((adjust[a_ge] + 10.0).abs() < 1e-9, "{adjust:?}");
    }
}
