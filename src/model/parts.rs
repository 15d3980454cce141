//! A model cut into independent parts: each group of minerals joined by bundles or lot
//! discounts is one part, every other mineral a part of its own. A part's model solves
//! exactly as the part solves inside the whole model (analyses that solve variants of a
//! model part by part, `policy` and `compare`, rely on it).

use super::coupling::{mineral_groups, Bundle, BundleLine, Coupling, LotDiscount};
use super::{MineralScope, Model, Offer, PolicyRow};

/// The parts of `model`, each its minerals ascending, ordered by first mineral.
pub fn parts(model: &Model) -> Vec<Vec<usize>> {
    let mut parts = mineral_groups(model);
    let mut joined = vec![false; model.minerals.len()];
    for &m in parts.iter().flatten() {
        joined[m] = true;
    }
    parts.extend(
        (0..model.minerals.len())
            .filter(|&m| !joined[m])
            .map(|m| vec![m]),
    );
    parts.sort_by_key(|p| p[0]);
    parts
}

/// The model of `minerals` alone (ascending): their demand, offers, the rows that apply
/// to them, and the bundles and discounts all of whose offers are theirs.
pub fn part_model(model: &Model, minerals: &[usize]) -> Model {
    let local = |m: usize| minerals.iter().position(|&k| k == m);
    let mut offers: Vec<Offer> = Vec::new();
    let mut index = vec![None; model.offers.len()];
    let mut kept = Vec::new();
    for (k, &m) in minerals.iter().enumerate() {
        let mut mineral = model.minerals[m].clone();
        let start = offers.len();
        for i in model.minerals[m].offers.clone() {
            index[i] = Some(offers.len());
            offers.push(Offer {
                mineral: k,
                ..model.offers[i].clone()
            });
        }
        mineral.offers = start..offers.len();
        kept.push(mineral);
    }
    let policy = model
        .policy
        .iter()
        .filter(|r| minerals.iter().any(|&m| r.applies_to(m)))
        .map(|r| PolicyRow {
            mineral: match r.mineral {
                MineralScope::Each => MineralScope::Each,
                MineralScope::One(m) => MineralScope::One(local(m).unwrap_or(0)),
            },
            ..r.clone()
        })
        .collect();
    Model {
        minerals: kept,
        offers,
        countries: model.countries.clone(),
        groups: model.groups.clone(),
        policy,
        coupling: part_coupling(&model.coupling, &index),
        stages: model.stages.clone(),
    }
}

/// The bundles and discounts whose offers all have a new index in `index`, renumbered.
fn part_coupling(coupling: &Coupling, index: &[Option<usize>]) -> Coupling {
    let bundles = coupling
        .bundles
        .iter()
        .filter_map(|b| {
            let lines = b
                .lines
                .iter()
                .map(|l| {
                    index[l.offer].map(|offer| BundleLine {
                        offer,
                        quantity: l.quantity,
                    })
                })
                .collect::<Option<Vec<_>>>()?;
            Some(Bundle { lines, ..b.clone() })
        })
        .collect();
    let discounts = coupling
        .discounts
        .iter()
        .filter_map(|d| {
            let lots = d
                .lots
                .iter()
                .map(|&i| index[i])
                .collect::<Option<Vec<_>>>()?;
            Some(LotDiscount { lots, ..d.clone() })
        })
        .collect();
    Coupling { bundles, discounts }
}
