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
    // New offer indices, for the bundles and discounts (none to renumber without them).
    let mut index = vec![
        None;
        if model.coupling.is_empty() {
            0
        } else {
            model.offers.len()
        }
    ];
    let mut kept = Vec::new();
    for (k, &m) in minerals.iter().enumerate() {
        let mut mineral = model.minerals[m].clone();
        let start = offers.len();
        for i in model.minerals[m].offers.clone() {
            if let Some(slot) = index.get_mut(i) {
                *slot = Some(offers.len());
            }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{parse, ModelFiles};

    /// co, li, ni (sorted); a's bundle joins co and ni.
    fn model() -> Model {
        let files = ModelFiles::from_memory(&[
            (
                "suppliers.csv",
                b"supplier,mineral,country,unit_cost\na,li,AUS,10\na,co,AUS,20\nb,ni,CHN,5\na,ni,AUS,6\n",
            ),
            ("demand.csv", b"mineral,quantity\nli,10\nco,10\nni,10\n"),
            (
                "bundles.csv",
                b"bundle,supplier,mineral,quantity,price\nx,a,co,5,90\nx,a,ni,5,90\n",
            ),
        ]);
        parse(&files).unwrap().model
    }

    #[test]
    fn a_bundle_joins_its_minerals_into_one_part_renumbered() {
        let model = model();
        let names: Vec<&str> = model.minerals.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["co", "li", "ni"]);
        assert_eq!(parts(&model), vec![vec![0, 2], vec![1]]);
        let part = part_model(&model, &[0, 2]);
        assert_eq!(part.minerals.len(), 2);
        assert_eq!(part.offers.len(), 3);
        let lines: Vec<(&str, &str, f64)> = part.coupling.bundles[0]
            .lines
            .iter()
            .map(|l| {
                let o = &part.offers[l.offer];
                (
                    part.minerals[o.mineral].name.as_str(),
                    o.supplier.as_str(),
                    l.quantity,
                )
            })
            .collect();
        assert_eq!(lines, [("co", "a", 5.0), ("ni", "a", 5.0)]);
        // li alone has no bundle; co alone loses the bundle that reaches ni.
        assert!(part_model(&model, &[1]).coupling.is_empty());
        assert!(part_model(&model, &[0]).coupling.is_empty());
    }
}
