//! What the policy costs: shadow prices per point, the `policy` comparison, and `explain`.
//!
//! References are independent of the code under test: finite differences of optimal
//! costs (exact simplex solves of perturbed models), models written again as CSV without
//! the deleted rows, and relaxations derived by hand.

use sourcemix::values::Fraction;
use std::fmt::Write as _;
use std::num::NonZeroUsize;
use std::path::Path;

use crate::common::*;
use assert_cmd::Command;
use sourcemix::analysis::explain::{explain, ExplainOptions};
use sourcemix::analysis::policy_cost::policy_cost;
use sourcemix::engine::SolverKind;
use sourcemix::model::Model;
use sourcemix::policy::Kind;
use sourcemix::report::{build_report, ConstraintRow};
use sourcemix::solve::{SolveOptions, SolverChoice, Status};

// ---------------------------------------------------------------------------------------
// shadow prices
// ---------------------------------------------------------------------------------------

/// The per-point step of each rule, written from the issue: a percentage point for
/// shares, 0.01 of average risk, 100 HHI points (0.01), one supplier or country.
fn step(kind: Kind) -> f64 {
    match kind.name() {
        "max_country_share" | "max_supplier_share" | "min_group_share" | "max_group_share" => 0.01,
        "max_avg_risk" | "max_hhi" | "max_risk_hhi" => 0.01,
        "min_suppliers" | "max_suppliers" | "min_countries" => 1.0,
        other => panic!("{other} has no bound"),
    }
}

/// A number in [lo, hi).
fn range(rng: &mut TestRng, lo: f64, hi: f64) -> f64 {
    lo + (hi - lo) * (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64
}

/// A random small model as CSV: one mineral, 4–7 offers in 3–5 countries, and explicit
/// (non-`*`) rows so that each row's bound moves alone. `min_order` when `integers`.
fn random_files(rng: &mut TestRng, integers: bool) -> Vec<(String, String)> {
    let codes = ["AAA", "BBB", "CCC", "DDD", "EEE"];
    let n_countries = 3 + rng.below(3) as usize;
    let n_offers = 4 + rng.below(4) as usize;
    let mut countries = String::from("country,risk,groups\n");
    for (c, code) in codes.iter().take(n_countries).enumerate() {
        let group = if c % 2 == 0 { "G" } else { "" };
        let _ = writeln!(countries, "{code},{:.3},{group}", range(rng, 0.0, 1.0));
    }
    let mut suppliers = String::from("supplier,mineral,country,unit_cost,capacity,min_order\n");
    for k in 0..n_offers {
        let country = codes[k % n_countries];
        let min_order = if integers && k % 2 == 1 { "5" } else { "" };
        let _ = writeln!(
            suppliers,
            "s{k},ga,{country},{:.2},{:.1},{min_order}",
            range(rng, 10.0, 30.0),
            range(rng, 20.0, 60.0)
        );
    }
    let mut policy = String::from("constraint,mineral,target,bound\n");
    for code in codes.iter().take(n_countries) {
        let _ = writeln!(
            policy,
            "max_country_share,ga,{code},{:.3}",
            range(rng, 0.35, 0.6)
        );
    }
    let _ = writeln!(
        policy,
        "max_supplier_share,ga,s0,{:.3}",
        range(rng, 0.1, 0.3)
    );
    let _ = writeln!(policy, "min_group_share,ga,G,{:.3}", range(rng, 0.3, 0.6));
    let _ = writeln!(policy, "max_avg_risk,ga,,{:.3}", range(rng, 0.3, 0.6));
    vec![
        ("suppliers.csv".into(), suppliers),
        ("demand.csv".into(), "mineral,quantity\nga,100\n".into()),
        ("countries.csv".into(), countries),
        ("constraints.csv".into(), policy),
    ]
}

fn load_files(files: &[(String, String)]) -> sourcemix::Result<Model> {
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let dir = write_model(&refs);
    sourcemix::input::load_model(dir.path())
}

/// `files` with the bound of constraints.csv data row `row` (0-based) set to `bound`.
fn with_bound(files: &[(String, String)], row: usize, bound: f64) -> Vec<(String, String)> {
    files
        .iter()
        .map(|(name, text)| {
            if name != "constraints.csv" {
                return (name.clone(), text.clone());
            }
            let mut lines: Vec<String> = text.lines().map(String::from).collect();
            let line = &mut lines[row + 1];
            let cut = line.rfind(',').unwrap();
            *line = format!("{},{bound}", &line[..cut]);
            (name.clone(), lines.join("\n") + "\n")
        })
        .collect()
}

/// The optimal plan by exact simplex and branch and bound with no gap (microlp).
fn exact_solve(files: &[(String, String)]) -> Option<sourcemix::Plan> {
    let model = load_files(files).ok()?;
    let opts = SolveOptions {
        solver: SolverChoice::Named(SolverKind::Microlp),
        mip_gap: Fraction::literal(0.0),
        threads: NonZeroUsize::new(1),
        ..SolveOptions::default()
    };
    let sol = sourcemix::solve_plan(&model, &opts).ok()?;
    (sol.status == Status::Optimal).then_some(sol)
}

/// Optimal cost by [`exact_solve`].
fn exact_cost(files: &[(String, String)]) -> Option<f64> {
    exact_solve(files).map(|s| s.cost())
}

/// The used offers of the exact plan (for integer blocks, the binary pattern).
fn used_pattern(files: &[(String, String)]) -> Option<Vec<bool>> {
    exact_solve(files).map(|s| s.minerals[0].quantities.iter().map(|&x| x > 0.0).collect())
}

/// Checks every row's shadow price against the one-sided difference quotients of the
/// optimal cost, and its per-point price against the derivative × the step.
/// Returns how many rows were checked.
fn check_against_differences(
    files: &[(String, String)],
    solver: SolverKind,
    integers: bool,
) -> usize {
    let Ok(model) = load_files(files) else {
        return 0;
    };
    let Ok(sol) = try_solve(&model, SolverChoice::Named(solver)) else {
        return 0;
    };
    if sol.status != Status::Optimal {
        return 0;
    }
    let report = build_report(&model, &sol);
    let rows: Vec<&ConstraintRow> = report.constraints().collect();
    let Some(base) = exact_cost(files) else {
        return 0;
    };
    let pattern = used_pattern(files);
    let h = 1e-3;
    let mut checked = 0;
    for (i, row) in rows.iter().enumerate() {
        let sp = row
            .shadow_price
            .unwrap_or_else(|| panic!("{solver}: no shadow price for {row:?}"));
        let pp = row
            .shadow_price_per_point
            .expect("a per-point price with a shadow price");
        assert_close(
            pp,
            sp * step(row.kind),
            1e-9 * sp.abs().max(1.0),
            "per point = derivative × step",
        );
        if row.bound - h < 0.0 || row.bound + h > 1.0 {
            continue;
        }
        let (down, up) = (
            with_bound(files, i, row.bound - h),
            with_bound(files, i, row.bound + h),
        );
        // For integer blocks the fixed-binary LP is the local model only while the
        // choice of offers stays: skip rows whose perturbation changes it.
        if integers && (used_pattern(&down) != pattern || used_pattern(&up) != pattern) {
            continue;
        }
        let (Some(lo), Some(hi)) = (exact_cost(&down), exact_cost(&up)) else {
            continue;
        };
        let left = (base - lo) / h;
        let right = (hi - base) / h;
        // Solver precision (1e-9 relative on the costs) over h, and on the dual.
        let tol = 1e-5 * base.abs() + 1e-4 * sp.abs().max(1.0);
        assert!(
            left - tol <= sp && sp <= right + tol,
            "{solver}: {} {} shadow price {sp} not within [{left}, {right}]\n{}",
            row.constraint,
            row.target,
            files[3].1
        );
        checked += 1;
    }
    checked
}

#[test]
fn shadow_prices_lie_between_one_sided_differences() {
    let mut rng = TestRng::new(12);
    let (mut lp_rows, mut mip_rows) = (0, 0);
    for _ in 0..25 {
        let files = random_files(&mut rng, false);
        // Clarabel gives duals itself; microlp's come from the LP re-solved by Clarabel.
        lp_rows += check_against_differences(&files, SolverKind::Clarabel, false);
        lp_rows += check_against_differences(&files, SolverKind::Microlp, false);
        let files = random_files(&mut rng, true);
        mip_rows += check_against_differences(&files, SolverKind::Microlp, true);
    }
    assert!(lp_rows >= 100, "only {lp_rows} LP rows checked");
    assert!(mip_rows >= 30, "only {mip_rows} MIP rows checked");
}

#[test]
fn count_rows_have_no_shadow_price_in_integer_blocks() {
    let model = model_from(&[
        (
            "suppliers.csv",
            "supplier,mineral,country,unit_cost\na,ga,CHN,1\nb,ga,JPN,2\nc,ga,KOR,3\n",
        ),
        ("demand.csv", "mineral,quantity\nga,100\n"),
        (
            "constraints.csv",
            "constraint,mineral,target,bound\nmax_country_share,*,CHN,0.6\nmin_suppliers,ga,,2\n",
        ),
    ]);
    let sol = solve_kind(&model, SolverKind::Microlp);
    let report = build_report(&model, &sol);
    let rows: Vec<&ConstraintRow> = report.constraints().collect();
    // The plan: 60 from a, 40 from b. Fixed binaries: moving the CHN cap by one point
    // moves one unit from b (2) to a (1): −100 per unit of share, −1 per point.
    assert_close(
        rows[0].shadow_price.unwrap(),
        -100.0,
        1e-5,
        "CHN cap, fixed-binary LP",
    );
    assert_close(
        rows[0].shadow_price_per_point.unwrap(),
        -1.0,
        1e-7,
        "per point",
    );
    assert_eq!(rows[1].shadow_price, None);
    assert_eq!(rows[1].shadow_price_per_point, None);
}

// ---------------------------------------------------------------------------------------
// policy
// ---------------------------------------------------------------------------------------

/// A model with a row of every family.
fn all_families() -> Vec<(&'static str, &'static str)> {
    vec![
        (
            "suppliers.csv",
            "supplier,mineral,country,unit_cost,capacity,min_order\n\
             a,ga,CHN,10,80,\nb,ga,JPN,12,50,\nc,ga,KOR,13,50,\nd,ga,USA,15,,\ne,ga,RUS,9,40,\n\
             f,ge,CHN,100,,\ng,ge,USA,130,,20\nh,ge,JPN,120,30,\n",
        ),
        ("demand.csv", "mineral,quantity\nga,100\nge,50\n"),
        (
            "countries.csv",
            "country,risk,groups\nCHN,0.8,\nJPN,0.1,MSP\nKOR,0.2,MSP\nUSA,0.1,MSP\nRUS,0.9,\n",
        ),
        (
            "constraints.csv",
            "constraint,mineral,target,bound\n\
             max_country_share,*,*,0.5\n\
             max_supplier_share,ga,b,0.3\n\
             min_group_share,*,MSP,0.4\n\
             max_avg_risk,ga,,0.5\n\
             max_hhi,ge,,0.6\n\
             min_suppliers,ge,,2\n\
             exclude_country,ga,RUS,\n",
        ),
    ]
}

/// The optimum of `files` with the constraints.csv rows whose rule name is in `drop`
/// deleted from the text.
fn cost_without(files: &[(&str, &str)], drop: &[&str]) -> f64 {
    let kept: Vec<(String, String)> = files
        .iter()
        .map(|(name, text)| {
            let text = if *name == "constraints.csv" {
                text.lines()
                    .filter(|l| !drop.iter().any(|d| l.starts_with(&format!("{d},"))))
                    .map(|l| format!("{l}\n"))
                    .collect()
            } else {
                text.to_string()
            };
            (name.to_string(), text)
        })
        .collect();
    let model = load_files(&kept).unwrap();
    let sol = try_solve(&model, SolverChoice::Auto).unwrap();
    assert_eq!(sol.status, Status::Optimal, "without {drop:?}");
    sol.cost()
}

const FAMILIES: [(&str, &[&str]); 7] = [
    ("country_caps", &["max_country_share"]),
    ("supplier_caps", &["max_supplier_share"]),
    ("group_shares", &["min_group_share", "max_group_share"]),
    ("risk_budget", &["max_avg_risk"]),
    ("concentration", &["max_hhi", "max_risk_hhi"]),
    (
        "counts",
        &["min_suppliers", "max_suppliers", "min_countries"],
    ),
    ("exclusions", &["exclude_country", "exclude_supplier"]),
];

#[test]
fn each_case_equals_a_direct_solve_without_its_rows() {
    let files = all_families();
    let model = model_from(&files);
    let report = policy_cost(
        &model,
        &SolveOptions {
            threads: NonZeroUsize::new(2),
            ..SolveOptions::default()
        },
    )
    .unwrap();
    assert!(report.feasible);
    let total = |case: &str| {
        report
            .rows
            .iter()
            .find(|r| r.mineral == "*" && r.case == case)
            .unwrap_or_else(|| panic!("no * row for {case}"))
            .clone()
    };
    let all_rules: Vec<&str> = FAMILIES
        .iter()
        .flat_map(|(_, k)| k.iter().copied())
        .collect();
    let full = cost_without(&files, &[]);
    let none = cost_without(&files, &all_rules);
    assert_rel(total("full_policy").cost, full, 1e-7, "full_policy");
    assert_rel(total("no_rules").cost, none, 1e-7, "no_rules");
    for (family, kinds) in FAMILIES {
        let case = format!("without_{family}");
        let direct = cost_without(&files, kinds);
        let row = total(&case);
        assert_rel(row.cost, direct, 1e-7, &case);
        assert_rel(row.saving, full - direct, 1e-6, &format!("{case} saving"));
        assert!(
            none <= row.cost * (1.0 + 1e-7),
            "no_rules {none} > {case} {}",
            row.cost
        );
        assert!(
            row.cost <= full * (1.0 + 1e-7),
            "{case} {} > full {full}",
            row.cost
        );
    }
    // Per mineral the rows add up to the totals, and saving = full − cost everywhere.
    let cases = 2 + FAMILIES.len();
    assert_eq!(report.rows.len(), cases * 3);
    for r in &report.rows {
        let full_row = report
            .rows
            .iter()
            .find(|f| f.mineral == r.mineral && f.case == "full_policy")
            .unwrap();
        assert_close(
            r.saving,
            full_row.cost - r.cost,
            1e-6 * full_row.cost,
            "saving",
        );
    }
}

#[test]
fn only_the_families_present_get_a_case() {
    let model = model_from(&[
        (
            "suppliers.csv",
            "supplier,mineral,country,unit_cost\na,ga,CHN,1\nb,ga,JPN,2\n",
        ),
        ("demand.csv", "mineral,quantity\nga,100\n"),
        (
            "constraints.csv",
            "constraint,mineral,target,bound\nmax_country_share,*,*,0.6\n",
        ),
    ]);
    let report = policy_cost(&model, &SolveOptions::default()).unwrap();
    let cases: Vec<&str> = report
        .rows
        .iter()
        .filter(|r| r.mineral == "*")
        .map(|r| r.case.as_str())
        .collect();
    assert_eq!(cases, ["no_rules", "full_policy", "without_country_caps"]);
    // by hand: no rules 100·1 = 100; 60% cap: 60·1 + 40·2 = 140; the cap costs 40.
    let saving = report
        .rows
        .iter()
        .find(|r| r.mineral == "*" && r.case == "no_rules")
        .unwrap()
        .saving;
    assert_close(saving, 40.0, 1e-6, "what the cap costs");
}

// ---------------------------------------------------------------------------------------
// explain
// ---------------------------------------------------------------------------------------

/// explain's rows of `files`: (constraint, target, bound, relaxed_bound).
fn relaxations(files: &[(&str, &str)]) -> Vec<(String, String, f64, f64)> {
    let model = model_from(files);
    let report = explain(&model, &ExplainOptions::default()).unwrap();
    report
        .relaxations()
        .map(|r| {
            (
                r.constraint.to_string(),
                r.target.to_string(),
                r.bound,
                r.relaxed_bound,
            )
        })
        .collect()
}

/// `files` with explain's relaxations applied: each moved row's bound rewritten in
/// constraints.csv (found by its line), each shortfall's demand in demand.csv.
fn relaxed_files(files: &[(&str, &str)]) -> Vec<(String, String)> {
    let model = model_from(files);
    let report = explain(&model, &ExplainOptions::default()).unwrap();
    files
        .iter()
        .map(|(name, text)| {
            let mut lines: Vec<String> = text.lines().map(String::from).collect();
            for r in report.relaxations() {
                let file = if r.constraint == "demand" {
                    "demand.csv"
                } else {
                    "constraints.csv"
                };
                if *name != file {
                    continue;
                }
                let line = &mut lines[r.line as usize - 1];
                let cells: Vec<&str> = line.split(',').collect();
                *line = if r.constraint == "demand" {
                    format!("{},{}", cells[0], r.relaxed_bound)
                } else {
                    format!("{},{},{},{}", cells[0], cells[1], cells[2], r.relaxed_bound)
                };
            }
            (name.to_string(), lines.join("\n") + "\n")
        })
        .collect()
}

/// Asserts the model of `files` has no solution and has one once relaxed as explain says.
fn assert_relaxation_repairs(files: &[(&str, &str)]) {
    let sol = try_solve(&model_from(files), SolverChoice::Auto).unwrap();
    assert_eq!(sol.status, Status::Infeasible);
    let relaxed = load_files(&relaxed_files(files)).unwrap();
    let sol = try_solve(&relaxed, SolverChoice::Auto).unwrap();
    assert_eq!(sol.status, Status::Optimal, "the relaxed model must solve");
    check_solution(&relaxed, &sol).unwrap();
}

const FOUR: &str =
    "supplier,mineral,country,unit_cost\na,ga,CHN,1\nb,ga,JPN,2\nc,ga,KOR,3\nd,ga,USA,4\n";

// Four countries capped at 20% each supply at most 80%. The one `*` row is one bound:
// it must reach 1/4 = 25%, a change of 0.05 (any smaller bound leaves 4b < 1).
// Cutting demand instead would need a 20% shortfall (size 0.2), so the cap moves.
#[test]
fn explain_a_twenty_percent_cap_with_four_countries() {
    let files = [
        ("suppliers.csv", FOUR),
        ("demand.csv", "mineral,quantity\nga,100\n"),
        (
            "constraints.csv",
            "constraint,mineral,target,bound\nmax_country_share,*,*,0.2\n",
        ),
    ];
    let r = relaxations(&files);
    assert_eq!(r.len(), 1, "{r:?}");
    assert_eq!(
        (r[0].0.as_str(), r[0].1.as_str()),
        ("max_country_share", "*")
    );
    assert_close(r[0].3, 0.25, 1e-9, "relaxed cap");
    assert_relaxation_repairs(&files);
}

// MSP (JPN, KOR) can supply 20 + 10 = 30 of 100; a 50% minimum must fall to 30%
// (change 0.2). A demand shortfall does not help: the minimum is a share of demand.
#[test]
fn explain_a_group_minimum_the_group_cannot_supply() {
    let files = [
        (
            "suppliers.csv",
            "supplier,mineral,country,unit_cost,capacity\na,ga,CHN,1,\nb,ga,JPN,2,20\nc,ga,KOR,3,10\n",
        ),
        ("demand.csv", "mineral,quantity\nga,100\n"),
        ("countries.csv", "country,risk,groups\nCHN,0.8,\nJPN,0.1,MSP\nKOR,0.2,MSP\n"),
        ("constraints.csv", "constraint,mineral,target,bound\nmin_group_share,ga,MSP,0.5\n"),
    ];
    let r = relaxations(&files);
    assert_eq!(r.len(), 1, "{r:?}");
    assert_eq!(r[0].0, "min_group_share");
    assert_close(r[0].3, 0.3, 1e-9, "relaxed minimum");
    assert_relaxation_repairs(&files);
}

// Three offers cannot make five suppliers: the count falls by two whole units to 3.
#[test]
fn explain_min_suppliers_above_the_offers() {
    let files = [
        (
            "suppliers.csv",
            "supplier,mineral,country,unit_cost\na,ga,CHN,1\nb,ga,JPN,2\nc,ga,KOR,3\n",
        ),
        ("demand.csv", "mineral,quantity\nga,100\n"),
        (
            "constraints.csv",
            "constraint,mineral,target,bound\nmin_suppliers,ga,,5\n",
        ),
    ];
    let r = relaxations(&files);
    assert_eq!(r.len(), 1, "{r:?}");
    assert_eq!(r[0].0, "min_suppliers");
    assert_eq!(r[0].3, 3.0);
    assert_relaxation_repairs(&files);
}

// Two countries: the least HHI is 0.5 (half each), so a 0.4 cap must rise by 0.1 —
// exactly, not to a cut approximation of it.
#[test]
fn explain_an_hhi_cap_two_countries_cannot_meet() {
    let files = [
        (
            "suppliers.csv",
            "supplier,mineral,country,unit_cost\na,ga,CHN,1\nb,ga,JPN,2\n",
        ),
        ("demand.csv", "mineral,quantity\nga,100\n"),
        (
            "constraints.csv",
            "constraint,mineral,target,bound\nmax_hhi,ga,,0.4\n",
        ),
    ];
    let r = relaxations(&files);
    assert_eq!(r.len(), 1, "{r:?}");
    assert_close(r[0].3, 0.5, 1e-7, "relaxed HHI cap");
    assert_relaxation_repairs(&files);
}

// Capacity 60 + 30 of a hard demand of 100: only the demand can move, by 10 (size 0.1).
#[test]
fn explain_a_shortfall_as_the_demand_row() {
    let files = [
        (
            "suppliers.csv",
            "supplier,mineral,country,unit_cost,capacity\na,ga,CHN,1,60\nb,ga,JPN,2,30\n",
        ),
        ("demand.csv", "mineral,quantity\nga,100\n"),
    ];
    let r = relaxations(&files);
    assert_eq!(r, vec![("demand".into(), String::new(), 100.0, 90.0)]);
    assert_relaxation_repairs(&files);
}

#[test]
fn explain_a_feasible_model_finds_nothing_to_move() {
    let model = model_from(&[
        ("suppliers.csv", FOUR),
        ("demand.csv", "mineral,quantity\nga,100\n"),
        (
            "constraints.csv",
            "constraint,mineral,target,bound\nmax_country_share,*,*,0.3\n",
        ),
    ]);
    let report = explain(&model, &ExplainOptions::default()).unwrap();
    assert!(report.feasible);
    assert!(report.relaxations().next().is_none());
}

// ---------------------------------------------------------------------------------------
// CLI
// ---------------------------------------------------------------------------------------

fn bin() -> Command {
    Command::cargo_bin("sourcemix").unwrap()
}

fn write_dir(dir: &Path, files: &[(&str, &str)]) {
    std::fs::create_dir_all(dir).unwrap();
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
}

fn infeasible_files() -> Vec<(&'static str, &'static str)> {
    vec![
        ("suppliers.csv", FOUR),
        ("demand.csv", "mineral,quantity\nga,100\n"),
        (
            "constraints.csv",
            "constraint,mineral,target,bound\nmax_country_share,*,*,0.2\n",
        ),
    ]
}

#[test]
fn cli_explain_writes_explain_csv_and_solve_gives_the_same_words() {
    let tmp = tempfile::tempdir().unwrap();
    let model = tmp.path().join("m");
    write_dir(&model, &infeasible_files());
    let out = tmp.path().join("out");
    let run = bin()
        .args(["explain"])
        .arg(&model)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0));
    let words = String::from_utf8(run.stdout).unwrap();
    assert!(
        words.contains("raise the cap on each country for ga from 20% to 25% (constraints.csv:2 max_country_share), or the model has no solution"),
        "{words}"
    );
    assert_eq!(
        std::fs::read_to_string(out.join("explain.csv")).unwrap(),
        "constraint,mineral,target,bound,relaxed_bound\nmax_country_share,ga,*,0.2,0.25\n"
    );
    let solve = bin()
        .args(["solve"])
        .arg(&model)
        .arg("--out")
        .arg(tmp.path().join("s"))
        .output()
        .unwrap();
    assert_eq!(solve.status.code(), Some(3));
    let stderr = String::from_utf8(solve.stderr).unwrap();
    assert!(
        stderr.contains(words.trim_end()),
        "solve: {stderr}\nexplain: {words}"
    );
    assert!(!tmp.path().join("s").exists());
}

#[test]
fn cli_explain_on_a_feasible_model_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let model = concat!(env!("CARGO_MANIFEST_DIR"), "/models/rare-earths");
    let out = tmp.path().join("out");
    let run = bin()
        .args(["explain", model, "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0));
    assert!(String::from_utf8(run.stdout)
        .unwrap()
        .contains("has a solution as it stands"));
    assert_eq!(
        std::fs::read_to_string(out.join("explain.csv")).unwrap(),
        "constraint,mineral,target,bound,relaxed_bound\n"
    );
}

#[test]
fn cli_policy_writes_policy_csv_and_json() {
    let tmp = tempfile::tempdir().unwrap();
    let model = concat!(env!("CARGO_MANIFEST_DIR"), "/models/rare-earths");
    let out = tmp.path().join("out");
    let run = bin()
        .args(["policy", model, "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0));
    let text = String::from_utf8(run.stdout).unwrap();
    assert!(text.contains("the country caps cost"), "{text}");
    let csv = std::fs::read_to_string(out.join("policy.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("mineral,case,cost,saving"));
    assert_eq!(
        lines
            .map(|l| l.split(',').take(2).collect::<Vec<_>>().join(","))
            .collect::<Vec<_>>(),
        [
            "rare_earths,no_rules",
            "rare_earths,full_policy",
            "rare_earths,without_country_caps",
            "rare_earths,without_group_shares",
            "*,no_rules",
            "*,full_policy",
            "*,without_country_caps",
            "*,without_group_shares",
        ]
    );
    let json = bin()
        .args([
            "policy",
            model,
            "--format",
            "json",
            "--threads",
            "1",
            "--out",
        ])
        .arg(tmp.path().join("j"))
        .output()
        .unwrap();
    assert_eq!(json.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(doc["report"]["rows"].as_array().unwrap().len(), 8);
    // Same bytes with one thread and with all.
    assert_eq!(
        std::fs::read(out.join("policy.csv")).unwrap(),
        std::fs::read(tmp.path().join("j/policy.csv")).unwrap()
    );
}

#[test]
fn cli_policy_on_an_infeasible_policy_explains_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let model = tmp.path().join("m");
    write_dir(&model, &infeasible_files());
    let out = tmp.path().join("out");
    let run = bin()
        .args(["policy"])
        .arg(&model)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(3));
    let stderr = String::from_utf8(run.stderr).unwrap();
    assert!(stderr.contains("from 20% to 25%"), "{stderr}");
    assert!(!out.exists());
}

#[test]
fn cli_refusals_write_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let model = concat!(env!("CARGO_MANIFEST_DIR"), "/models/rare-earths");
    let file = tmp.path().join("a-file");
    std::fs::write(&file, "keep").unwrap();
    for cmd in ["policy", "explain"] {
        let run = bin()
            .args([cmd, model, "--out"])
            .arg(&file)
            .output()
            .unwrap();
        assert_eq!(run.status.code(), Some(2), "{cmd}");
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "keep");
    }
    // A bad flag value is a usage error naming it.
    let run = bin()
        .args(["policy", model, "--threads", "0", "--out"])
        .arg(tmp.path().join("x"))
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8(run.stderr).unwrap().contains("--threads"));
    assert!(!tmp.path().join("x").exists());
    // Bad input: exit 2, nothing written.
    let bad = tmp.path().join("bad");
    write_dir(
        &bad,
        &[
            (
                "suppliers.csv",
                "supplier,mineral,country,unit_cost\na,ga,CHN,1,250\n",
            ),
            ("demand.csv", "mineral,quantity\nga,100\n"),
        ],
    );
    for cmd in ["policy", "explain"] {
        let run = bin().args([cmd]).arg(&bad).output().unwrap();
        assert_eq!(run.status.code(), Some(2), "{cmd}");
        assert!(!bad.join("results").exists(), "{cmd}");
    }
}
