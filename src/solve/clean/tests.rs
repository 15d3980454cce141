//! Cleaning: its grid, and that it keeps every row a plan meets.

use super::*;

#[test]
fn quanta_are_powers_of_ten_below_the_precision() {
    assert_eq!(quantum_places(500.0), 9);
    assert_eq!(quantum_places(1000.0), 8);
    assert_eq!(quantum_places(10_000.0), 7);
    assert_eq!(quantum_places(1e9), 2);
    assert_eq!(quantum_places(1e15), -4);
    assert_eq!(quantum_places(1e-3), 14);
    for d in [1e-3, 0.7, 500.0, 999.0, 1e9] {
        let q = 10f64.powi(-quantum_places(d));
        assert!(
            q <= QUANTITY_PRECISION * d && q > QUANTITY_PRECISION * d / 100.0,
            "{d}"
        );
    }
}

#[test]
fn grid_sums_are_exact_decimals() {
    let d = 500.0;
    let values = [250.0, 164.4453998, 85.5546002];
    assert_eq!(grid_sum(values, d), 500.0);
    let thirds = [0.1, 0.2];
    assert_eq!(grid_sum(thirds, 1.0), 0.3);
    assert_eq!(round_index(0.5500000000000002), 0.55);
    assert_eq!(round_index(-1e-14), 0.0);
}

/// Cleaning keeps every row: a plan that passes the independent plan checker
/// (tests/it/common/spec.rs) still passes it after `close_balance` and `clean_plan` (what `solve` and
/// `solve --robust` do to the optimizer's quantities before writing them). Random plans
/// put many offers within the snapping distance of a bound (capacity, min_order) and every
/// policy row exactly at its bound or a hair inside, with unmet demand or without and a
/// demand-balance residue up to BALANCE_REPAIR·D. Two hand-built plans show the
/// mechanisms: the snapping residue taken from a group member (what tipped a group share
/// on 10,000 offers), and snapping alone pushing a group over its cap. Each of the three
/// tests fails on the cleaning before `RowGuard`.
mod rows_kept {
    use crate::input::{parse_model, ModelFiles};
    use crate::model::Model;
    use crate::policy::rows::expand;
    use crate::solve::clean::{clean_plan, close_balance};
    use crate::spec::{check_plan, TestRng};

    /// Reads a model from CSV strings, as files are read.
    fn model_from(files: &[(&str, &str)]) -> Model {
        let bytes: Vec<(&str, &[u8])> = files.iter().map(|(n, t)| (*n, t.as_bytes())).collect();
        parse_model(&ModelFiles::from_memory(&bytes)).expect("the model reads")
    }

    /// SNAP and crate::tolerance::BALANCE_REPAIR, restated.
    const SNAP: f64 = 1e-9;
    const BALANCE_REPAIR: f64 = 1e-8;

    /// A model and a plan for it (quantities by offer in file order, unmet demand).
    struct Case {
        model: Model,
        x: Vec<f64>,
        unmet: f64,
    }

    fn uniform(rng: &mut TestRng) -> f64 {
        (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// How far inside its bound a row sits (share units): exactly at it, within the snapping
    /// distance, or a little farther (still well inside the checker's tolerance).
    fn hair(rng: &mut TestRng) -> f64 {
        match rng.below(4) {
            0 => 0.0,
            1 => uniform(rng) * SNAP / 2.0,
            2 => (1.0 + 20.0 * uniform(rng)) * SNAP,
            _ => 3e-8 * uniform(rng),
        }
    }

    /// The last letter of country `c`'s code (XCA, XCB, …).
    fn code(c: usize) -> char {
        (b'A' + c as u8) as char
    }

    /// The files of a one-mineral model with `countries` (risk, groups) and `offers`
    /// (country, capacity, min_order), the rows at the plan's values ± `hair`.
    fn files(
        d: f64,
        penalty: bool,
        risks: &[f64],
        offers: &[(usize, f64, f64)],
        rows: &str,
    ) -> Vec<(&'static str, String)> {
        let mut countries = String::from("country,risk,groups\n");
        for (c, r) in risks.iter().enumerate() {
            let groups = ["ALLY", "ALLY;OECD", "OECD", "OECD"].get(c).unwrap_or(&"");
            countries += &format!("XC{},{r},{groups}\n", code(c));
        }
        let mut suppliers = String::from("supplier,mineral,country,unit_cost,capacity,min_order\n");
        for (j, (c, cap, min_order)) in offers.iter().enumerate() {
            let mo = if *min_order > 0.0 {
                format!("{min_order}")
            } else {
                String::new()
            };
            suppliers += &format!("o{j:04},ga,XC{},{},{cap},{mo}\n", code(*c), 10 + j % 7);
        }
        let demand = if penalty {
            format!("mineral,quantity,unmet_penalty\nga,{d},1000\n")
        } else {
            format!("mineral,quantity\nga,{d}\n")
        };
        vec![
            ("countries.csv", countries),
            ("suppliers.csv", suppliers),
            ("demand.csv", demand),
            ("constraints.csv", rows.to_string()),
        ]
    }

    /// The policy rows of plan `x`, each at its value or a hair inside.
    fn rows_at(rng: &mut TestRng, d: f64, risks: &[f64], countries: &[usize], x: &[f64]) -> String {
        let mut by_country = vec![0.0; risks.len()];
        for (j, &v) in x.iter().enumerate() {
            by_country[countries[j]] += v;
        }
        let share = |cs: &[usize]| cs.iter().map(|&c| by_country[c]).sum::<f64>() / d;
        let largest = by_country.iter().cloned().fold(0.0, f64::max) / d;
        let biggest = x.iter().cloned().fold(0.0, f64::max) / d;
        let risk: f64 = x
            .iter()
            .zip(countries)
            .map(|(v, &c)| risks[c] * v)
            .sum::<f64>()
            / d;
        let hhi: f64 = by_country.iter().map(|q| (q / d).powi(2)).sum();
        let mut rows = String::from("constraint,mineral,target,bound\n");
        rows += &format!("max_country_share,ga,*,{}\n", largest + hair(rng));
        rows += &format!("max_supplier_share,ga,*,{}\n", biggest + hair(rng));
        rows += &format!("min_group_share,ga,ALLY,{}\n", share(&[0, 1]) - hair(rng));
        rows += &format!(
            "max_group_share,ga,OECD,{}\n",
            share(&[1, 2, 3]) + hair(rng)
        );
        rows += &format!("max_avg_risk,ga,,{}\n", risk + hair(rng));
        if rng.below(2) == 0 {
            rows += &format!("max_hhi,ga,,{}\n", hhi + hair(rng));
        }
        rows
    }

    /// A random case: 100–400 offers in 4–7 countries; most offers within the snapping
    /// distance of their capacity (under it or over it) or of their min_order, the rest
    /// filling demand less unmet demand and a balance residue.
    fn random_case(rng: &mut TestRng) -> Case {
        let d = [1000.0, 3_334_000.0, 12_345.678, 1e7][rng.below(4) as usize];
        let risks: Vec<f64> = (0..4 + rng.below(4))
            .map(|_| (10 + rng.below(80)) as f64 / 100.0)
            .collect();
        let n = 100 + rng.below(300) as usize;
        let penalty = rng.below(2) == 0;
        let unmet = if penalty && rng.below(2) == 0 {
            d * (0.001 + 0.05 * uniform(rng))
        } else {
            0.0
        };
        let residue = if rng.below(3) > 0 {
            d * BALANCE_REPAIR * (2.0 * uniform(rng) - 1.0)
        } else {
            0.0
        };
        // One direction for most snaps of a case, so what they move adds up.
        let side = if rng.below(2) == 0 { -1.0 } else { 1.0 };
        let at_cap_share = 0.3 + 0.4 * uniform(rng);
        let at_cap = (n as f64 * (0.6 + 0.3 * uniform(rng))) as usize;
        let countries: Vec<usize> = (0..n)
            .map(|_| rng.below(risks.len() as u64) as usize)
            .collect();
        let mut offers = Vec::with_capacity(n);
        let mut x = Vec::with_capacity(n);
        for _ in 0..at_cap {
            let cap = d * at_cap_share / at_cap as f64 * (0.5 + uniform(rng));
            let s = if rng.below(8) == 0 { -side } else { side };
            x.push(cap + s * SNAP * d * (0.7 + 0.3 * uniform(rng)));
            offers.push((cap, 0.0));
        }
        let filled: f64 = x.iter().sum();
        let weights: Vec<f64> = (at_cap..n).map(|_| 0.2 + uniform(rng)).collect();
        let total: f64 = weights.iter().sum();
        for w in weights {
            let v = (d - residue - unmet - filled) * w / total;
            let min_order = match rng.below(6) {
                0 => v - SNAP * d * (2.0 * uniform(rng) - 1.0) * 0.9,
                1 => v * 0.5,
                _ => 0.0,
            };
            x.push(v);
            offers.push((v * (1.1 + uniform(rng)), min_order));
        }
        let rows = rows_at(rng, d, &risks, &countries, &x);
        let spec: Vec<(usize, f64, f64)> = countries
            .iter()
            .zip(&offers)
            .map(|(&c, &(cap, mo))| (c, cap, mo))
            .collect();
        let files = files(d, penalty, &risks, &spec, &rows);
        let refs: Vec<(&str, &str)> = files.iter().map(|(n, t)| (*n, t.as_str())).collect();
        Case {
            model: model_from(&refs),
            x,
            unmet,
        }
    }

    /// The plan of `case` in the model's offer order.
    fn model_order(case: &Case) -> Vec<f64> {
        case.model
            .offers_of(0)
            .iter()
            .map(|o| {
                let j: usize = o.supplier.as_str()[1..].parse().unwrap();
                case.x[j]
            })
            .collect()
    }

    /// The plan as `solve` writes it (unmet demand from the solver, then the residue
    /// closed and the plan cleaned).
    fn cleaned_as_solve(model: &Model, x: &[f64], unmet: f64) -> (Vec<f64>, f64) {
        let instances = expand(model, 0);
        let (mut x, mut unmet) = (x.to_vec(), unmet);
        close_balance(model, 0, &instances, &mut x, unmet);
        clean_plan(model, 0, &instances, &mut x, &mut unmet);
        (x, unmet)
    }

    /// The plan as `solve --robust` writes it (what the plan leaves of demand, past the
    /// residue closed, is unmet demand).
    fn cleaned_as_robust(model: &Model, x: &[f64]) -> (Vec<f64>, f64) {
        let d = model.minerals[0].demand;
        let instances = expand(model, 0);
        let mut x = x.to_vec();
        let left = close_balance(model, 0, &instances, &mut x, 0.0);
        let mut unmet = if left < 1e-9 * d { 0.0 } else { left };
        clean_plan(model, 0, &instances, &mut x, &mut unmet);
        (x, unmet)
    }

    #[test]
    fn cleaning_keeps_every_row_a_plan_meets() {
        let mut rng = TestRng::new(0x5eed_c1ea);
        let mut checked = 0;
        for case_no in 0..120 {
            let case = random_case(&mut rng);
            let x = model_order(&case);
            let model = &case.model;
            if check_plan(model, std::slice::from_ref(&x), &[case.unmet]).is_err() {
                continue;
            }
            checked += 1;
            let (q, u) = cleaned_as_solve(model, &x, case.unmet);
            if let Err(e) = check_plan(model, &[q], &[u]) {
                panic!("case {case_no} (solve): the raw plan passes, the cleaned one not: {e}");
            }
            if model.minerals[0].unmet_penalty.is_some() {
                let (q, u) = cleaned_as_robust(model, &x);
                if let Err(e) = check_plan(model, &[q], &[u]) {
                    panic!(
                        "case {case_no} (robust): the raw plan passes, the cleaned one not: {e}"
                    );
                }
            }
        }
        assert!(checked > 80, "only {checked} raw plans pass the checker");
    }

    /// A hand-built case (one mineral, D = 1000): the supplier rows `named` (no capacity),
    /// then 150 offers of country `many` at 10 with capacity 4; `countries` and one
    /// `constraint` row. The raw plan gives each named supplier `raw(name)` and each of the
    /// 150 offers 0.9e-6 under its capacity (within SNAP·D, so each is written as 4). Both
    /// the raw and the cleaned plan (as `solve` cleans) must meet every row; returns the
    /// cleaned quantity by supplier name and the unmet demand.
    fn snapped_case(
        named: &str,
        many: &str,
        countries: &str,
        constraint: &str,
        raw: impl Fn(&str) -> Option<f64>,
    ) -> (impl Fn(&str) -> f64, f64) {
        let mut suppliers = String::from("supplier,mineral,country,unit_cost,capacity\n");
        suppliers += named;
        for j in 0..150 {
            suppliers += &format!("x{j:03},ga,{many},10,4\n");
        }
        let constraints = format!("constraint,mineral,target,bound\n{constraint}\n");
        let model = model_from(&[
            ("countries.csv", countries),
            ("suppliers.csv", &suppliers),
            ("demand.csv", "mineral,quantity\nga,1000\n"),
            ("constraints.csv", &constraints),
        ]);
        let x: Vec<f64> = model
            .offers_of(0)
            .iter()
            .map(|o| raw(o.supplier.as_str()).unwrap_or(4.0 - 0.9e-6))
            .collect();
        check_plan(&model, std::slice::from_ref(&x), &[0.0]).expect("the raw plan meets every row");
        let (q, u) = cleaned_as_solve(&model, &x, 0.0);
        check_plan(&model, std::slice::from_ref(&q), &[u])
            .expect("the cleaned plan meets every row");
        let names: Vec<String> = model
            .offers_of(0)
            .iter()
            .map(|o| o.supplier.to_string())
            .collect();
        let at = move |name: &str| q[names.iter().position(|n| n == name).unwrap()];
        (at, u)
    }

    /// The mechanism, by hand (D = 1000, so SNAP·D = 1e-6 and the quantum is 1e-8):
    /// 150 offers of country XX sit 0.9e-6 under their capacity 4 (each within SNAP·D, so
    /// each is written as 4: 1.35e-4 more in all). ALLY's one offer holds 300.000005 against
    /// min_group_share 0.3 — 5e-9 inside, not within SNAP·D, so not snapped. A filler of XX
    /// holds the rest: 1000 − 300.000005 − 150·(4 − 0.9e-6) = 100.00013. Purchases then
    /// exceed demand by 1.35e-4; the old cleaning took that from the largest offer not at a
    /// bound, ALLY's (300.000005 → 299.99987), and ALLY's share fell to 0.29999987, 1.3e-7
    /// under its bound: past the checker's 1e-7. What snapping moved belongs to XX: its
    /// filler gives it back (100.00013 → 99.999995) and ALLY keeps 300.000005.
    #[test]
    fn snapping_residue_does_not_tip_a_group_share() {
        let (at, u) = snapped_case(
            "ally,ga,ALY,12,\nfill,ga,XXX,11,\n",
            "XXX",
            "country,risk,groups\nALY,0.1,ALLY\nXXX,0.5,\n",
            "min_group_share,ga,ALLY,0.3",
            |name| match name {
                "ally" => Some(300.000005),
                "fill" => Some(100.00013),
                _ => None,
            },
        );
        assert_eq!(at("ally"), 300.000005);
        assert_eq!(at("fill"), 99.999995);
        assert_eq!(at("x000"), 4.0);
        assert_eq!(u, 0.0);
    }

    /// Snapping alone can tip a row (D = 1000): 150 offers of OEC (group OECD) sit 0.9e-6
    /// under their capacity 4, a filler of OEC holds 50.000005, so OECD holds 649.99987
    /// against max_group_share 0.649999875 (5e-9 inside, not snapped). Written at their
    /// capacities the 150 add 1.35e-4: OECD at 650.000005, 1.3e-7 of D over its bound,
    /// wherever the demand-balance residue goes (the largest offer is outside OECD). OEC's
    /// filler gives the 1.35e-4 back (50.000005 → 49.99987).
    #[test]
    fn snapping_alone_does_not_tip_a_group_cap() {
        let (at, u) = snapped_case(
            "fill,ga,OEC,12,\nrest,ga,XXX,11,\n",
            "OEC",
            "country,risk,groups\nOEC,0.1,OECD\nXXX,0.5,\n",
            "max_group_share,ga,OECD,0.649999875",
            |name| match name {
                "fill" => Some(50.000005),
                "rest" => Some(350.00013),
                _ => None,
            },
        );
        assert_eq!(at("fill"), 49.99987);
        assert_eq!(at("rest"), 350.00013);
        assert_eq!(at("x149"), 4.0);
        assert_eq!(u, 0.0);
    }
}
