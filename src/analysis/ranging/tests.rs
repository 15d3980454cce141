//! ranging.csv against HiGHS's own ranging (`Highs_getRanging`) of the block's LP, on
//! the random LPs of tests/it/ranging.rs (their generator restated here): HiGHS is the
//! independent reference, its own simplex basis and its own ranging code.

use super::{ranging, RangeKind, RangingRow};
use crate::engine::SolverKind;
use crate::input::{parse_model, ModelFiles};
use crate::model::Model;
use crate::plan::{solve_plan, Plan};
use crate::solve::{SolveOptions, SolverChoice};
use crate::spec::{range, ranging_model_files, TestRng, RANGING_COUNTRIES as COUNTRIES};

/// Reads a model from CSV strings, as files are read.
fn model_from(files: &[(&str, &str)]) -> Model {
    let bytes: Vec<(&str, &[u8])> = files.iter().map(|(n, t)| (*n, t.as_bytes())).collect();
    parse_model(&ModelFiles::from_memory(&bytes)).expect("the model reads")
}

/// Solves with a named backend, sequentially.
fn solve_kind(model: &Model, kind: SolverKind) -> Plan {
    let opts = SolveOptions {
        solver: SolverChoice::Named(kind),
        threads: std::num::NonZeroUsize::new(1),
        ..SolveOptions::default()
    };
    solve_plan(model, &opts).unwrap_or_else(|e| panic!("solve with {kind} failed: {e}"))
}

/// A random ranging model (`spec::ranging_model_files`).
fn random_model(seed: u64) -> Model {
    let files = ranging_model_files(seed);
    let files: Vec<(&str, &str)> = files.iter().map(|(n, t)| (*n, t.as_str())).collect();
    model_from(&files)
}

/// The policy row a bound row ranges (each test row names one target).
fn policy_index(model: &Model, row: &RangingRow) -> usize {
    use crate::model::Target;
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

/// HiGHS's own ranging (`Highs_getRanging`, from the optimal basis HiGHS finds for the
/// block's LP) against ranging.csv's intervals, derived from the polished vertex: the
/// same ends for every binding row stated as an LP row and every offer's cost, on the
/// random LPs where both bases are the same (the optimum is non-degenerate, so the
/// basis is unique); at least half of the models must be compared. HiGHS is the
/// independent reference: its own simplex basis and its own ranging code.
#[test]
fn intervals_match_highs_own_ranging() {
    let (mut compared, mut ends, mut finite) = (0, 0, 0);
    let seeds = 1..=20;
    for seed in seeds.clone() {
        let model = random_model(seed);
        let sol = solve_kind(&model, SolverKind::Clarabel);
        let rows = ranging(&model, &sol).expect("ranging").rows;
        let block = crate::formulate::formulate(&model, 0).expect("block");
        let Some(h) = highs_ranging(&block.lp) else {
            continue; // degenerate: HiGHS's basis need not be ours
        };
        let mut same = |ours: Option<f64>, theirs: f64, scale: f64, what: &str| {
            ends += 1;
            finite += ours.is_some() as usize;
            match ours {
                None => assert!(
                    theirs.is_infinite(),
                    "seed {seed} {what}: HiGHS ends at {}",
                    theirs * scale
                ),
                Some(v) => assert!(
                    (v - theirs * scale).abs() <= 1e-6 * v.abs().max(1.0),
                    "seed {seed} {what}: ours {v}, HiGHS {}",
                    theirs * scale
                ),
            }
        };
        for r in &rows {
            match r.kind {
                RangeKind::Bound => {
                    let p = policy_index(&model, r);
                    let Some(k) = block.instances.iter().position(|i| i.policy == p) else {
                        continue;
                    };
                    let tag = crate::engine::lp::RowTag::Policy(k);
                    let Some(row) = block.lp.rows.iter().position(|x| x.tag == tag) else {
                        continue; // stated as a variable bound
                    };
                    let scale = r.value / block.lp.rows[row].rhs;
                    same(r.lower, h.row_dn[row], scale, &format!("{r:?} lower"));
                    same(r.upper, h.row_up[row], scale, &format!("{r:?} upper"));
                }
                RangeKind::Cost => {
                    let j = model
                        .offers_of(0)
                        .iter()
                        .position(|o| o.supplier == r.name.as_str())
                        .expect("offer");
                    let v = block.offer_var[j].expect("an offer variable");
                    let scale = r.value / block.lp.vars[v].cost;
                    same(r.lower, h.cost_dn[v], scale, &format!("{r:?} lower"));
                    same(r.upper, h.cost_up[v], scale, &format!("{r:?} upper"));
                }
            }
        }
        compared += 1;
    }
    assert!(
        compared * 2 >= seeds.count(),
        "only {compared} models compared"
    );
    // (20 models, 352 interval ends, 227 of them finite when written.)
    assert!(
        ends >= 100 && finite >= 50,
        "{ends} ends compared, {finite} finite"
    );
}

/// Like [`random_model`], with several supplier caps on some offers: every supplier at
/// most b (`*`, b in 0.2–0.35) and three suppliers also under a named cap 0.03–0.1 above
/// or below b (never tied: a tie is a degenerate vertex, hand-checked in
/// `two_supplier_caps_on_one_offer`). A risk budget is left out and every country cap
/// loose enough that most models are feasible.
fn random_model_with_caps(seed: u64) -> Model {
    let mut rng = TestRng::new(seed);
    let mut countries = String::from("country,risk,groups\n");
    for (k, c) in COUNTRIES.iter().enumerate() {
        let g = if k % 2 == 0 { "ALLY" } else { "" };
        countries.push_str(&format!("{c},{:.4},{g}\n", range(&mut rng, 0.05, 0.95)));
    }
    let n = 7 + rng.below(4) as usize;
    let mut suppliers = String::from("supplier,mineral,country,unit_cost,capacity\n");
    for i in 0..n {
        let c = COUNTRIES[i % COUNTRIES.len()];
        suppliers.push_str(&format!(
            "s{i},ga,{c},{:.4},{:.3}\n",
            range(&mut rng, 10.0, 40.0),
            range(&mut rng, 15.0, 45.0)
        ));
    }
    let b = range(&mut rng, 0.2, 0.35);
    let mut constraints = format!(
        "constraint,mineral,target,bound\nmax_supplier_share,*,*,{b:.4}\nmax_country_share,ga,CHN,{:.4}\nmin_group_share,ga,ALLY,{:.4}\n",
        range(&mut rng, 0.3, 0.5),
        range(&mut rng, 0.3, 0.5),
    );
    for i in 0..3 {
        let step = range(&mut rng, 0.03, 0.1);
        let named = if rng.below(2) == 0 {
            b - step
        } else {
            b + step
        };
        let s = rng.below(n as u64);
        let line = format!("max_supplier_share,ga,s{s},{named:.4}\n");
        if i == 0 || !constraints.contains(&format!(",s{s},")) {
            constraints.push_str(&line);
        }
    }
    model_from(&[
        ("countries.csv", &countries),
        ("suppliers.csv", &suppliers),
        ("demand.csv", "mineral,quantity\nga,100\n"),
        ("constraints.csv", &constraints),
    ])
}

/// ranging.csv against HiGHS's own ranging where offers carry several supplier caps. HiGHS
/// gets the block's LP with every cap a row of its own (x ≤ b per cap and offer, each
/// offer bounded by its capacity alone), so no cap is folded away; on the non-degenerate
/// optima, every binding cap's interval (a `*` row one instance at a time), every other
/// binding row's and every offer's cost interval must have HiGHS's ends to 1e-6.
#[test]
fn supplier_caps_match_highs_ranging_with_several_caps_per_offer() {
    use crate::engine::lp::{RowTag, Sense};
    use crate::policy;
    let (mut compared, mut cap_ends, mut finite_cap_ends) = (0, 0, 0);
    let mut several = 0;
    let seeds = 1..=60;
    for seed in seeds.clone() {
        let model = random_model_with_caps(seed);
        let sol = solve_kind(&model, SolverKind::Clarabel);
        if sol.status.exit_code() != 0 {
            continue;
        }
        let rows = ranging(&model, &sol).expect("ranging").rows;
        let block = crate::formulate::formulate(&model, 0).expect("block");
        // The LP with the caps unfolded into rows of their own.
        let mut lp = block.lp.clone();
        let offers = model.offers_of(0);
        let mut cap_rows = vec![Vec::new(); block.instances.len()];
        for (j, v) in block.offer_var.iter().enumerate() {
            if let Some(v) = *v {
                lp.vars[v].upper = offers[j].capacity.map_or(f64::INFINITY, |c| c / 100.0);
            }
        }
        for (k, inst) in block.instances.iter().enumerate() {
            if inst.kind != policy::MAX_SUPPLIER_SHARE {
                continue;
            }
            for &j in &inst.members {
                let v = block.offer_var[j].expect("an offer variable");
                cap_rows[k].push(lp.rows.len());
                lp.add_row(RowTag::Policy(k), vec![(v, 1.0)], Sense::Le, inst.bound);
            }
        }
        let caps_per_offer = |j: usize| {
            block
                .instances
                .iter()
                .filter(|i| i.kind == policy::MAX_SUPPLIER_SHARE && i.members.contains(&j))
                .count()
        };
        let Some(h) = highs_ranging(&lp) else {
            continue; // degenerate: HiGHS's basis need not be ours
        };
        // The binding instances, in the order ranging.csv lists them.
        let binding: Vec<usize> = sol.minerals[0]
            .rows
            .iter()
            .enumerate()
            .filter(|(_, r)| {
                !r.instance.kind.is_exclusion() && (r.value - r.instance.bound).abs() <= 1e-7
            })
            .map(|(k, _)| k)
            .collect();
        let bounds: Vec<&RangingRow> = rows.iter().filter(|r| r.kind == RangeKind::Bound).collect();
        assert_eq!(binding.len(), bounds.len(), "seed {seed}: {bounds:?}");
        let same = |ours: Option<f64>, theirs: f64, scale: f64, what: &str| match ours {
            None => assert!(
                theirs.is_infinite(),
                "seed {seed} {what}: HiGHS ends at {}",
                theirs * scale
            ),
            Some(v) => assert!(
                (v - theirs * scale).abs() <= 1e-6 * v.abs().max(1.0),
                "seed {seed} {what}: ours {v}, HiGHS {}",
                theirs * scale
            ),
        };
        for (&k, r) in binding.iter().zip(&bounds) {
            let tag = RowTag::Policy(k);
            let row = match cap_rows[k][..] {
                [row] => row,
                [] => lp
                    .rows
                    .iter()
                    .position(|x| x.tag == tag)
                    .expect("an LP row"),
                _ => panic!("seed {seed}: a cap on several offers"),
            };
            if !cap_rows[k].is_empty() {
                cap_ends += 2;
                finite_cap_ends += r.lower.is_some() as usize + r.upper.is_some() as usize;
                let j = block.instances[k].members[0];
                several += (caps_per_offer(j) > 1) as usize;
            }
            let scale = r.value / lp.rows[row].rhs;
            same(r.lower, h.row_dn[row], scale, &format!("{r:?} lower"));
            same(r.upper, h.row_up[row], scale, &format!("{r:?} upper"));
        }
        for r in rows.iter().filter(|r| r.kind == RangeKind::Cost) {
            let j = offers
                .iter()
                .position(|o| o.supplier == r.name.as_str())
                .expect("offer");
            let v = block.offer_var[j].expect("an offer variable");
            let scale = r.value / lp.vars[v].cost;
            same(r.lower, h.cost_dn[v], scale, &format!("{r:?} lower"));
            same(r.upper, h.cost_up[v], scale, &format!("{r:?} upper"));
        }
        compared += 1;
    }
    // (60 models compared, 44 binding caps on offers with two caps, 256 of 256 cap ends
    // finite. With the looser cap folded away, seed 3's binding cap ended at 0.379 where
    // HiGHS says 0.229.)
    assert!(compared >= 40, "only {compared} models compared");
    assert!(
        several >= 30 && finite_cap_ends >= 100,
        "{several} binding caps on offers with two caps, {finite_cap_ends} of {cap_ends} ends finite"
    );
}

/// HiGHS's ranging of an LP.
struct HighsRanging {
    cost_dn: Vec<f64>,
    cost_up: Vec<f64>,
    row_dn: Vec<f64>,
    row_up: Vec<f64>,
}

/// Solves `lp` with HiGHS and returns its ranging, or `None` when the optimum is
/// degenerate (a basic variable at a bound, or a nonbasic one with a zero reduced cost:
/// then the optimal basis is not unique).
fn highs_ranging(lp: &crate::engine::lp::Lp) -> Option<HighsRanging> {
    use crate::engine::lp::Sense;
    use highs_sys::*;
    use std::ffi::CString;
    let (n, m) = (lp.vars.len(), lp.rows.len());
    let cost: Vec<f64> = lp.vars.iter().map(|v| v.cost).collect();
    let lower: Vec<f64> = lp.vars.iter().map(|v| v.lower).collect();
    let upper: Vec<f64> = lp.vars.iter().map(|v| v.upper).collect();
    let (mut rlo, mut rup) = (Vec::new(), Vec::new());
    let (mut start, mut index, mut value) = (Vec::new(), Vec::new(), Vec::new());
    for row in &lp.rows {
        start.push(index.len() as HighsInt);
        for &(j, a) in &row.terms {
            index.push(j as HighsInt);
            value.push(a);
        }
        let (lo, up) = match row.sense {
            Sense::Le => (f64::NEG_INFINITY, row.rhs),
            Sense::Ge => (row.rhs, f64::INFINITY),
            Sense::Eq => (row.rhs, row.rhs),
        };
        rlo.push(lo);
        rup.push(up);
    }
    let flag = CString::new("output_flag").unwrap();
    let mut out = HighsRanging {
        cost_dn: vec![0.0; n],
        cost_up: vec![0.0; n],
        row_dn: vec![0.0; m],
        row_up: vec![0.0; m],
    };
    let (mut col_value, mut col_dual) = (vec![0.0; n], vec![0.0; n]);
    let (mut row_value, mut row_dual) = (vec![0.0; m], vec![0.0; m]);
    let (mut col_basis, mut row_basis) = (vec![0 as HighsInt; n], vec![0 as HighsInt; m]);
    // Scratch for the parts of the ranging not compared.
    let f = |k: usize| vec![0.0f64; k];
    let i = |k: usize| vec![0 as HighsInt; k];
    let (mut a1, mut a2, mut a3, mut a4, mut a5) = (f(n), f(n), f(n), f(n), f(n));
    let (mut a6, mut a7, mut a8) = (f(n), f(m), f(m));
    let mut ints: Vec<Vec<HighsInt>> = (0..6).map(|_| i(n)).chain((0..4).map(|_| i(m))).collect();
    // SAFETY: a fresh HiGHS instance, used on this thread only and destroyed below; every
    // array has the length HiGHS writes (n per column, m per row).
    unsafe {
        let h = Highs_create();
        Highs_setBoolOptionValue(h, flag.as_ptr(), 0);
        let passed = Highs_passLp(
            h,
            n as HighsInt,
            m as HighsInt,
            index.len() as HighsInt,
            2, // row-wise
            1, // minimize
            0.0,
            cost.as_ptr(),
            lower.as_ptr(),
            upper.as_ptr(),
            rlo.as_ptr(),
            rup.as_ptr(),
            start.as_ptr(),
            index.as_ptr(),
            value.as_ptr(),
        );
        assert!(passed >= 0, "HiGHS rejected the LP");
        Highs_run(h);
        assert_eq!(Highs_getModelStatus(h), 7, "HiGHS: not optimal");
        Highs_getSolution(
            h,
            col_value.as_mut_ptr(),
            col_dual.as_mut_ptr(),
            row_value.as_mut_ptr(),
            row_dual.as_mut_ptr(),
        );
        Highs_getBasis(h, col_basis.as_mut_ptr(), row_basis.as_mut_ptr());
        let [c1, c2, c3, c4, c5, c6, r1, r2, r3, r4] = &mut ints[..] else {
            unreachable!()
        };
        let got = Highs_getRanging(
            h,
            out.cost_up.as_mut_ptr(),
            a1.as_mut_ptr(),
            c1.as_mut_ptr(),
            c2.as_mut_ptr(),
            out.cost_dn.as_mut_ptr(),
            a2.as_mut_ptr(),
            c3.as_mut_ptr(),
            c4.as_mut_ptr(),
            a3.as_mut_ptr(),
            a4.as_mut_ptr(),
            c5.as_mut_ptr(),
            c6.as_mut_ptr(),
            a5.as_mut_ptr(),
            a6.as_mut_ptr(),
            c5.as_mut_ptr(),
            c6.as_mut_ptr(),
            out.row_up.as_mut_ptr(),
            a7.as_mut_ptr(),
            r1.as_mut_ptr(),
            r2.as_mut_ptr(),
            out.row_dn.as_mut_ptr(),
            a8.as_mut_ptr(),
            r3.as_mut_ptr(),
            r4.as_mut_ptr(),
        );
        Highs_destroy(h);
        assert!(got >= 0, "HiGHS gave no ranging");
    }
    // HighsBasisStatus: 0 lower, 1 basic, 2 upper, 3 zero, 4 nonbasic.
    let tiny = 1e-9;
    let near = |x: f64, b: f64| b.is_finite() && (x - b).abs() <= tiny;
    let cols_degenerate = (0..n).any(|j| match col_basis[j] {
        1 => near(col_value[j], lower[j]) || near(col_value[j], upper[j]),
        _ => col_dual[j].abs() <= tiny,
    });
    let rows_degenerate = (0..m).any(|r| match row_basis[r] {
        1 => near(row_value[r], rlo[r]) || near(row_value[r], rup[r]),
        _ => row_dual[r].abs() <= tiny,
    });
    (!cols_degenerate && !rows_degenerate).then_some(out)
}
