//! `solve --ranging`: on random small LPs, for each solver, moving a binding row's bound
//! inside its reported interval keeps the shadow price (the re-solved optimum follows
//! the straight line of that slope) and just outside does not; moving an offer's landed
//! cost inside its interval keeps the plan optimal (the re-solved optimum costs what the
//! old plan costs at the new price) and just outside a cheaper plan appears. Every
//! check re-solves the modified model from scratch. Also the command line and the "not
//! available" rows of integer and HHI blocks.

use crate::common::*;
use assert_cmd::Command;
use sourcemix::analysis::ranging::{
    ranging, RangeKind, RangingRow, NOT_AVAILABLE_HHI, NOT_AVAILABLE_INTEGER,
};
use sourcemix::engine::SolverKind;
use sourcemix::model::Model;
use sourcemix::Plan;

/// A random ranging model (`spec::ranging_model_files`).
fn random_model(seed: u64) -> Model {
    let files = ranging_model_files(seed);
    let files: Vec<(&str, &str)> = files.iter().map(|(n, t)| (*n, t.as_str())).collect();
    model_from(&files)
}

/// The optimal cost, re-solved from scratch; `None` when infeasible.
fn optimum(model: &Model, kind: SolverKind) -> Option<f64> {
    let s = solve_kind(model, kind);
    s.status.exit_code().eq(&0).then(|| s.cost())
}

/// The policy row a bound row ranges (each test row names one target).
fn policy_index(model: &Model, row: &RangingRow) -> usize {
    use sourcemix::model::Target;
    let label = |t: &Target| -> String {
        match t {
            Target::Country(c) => model.countries[*c].code.to_string(),
            Target::Supplier(s) => s.name.to_string(),
            Target::Group(g) => model.groups[*g].to_string(),
            _ => String::new(),
        }
    };
    model
        .policy
        .iter()
        .position(|p| p.kind.name() == row.name.as_str() && label(&p.target) == row.target.as_str())
        .expect("the row's policy line")
}

fn with_bound(model: &Model, p: usize, b: f64) -> Model {
    let mut m = model.clone();
    m.policy[p].bound = b;
    m
}

fn with_landed(model: &Model, supplier: &str, c: f64) -> Model {
    let mut m = model.clone();
    let o = m
        .offers
        .iter_mut()
        .find(|o| o.supplier == supplier)
        .expect("offer");
    o.landed_cost = c;
    m
}

/// Points inside [lo, hi] at 10 % and 90 % (an infinite end replaced by a step of 0.2
/// of the value's scale), kept within `valid`.
fn inside(value: f64, lo: Option<f64>, hi: Option<f64>, scale: f64, valid: (f64, f64)) -> Vec<f64> {
    let lo = lo.unwrap_or(value - scale).max(valid.0);
    let hi = hi.unwrap_or(value + scale).min(valid.1);
    [0.1, 0.9].iter().map(|t| lo + t * (hi - lo)).collect()
}

struct Counts {
    inside: usize,
    outside: usize,
}

fn check_bounds(model: &Model, sol: &Plan, rows: &[RangingRow], kind: SolverKind, n: &mut Counts) {
    let base = sol.cost();
    let tol = 1e-7 * base.abs().max(1.0);
    // Beyond a range end the gain can be small (the next vertex may move little); the
    // solvers' noise on these models is ~1e-12 of the cost.
    let out_tol = 1e-9 * base.abs().max(1.0);
    for r in rows.iter().filter(|r| r.kind == RangeKind::Bound) {
        let p = policy_index(model, r);
        let y = r.shadow_price.expect("a shadow price");
        let line = |b: f64| base + y * (b - r.value);
        for b in inside(r.value, r.lower, r.upper, 0.2, (0.0, 1.0)) {
            let phi = optimum(&with_bound(model, p, b), kind).expect("feasible inside the range");
            assert!(
                (phi - line(b)).abs() <= tol + 1e-9 * y.abs(),
                "{kind} {r:?}: at bound {b} the optimum is {phi}, the shadow price predicts {}",
                line(b)
            );
            n.inside += 1;
        }
        let eps = 2e-3;
        for end in [r.upper.map(|u| u + eps), r.lower.map(|l| l - eps)]
            .into_iter()
            .flatten()
        {
            if !(0.0..=1.0).contains(&end) {
                continue;
            }
            let Some(phi) = optimum(&with_bound(model, p, end), kind) else {
                n.outside += 1; // infeasible beyond the range: the price surely changed
                continue;
            };
            assert!(
                phi - line(end) > out_tol,
                "{kind} {r:?}: at bound {end}, just outside the range, the optimum {phi} still follows the shadow price ({})",
                line(end)
            );
            n.outside += 1;
        }
    }
}

fn check_costs(model: &Model, sol: &Plan, rows: &[RangingRow], kind: SolverKind, n: &mut Counts) {
    let base = sol.cost();
    let tol = 1e-7 * base.abs().max(1.0);
    // Beyond a range end the gain can be small (the next vertex may move little); the
    // solvers' noise on these models is ~1e-12 of the cost.
    let out_tol = 1e-9 * base.abs().max(1.0);
    for r in rows.iter().filter(|r| r.kind == RangeKind::Cost) {
        let q = qty(model, sol, "ga", &r.name);
        let old_plan_at = |c: f64| base + (c - r.value) * q;
        for c in inside(
            r.value,
            r.lower,
            r.upper,
            0.5 * r.value,
            (0.0, f64::INFINITY),
        ) {
            let phi = optimum(&with_landed(model, &r.name, c), kind).expect("feasible");
            assert!(
                (phi - old_plan_at(c)).abs() <= tol,
                "{kind} {r:?}: at landed cost {c} the optimum {phi} differs from the plan's cost {}",
                old_plan_at(c)
            );
            n.inside += 1;
        }
        let eps = 1e-3 * r.value.max(1.0);
        for end in [r.upper.map(|u| u + eps), r.lower.map(|l| l - eps)]
            .into_iter()
            .flatten()
        {
            if end < 0.0 {
                continue;
            }
            let phi = optimum(&with_landed(model, &r.name, end), kind).expect("feasible");
            assert!(
                old_plan_at(end) - phi > out_tol,
                "{kind} {r:?}: at landed cost {end}, just outside the range, the plan (cost {}) is still optimal ({phi})",
                old_plan_at(end)
            );
            n.outside += 1;
        }
    }
}

fn lp_solvers() -> Vec<SolverKind> {
    SolverKind::all()
}

#[test]
fn ranges_hold_inside_and_end_where_they_say_on_random_lps() {
    let mut n = Counts {
        inside: 0,
        outside: 0,
    };
    let mut bound_rows = 0;
    for seed in 1..=16 {
        let model = random_model(seed);
        for kind in lp_solvers() {
            let sol = solve_kind(&model, kind);
            check_solution(&model, &sol).unwrap();
            let rows = ranging(&model, &sol).expect("ranging").rows;
            assert!(rows.iter().all(|r| r.note.is_empty()), "{kind}: {rows:?}");
            bound_rows += rows.iter().filter(|r| r.kind == RangeKind::Bound).count();
            check_bounds(&model, &sol, &rows, kind, &mut n);
            check_costs(&model, &sol, &rows, kind, &mut n);
        }
    }
    // The random models do exercise the checks.
    assert!(bound_rows >= 8, "only {bound_rows} binding rows");
    assert!(
        n.inside >= 100 && n.outside >= 50,
        "{} inside, {} outside",
        n.inside,
        n.outside
    );
}

/// Hand-solved: demand 100; A (AUS) costs 10, B (CHN) 20, C (CAN) 30, unlimited; China
/// at most 100 %, AUS at most 40 %. Plan: A 40, B 60. The AUS cap's shadow price is
/// 10 − 20 = −10 per share point… per unit of share: −10 · 100 = −1000, and it holds
/// from 0 (B takes everything) to 1 (A takes everything). B is the marginal offer: its
/// cost may range from 10 (A's) to 30 (C's); C's from 20 up; A's from −∞ to 20.
#[test]
fn hand_solved_ranging() {
    let model = model_from(&[
        (
            "suppliers.csv",
            "supplier,mineral,country,unit_cost\nA,ga,AUS,10\nB,ga,CHN,20\nC,ga,CAN,30\n",
        ),
        ("demand.csv", "mineral,quantity\nga,100\n"),
        (
            "constraints.csv",
            "constraint,mineral,target,bound\nmax_country_share,ga,AUS,0.4\n",
        ),
    ]);
    for kind in lp_solvers() {
        let sol = solve_kind(&model, kind);
        let rows = ranging(&model, &sol).unwrap().rows;
        let find = |kind: RangeKind, name: &str| {
            rows.iter()
                .find(|r| r.kind == kind && r.name.as_str() == name)
                .unwrap_or_else(|| panic!("no row {name}"))
                .clone()
        };
        let cap = find(RangeKind::Bound, "max_country_share");
        assert_close(cap.shadow_price.unwrap(), -1000.0, 1e-6, "cap price");
        assert_close(cap.lower.unwrap(), 0.0, 1e-9, "cap lower");
        assert_close(cap.upper.unwrap(), 1.0, 1e-9, "cap upper");
        let b = find(RangeKind::Cost, "B");
        assert_close(b.lower.unwrap(), 10.0, 1e-6, "B lower");
        assert_close(b.upper.unwrap(), 30.0, 1e-6, "B upper");
        let c = find(RangeKind::Cost, "C");
        assert_close(c.lower.unwrap(), 20.0, 1e-6, "C lower");
        assert!(c.upper.is_none(), "C may cost any more");
        assert_close(c.reduced_cost.unwrap(), 10.0, 1e-6, "C's reduced cost");
        let a = find(RangeKind::Cost, "A");
        assert!(a.lower.is_none(), "A may cost any less");
        assert_close(a.upper.unwrap(), 20.0, 1e-6, "A upper");
    }
}

/// Hand-solved, two supplier caps on one offer: demand 100; A, B, C, D cost 10, 20, 30,
/// 40, unlimited, one country each; every supplier at most 30 % (`*`) and A also at most
/// `a`. Plan: A, B, C 30 each, D 10. Raising A's binding cap moves 1 unit from D (40) to A
/// (10) per unit: −30 · 100 = −3000 per unit of share, down to 0.1 (D reaches its own
/// 30 %) and up to A's other cap. With `a` = 0.35 the `*` row ends at 0.35 (it ran to 0.4,
/// where D leaves, when A's named cap was folded away). With `a` = 0.3 both caps bind:
/// the named one (later in the file) owns the bound, [0.1, 0.3] at −3000; the `*` one
/// is a basic slack at 0, [0.3, ∞) at 0 (it used to be missing).
#[test]
fn two_supplier_caps_on_one_offer() {
    let suppliers =
        "supplier,mineral,country,unit_cost\nA,ga,AUS,10\nB,ga,CHN,20\nC,ga,CAN,30\nD,ga,USA,40\n";
    for (a, tied) in [(0.35, false), (0.3, true)] {
        let constraints = format!(
            "constraint,mineral,target,bound\nmax_supplier_share,*,*,0.3\nmax_supplier_share,ga,A,{a}\n"
        );
        let model = model_from(&[
            ("suppliers.csv", suppliers),
            ("demand.csv", "mineral,quantity\nga,100\n"),
            ("constraints.csv", &constraints),
        ]);
        for kind in lp_solvers() {
            let sol = solve_kind(&model, kind);
            let rows = ranging(&model, &sol).unwrap().rows;
            let caps_of_a: Vec<&RangingRow> = rows
                .iter()
                .filter(|r| r.kind == RangeKind::Bound && r.target.as_str() == "A")
                .collect();
            let what = format!("{kind}, a = {a}: {caps_of_a:?}");
            // B's and C's `*` rows bind too.
            let bound_rows = rows.iter().filter(|r| r.kind == RangeKind::Bound).count();
            assert_eq!(bound_rows, 3 + tied as usize, "{what}");
            let (star, owner) = match tied {
                false => (None, caps_of_a[0]),
                true => (Some(caps_of_a[0]), caps_of_a[1]),
            };
            assert_eq!(caps_of_a.len(), 1 + tied as usize, "{what}");
            assert_close(owner.value, 0.3, 1e-12, &what);
            assert_close(owner.shadow_price.unwrap(), -3000.0, 1e-6, &what);
            assert_close(owner.lower.unwrap(), 0.1, 1e-9, &what);
            assert_close(owner.upper.unwrap(), a, 1e-9, &what);
            if let Some(star) = star {
                assert_close(star.shadow_price.unwrap(), 0.0, 1e-9, &what);
                assert_close(star.lower.unwrap(), 0.3, 1e-9, &what);
                assert!(star.upper.is_none(), "{what}");
            }
        }
    }
}

#[test]
fn integer_and_hhi_blocks_are_marked_not_available() {
    let suppliers = "supplier,mineral,country,unit_cost,min_order\nA,ga,AUS,10,5\nB,ga,CHN,20,\nC,ge,CAN,30,\nD,ge,CHN,25,\n";
    let model = model_from(&[
        ("suppliers.csv", suppliers),
        ("demand.csv", "mineral,quantity\nga,100\nge,10\n"),
        (
            "constraints.csv",
            "constraint,mineral,target,bound\nmax_country_share,ga,AUS,0.4\nmax_hhi,ge,,0.6\n",
        ),
    ]);
    let sol = solve_kind(&model, SolverKind::Microlp);
    let rows = ranging(&model, &sol).unwrap().rows;
    for r in &rows {
        let expected = if r.mineral.as_str() == "ga" {
            NOT_AVAILABLE_INTEGER
        } else {
            NOT_AVAILABLE_HHI
        };
        assert_eq!(r.note, expected, "{r:?}");
        assert!(r.lower.is_none() && r.upper.is_none() && r.shadow_price.is_none());
    }
    assert_eq!(rows.iter().filter(|r| r.kind == RangeKind::Cost).count(), 4);
}

#[test]
fn command_writes_ranging_csv_with_the_other_files() {
    let dir = write_model(&[
        (
            "suppliers.csv",
            "supplier,mineral,country,unit_cost\nA,ga,AUS,10\nB,ga,CHN,20\nC,ga,CAN,30\n",
        ),
        ("demand.csv", "mineral,quantity\nga,100\n"),
        (
            "constraints.csv",
            "constraint,mineral,target,bound\nmax_country_share,ga,AUS,0.4\n",
        ),
    ]);
    let out = dir.path().join("out");
    Command::cargo_bin("sourcemix")
        .unwrap()
        .arg("solve")
        .arg(dir.path())
        .arg("--out")
        .arg(&out)
        .arg("--ranging")
        .assert()
        .success();
    let csv = std::fs::read_to_string(out.join("ranging.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("kind,mineral,name,target,value,lower,upper,shadow_price,reduced_cost,note")
    );
    assert!(
        csv.contains("bound,ga,max_country_share,AUS,0.4,0,1,-1000,,\n"),
        "{csv}"
    );
    assert!(csv.contains("cost,ga,C,CAN,30,20,,,10,\n"), "{csv}");
    for f in ["allocation.csv", "summary.csv", "constraints.csv"] {
        assert!(out.join(f).is_file());
    }
    // Without the flag, no ranging.csv.
    let plain = dir.path().join("plain");
    Command::cargo_bin("sourcemix")
        .unwrap()
        .arg("solve")
        .arg(dir.path())
        .arg("--out")
        .arg(&plain)
        .assert()
        .success();
    assert!(!plain.join("ranging.csv").exists());
}
