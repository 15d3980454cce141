//! `export`: a hand-checked model written to both formats and compared with files
//! written by hand; random models (LP, MILP, HHI caps) exported and re-solved from the
//! file by a reader sourcemix did not write — a small MPS reader here that rebuilds the
//! problem for good_lp's microlp in the default build, HiGHS's `Highs_readModel` with
//! `--features highs`, CBC's MPS reader with `--features cbc` — whose optimum must equal
//! the cost `solve` reports.

use sourcemix::values::Fraction;
use std::collections::HashMap;
use std::num::NonZeroUsize;
use std::path::Path;

use crate::common::{assert_rel, load, write_model};
use assert_cmd::Command;
use sourcemix::solve::SolveOptions;
use sourcemix::solve_plan;
use sourcemix::tools::export::{export, ExportFormat, ExportOptions};
use sourcemix::Model;

/// Two offers of gallium, one with a minimum order (a binary), China capped at half:
/// the optimum buys 50 from s1 (cheaper, capped) and 50 from s2 (≥ its minimum of 10)
/// for 50·10 + 50·(12 + 1) = 1150.
const SMALL: &[(&str, &str)] = &[
    (
        "suppliers.csv",
        "supplier,mineral,country,unit_cost,capacity,freight,min_order\n\
         s1,ga,CHN,10,60,0,\n\
         s2,ga,JPN,12,80,1,10\n",
    ),
    ("demand.csv", "mineral,quantity\nga,100\n"),
    (
        "constraints.csv",
        "constraint,mineral,target,bound\nmax_country_share,ga,CHN,0.5\n",
    ),
];

fn header(prefix: &str) -> String {
    let lines = [
        format!(
            "sourcemix {}: the model sourcemix solves, minerals ga",
            env!("CARGO_PKG_VERSION")
        ),
        "Minimize total cost in the model's currency (objective constant 0): landed cost x \
         purchases + fixed cost x used offers + unmet penalty x unmet demand."
            .to_string(),
        "Units are the model's: x_ (purchases) and u_ (unmet) in quantity units; y_ and z_ are \
         0/1 (offer used, country used); s_ are country shares of demand and t_ their squares \
         (HHI terms). Minerals are independent blocks."
            .to_string(),
    ];
    lines.iter().map(|l| format!("{prefix} {l}\n")).collect()
}

pub(crate) fn export_text(model: &Model, format: ExportFormat, socp: bool) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("out.model");
    let opts = ExportOptions {
        format,
        mineral: None,
        socp,
    };
    export(model, &file, &opts).unwrap();
    std::fs::read_to_string(&file).unwrap()
}

#[test]
fn small_model_lp_format_by_hand() {
    let dir = write_model(SMALL);
    let model = load(dir.path());
    let expected = header("\\")
        + "Minimize\n\
           \x20total_cost: 10 x_ga_s1 + 13 x_ga_s2\n\
           Subject To\n\
           \x20demand_ga: x_ga_s1 + x_ga_s2 = 100\n\
           \x20usemax_ga_s2: x_ga_s2 - 80 y_ga_s2 <= 0\n\
           \x20usemin_ga_s2: x_ga_s2 - 10 y_ga_s2 >= 0\n\
           \x20cap_ga_CHN: x_ga_s1 <= 50\n\
           Bounds\n\
           \x20x_ga_s1 <= 60\n\
           \x20x_ga_s2 <= 80\n\
           Binaries\n\
           \x20y_ga_s2\n\
           End\n";
    assert_eq!(export_text(&model, ExportFormat::Lp, false), expected);
}

#[test]
fn small_model_mps_by_hand() {
    let dir = write_model(SMALL);
    let model = load(dir.path());
    let expected = header("*")
        + "NAME sourcemix\n\
           ROWS\n\
           \x20N  total_cost\n\
           \x20E  demand_ga\n\
           \x20L  usemax_ga_s2\n\
           \x20G  usemin_ga_s2\n\
           \x20L  cap_ga_CHN\n\
           COLUMNS\n\
           \x20   x_ga_s1 total_cost 10\n\
           \x20   x_ga_s1 demand_ga 1\n\
           \x20   x_ga_s1 cap_ga_CHN 1\n\
           \x20   x_ga_s2 total_cost 13\n\
           \x20   x_ga_s2 demand_ga 1\n\
           \x20   x_ga_s2 usemax_ga_s2 1\n\
           \x20   x_ga_s2 usemin_ga_s2 1\n\
           \x20   MARKER 'MARKER' 'INTORG'\n\
           \x20   y_ga_s2 usemax_ga_s2 -80\n\
           \x20   y_ga_s2 usemin_ga_s2 -10\n\
           \x20   MARKER 'MARKER' 'INTEND'\n\
           RHS\n\
           \x20   RHS total_cost 0\n\
           \x20   RHS demand_ga 100\n\
           \x20   RHS cap_ga_CHN 50\n\
           BOUNDS\n\
           \x20UP BND x_ga_s1 60\n\
           \x20UP BND x_ga_s2 80\n\
           \x20BV BND y_ga_s2\n\
           ENDATA\n";
    let text = export_text(&model, ExportFormat::Mps, false);
    assert_eq!(text, expected);
    // The hand-solved optimum, from the file and from solve.
    assert_rel(read_mps(&text).solve(), 1150.0, 1e-9, "file optimum");
    let cost = solve_plan(&model, &SolveOptions::default()).unwrap().cost();
    assert_rel(cost, 1150.0, 1e-9, "solve");
}

#[test]
fn names_are_sanitized_and_unique() {
    // "a b" and "a_b" both sanitize to a_b; a name starting with a digit (LP) or 'e'.
    let dir = write_model(&[
        (
            "suppliers.csv",
            "supplier,mineral,country,unit_cost,capacity\n\
             a b,9ga,CHN,10,60\n\
             a_b,9ga,JPN,12,80\n",
        ),
        ("demand.csv", "mineral,quantity\n9ga,100\n"),
    ]);
    let model = load(dir.path());
    let lp = export_text(&model, ExportFormat::Lp, false);
    assert!(
        lp.contains(" total_cost: 10 x_9ga_a_b + 12 x_9ga_a_b_2\n"),
        "{lp}"
    );
    let mps = export_text(&model, ExportFormat::Mps, false);
    assert!(mps.contains("    x_9ga_a_b total_cost 10\n"), "{mps}");
    assert!(mps.contains("    x_9ga_a_b_2 total_cost 12\n"), "{mps}");
    assert_rel(read_mps(&mps).solve(), 1000.0 + 40.0 * 2.0, 1e-9, "optimum");
}

#[test]
fn hhi_cuts_and_quadratic_rows() {
    let dir = write_model(&hhi_model());
    let model = load(dir.path());
    let lp = export_text(&model, ExportFormat::Lp, true);
    assert!(
        lp.contains(" sq_ga_CHN: - t_ga_CHN + [ s_ga_CHN ^2 ] <= 0\n"),
        "{lp}"
    );
    assert!(!lp.contains("cut_ga"), "no cuts with --socp");
    let mps = export_text(&model, ExportFormat::Mps, true);
    assert!(
        mps.contains("QCMATRIX sq_ga_CHN\n    s_ga_CHN s_ga_CHN 1\n"),
        "{mps}"
    );
    let cuts = export_text(&model, ExportFormat::Lp, false);
    assert!(
        cuts.contains("tangent cuts"),
        "a comment says how the caps are stated"
    );
    assert!(cuts.contains(" cut_ga_CHN_1: "), "{cuts}");
}

/// Three countries, China cheapest, HHI ≤ 0.4 binding.
fn hhi_model() -> Vec<(&'static str, &'static str)> {
    vec![
        (
            "suppliers.csv",
            "supplier,mineral,country,unit_cost,capacity\n\
             c1,ga,CHN,10,100\n\
             j1,ga,JPN,12,100\n\
             k1,ga,KOR,15,100\n",
        ),
        ("demand.csv", "mineral,quantity\nga,100\n"),
        (
            "constraints.csv",
            "constraint,mineral,target,bound\nmax_hhi,ga,,0.4\n",
        ),
    ]
}

#[test]
fn cli_writes_whole_file_and_refuses_unknown_mineral() {
    let dir = write_model(SMALL);
    let out = dir.path().join("sub/model.lp");
    Command::cargo_bin("sourcemix")
        .unwrap()
        .args([
            "export",
            dir.path().to_str().unwrap(),
            "--format",
            "lp",
            "-o",
        ])
        .arg(&out)
        .assert()
        .success();
    assert!(std::fs::read_to_string(&out).unwrap().ends_with("End\n"));
    let bad = dir.path().join("bad.mps");
    Command::cargo_bin("sourcemix")
        .unwrap()
        .args(["export", dir.path().to_str().unwrap(), "--format", "mps"])
        .args(["--mineral", "nickel", "-o"])
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("nickel"));
    assert!(!bad.exists(), "a refused export writes nothing");
}

// ---------------------------------------------------------------------------------------
// Random models and the round trip.

/// A small deterministic generator (xorshift), so failures are reproducible by seed.
struct Rand(u64);

impl Rand {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Linear,
    Integer,
    Hhi,
}

/// A random feasible model (an unmet penalty keeps every mineral feasible) of `kind`.
fn random_model(seed: u64, kind: Kind) -> Vec<(&'static str, String)> {
    let mut r = Rand(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let countries = ["CHN", "JPN", "KOR", "USA"];
    let minerals = 1 + r.below(2);
    let mut suppliers =
        String::from("supplier,mineral,country,unit_cost,capacity,freight,min_order,fixed_cost\n");
    let mut demand = String::from("mineral,quantity,unmet_penalty\n");
    for m in 0..minerals {
        let d = 50 + r.below(200);
        demand.push_str(&format!("m{m},{d},{}\n", 40 + r.below(40)));
        for i in 0..3 + r.below(4) {
            let c = countries[r.below(4) as usize];
            let cost = 5.0 + (r.unit() * 2000.0).round() / 100.0;
            let cap = 10 + r.below(d);
            let (min_order, fixed) = if kind == Kind::Integer && r.below(2) == 0 {
                (r.below(20).to_string(), (r.below(300)).to_string())
            } else {
                (String::new(), String::new())
            };
            suppliers.push_str(&format!(
                "s{m}-{i},m{m},{c},{cost},{cap},{},{min_order},{fixed}\n",
                r.below(3)
            ));
        }
    }
    let mut constraints = String::from("constraint,mineral,target,bound\n");
    constraints.push_str(&format!("max_country_share,*,*,0.{}\n", 6 + r.below(4)));
    match kind {
        Kind::Hhi => constraints.push_str(&format!("max_hhi,*,,0.{}\n", 3 + r.below(3))),
        Kind::Integer => constraints.push_str("min_suppliers,*,,2\n"),
        Kind::Linear => {}
    }
    vec![
        ("suppliers.csv", suppliers),
        ("demand.csv", demand),
        ("constraints.csv", constraints),
    ]
}

fn random_cases() -> Vec<(u64, Kind, Model, tempfile::TempDir, f64)> {
    let mut out = Vec::new();
    for seed in 1..=8u64 {
        for kind in [Kind::Linear, Kind::Integer, Kind::Hhi] {
            let files = random_model(seed, kind);
            let refs: Vec<(&str, &str)> = files.iter().map(|(n, t)| (*n, t.as_str())).collect();
            let dir = write_model(&refs);
            let model = load(dir.path());
            let opts = SolveOptions {
                mip_gap: Fraction::literal(0.0),
                threads: NonZeroUsize::new(1),
                ..SolveOptions::default()
            };
            let cost = solve_plan(&model, &opts).unwrap().cost();
            out.push((seed, kind, model, dir, cost));
        }
    }
    out
}

/// Relative agreement required of a re-solved file: 1e-6, as the issue asks (HHI caps
/// hold within the cut tolerance 1e-8 at the final round, far inside it here).
const ROUND_TRIP: f64 = 1e-6;

fn write_export(model: &Model, dir: &Path, format: ExportFormat) -> std::path::PathBuf {
    let ext = if format == ExportFormat::Mps {
        "mps"
    } else {
        "lp"
    };
    let file = dir.join(format!("model.{ext}"));
    let opts = ExportOptions {
        format,
        mineral: None,
        socp: false,
    };
    export(model, &file, &opts).unwrap();
    file
}

#[test]
fn round_trip_through_independent_mps_reader() {
    for (seed, _kind, model, dir, cost) in random_cases() {
        let file = write_export(&model, dir.path(), ExportFormat::Mps);
        let text = std::fs::read_to_string(&file).unwrap();
        let got = read_mps(&text).solve();
        assert_rel(
            got,
            cost,
            ROUND_TRIP,
            &format!("seed {seed}: file vs solve"),
        );
    }
}

#[test]
fn one_mineral_block_alone() {
    let files = random_model(3, Kind::Linear);
    let refs: Vec<(&str, &str)> = files.iter().map(|(n, t)| (*n, t.as_str())).collect();
    let dir = write_model(&refs);
    let model = load(dir.path());
    let solution = solve_plan(&model, &SolveOptions::default()).unwrap();
    for (m, ms) in solution.minerals.iter().enumerate() {
        let name = model.minerals[m].name.to_string();
        let file = dir.path().join("one.mps");
        let opts = ExportOptions {
            format: ExportFormat::Mps,
            mineral: Some(name.to_uppercase()),
            socp: false,
        };
        export(&model, &file, &opts).unwrap();
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(!text.contains(&format!("demand_m{}", 1 - m)) || model.minerals.len() == 1);
        assert_rel(read_mps(&text).solve(), ms.cost, ROUND_TRIP, &name);
    }
}

#[cfg(feature = "highs")]
#[test]
fn round_trip_through_highs_reader() {
    for (seed, _kind, model, dir, cost) in random_cases() {
        for format in [ExportFormat::Mps, ExportFormat::Lp] {
            let file = write_export(&model, dir.path(), format);
            let got = highs_optimum(&file);
            assert_rel(
                got,
                cost,
                ROUND_TRIP,
                &format!("seed {seed} {format}: HiGHS"),
            );
        }
    }
}

#[cfg(feature = "highs")]
fn highs_optimum(file: &Path) -> f64 {
    use highs_sys::*;
    use std::ffi::CString;
    let path = CString::new(file.to_str().unwrap()).unwrap();
    let flag = CString::new("output_flag").unwrap();
    // SAFETY: a fresh HiGHS instance, used on this thread only and destroyed below; the
    // C strings outlive the calls.
    unsafe {
        let h = Highs_create();
        Highs_setBoolOptionValue(h, flag.as_ptr(), 0);
        let read = Highs_readModel(h, path.as_ptr());
        assert!(read >= 0, "HiGHS cannot read {}", file.display());
        Highs_run(h);
        let status = Highs_getModelStatus(h);
        let objective = Highs_getObjectiveValue(h);
        Highs_destroy(h);
        assert_eq!(
            status,
            7,
            "HiGHS model status of {} (7 = optimal)",
            file.display()
        );
        objective
    }
}

#[cfg(feature = "cbc")]
#[test]
fn round_trip_through_cbc_reader() {
    use std::ffi::CString;
    for (seed, _kind, model, dir, cost) in random_cases() {
        let file = write_export(&model, dir.path(), ExportFormat::Mps);
        let mut cbc = coin_cbc::raw::Model::new();
        cbc.read_mps(&CString::new(file.to_str().unwrap()).unwrap());
        cbc.set_parameter(&CString::new("log").unwrap(), &CString::new("0").unwrap());
        cbc.set_parameter(
            &CString::new("ratioGap").unwrap(),
            &CString::new("0").unwrap(),
        );
        cbc.solve();
        assert!(cbc.is_proven_optimal(), "seed {seed}: CBC not optimal");
        assert_rel(
            cbc.obj_value(),
            cost,
            ROUND_TRIP,
            &format!("seed {seed}: CBC"),
        );
    }
}

// ---------------------------------------------------------------------------------------
// A minimal free-MPS reader (ROWS, COLUMNS with integer markers, RHS, BOUNDS), written
// from the format's definition, that rebuilds the problem for good_lp's microlp.

#[derive(Default)]
pub(crate) struct MpsProblem {
    objective: String,
    rows: Vec<(char, HashMap<usize, f64>, f64)>,
    row_index: HashMap<String, usize>,
    cols: Vec<(f64, f64, f64, bool)>,
    col_index: HashMap<String, usize>,
    offset: f64,
}

pub(crate) fn read_mps(text: &str) -> MpsProblem {
    let mut p = MpsProblem::default();
    let (mut section, mut integer) = (String::new(), false);
    for line in text.lines() {
        if line.starts_with('*') || line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split_whitespace().collect();
        if !line.starts_with(' ') {
            section = f[0].to_string();
            continue;
        }
        match section.as_str() {
            "ROWS" => {
                let sense = f[0].chars().next().unwrap();
                if sense == 'N' {
                    p.objective = f[1].to_string();
                } else {
                    p.row_index.insert(f[1].to_string(), p.rows.len());
                    p.rows.push((sense, HashMap::new(), 0.0));
                }
            }
            "COLUMNS" if f.get(1) == Some(&"'MARKER'") => integer = f[2] == "'INTORG'",
            "COLUMNS" => {
                let n = p.col_index.len();
                let j = *p.col_index.entry(f[0].to_string()).or_insert(n);
                if j == p.cols.len() {
                    p.cols.push((0.0, 0.0, f64::INFINITY, integer));
                }
                for pair in f[1..].chunks(2) {
                    let a: f64 = pair[1].parse().unwrap();
                    if pair[0] == p.objective {
                        p.cols[j].0 = a;
                    } else {
                        let r = p.row_index[pair[0]];
                        assert!(p.rows[r].1.insert(j, a).is_none(), "entry twice");
                    }
                }
            }
            "RHS" => {
                for pair in f[1..].chunks(2) {
                    let v: f64 = pair[1].parse().unwrap();
                    if pair[0] == p.objective {
                        p.offset = -v;
                    } else {
                        p.rows[p.row_index[pair[0]]].2 = v;
                    }
                }
            }
            "BOUNDS" => {
                let j = p.col_index[f[2]];
                let v = f.get(3).map(|v| v.parse::<f64>().unwrap());
                let c = &mut p.cols[j];
                match f[0] {
                    "UP" => c.2 = v.unwrap(),
                    "LO" => c.1 = v.unwrap(),
                    "FX" => (c.1, c.2) = (v.unwrap(), v.unwrap()),
                    "BV" => (c.1, c.2, c.3) = (0.0, 1.0, true),
                    "PL" => c.2 = f64::INFINITY,
                    other => panic!("bound type {other} not expected"),
                }
            }
            other => panic!("section {other} not expected"),
        }
    }
    p
}

impl MpsProblem {
    /// The optimum, solved with microlp (zero MIP gap).
    pub(crate) fn solve(&self) -> f64 {
        use good_lp::{variable, Expression, ProblemVariables, Solution, SolverModel, WithMipGap};
        let mut vars = ProblemVariables::new();
        let handles: Vec<_> = self
            .cols
            .iter()
            .map(|&(_, lo, up, int)| {
                let mut v = variable().min(lo);
                if up.is_finite() {
                    v = v.max(up);
                }
                if int {
                    v = v.integer();
                }
                vars.add(v)
            })
            .collect();
        let objective: Expression = self.cols.iter().zip(&handles).map(|(c, &h)| c.0 * h).sum();
        let mut model = vars
            .minimise(objective.clone())
            .using(good_lp::microlp)
            .with_mip_gap(0.0)
            .unwrap();
        for (sense, terms, rhs) in &self.rows {
            let e: Expression = terms.iter().map(|(&j, &a)| a * handles[j]).sum();
            model.add_constraint(match sense {
                'L' => e.leq(*rhs),
                'G' => e.geq(*rhs),
                _ => e.eq(*rhs),
            });
        }
        let solution = model.solve().expect("the exported problem solves");
        solution.eval(&objective) + self.offset
    }
}

/// A model with stock on hand: the file's objective leaves out the constant holding cost
/// h · S0 = 2 · 30 = 60 and its header says so; the file's optimum plus 60 is solve's
/// total (D = 100 from AAA at 1 up to 70, then BBB at 3: 70 + 90 = 160, plus 60).
#[test]
fn the_stock_on_hand_is_the_objective_constant_the_header_names() {
    let dir = write_model(&[
        ("countries.csv", "country,risk\nAAA,0.1\nBBB,0.2\n"),
        (
            "suppliers.csv",
            "supplier,mineral,country,unit_cost,capacity\na,m,AAA,1,70\nb,m,BBB,3,\n",
        ),
        (
            "demand.csv",
            "mineral,quantity,stock_on_hand,holding_cost,stock_cap\nm,100,30,2,50\n",
        ),
    ]);
    let model = load(dir.path());
    let opts = SolveOptions {
        threads: NonZeroUsize::new(1),
        ..SolveOptions::default()
    };
    let cost = solve_plan(&model, &opts).unwrap().cost();
    assert_rel(cost, 220.0, 1e-9, "solve's total by hand");
    let file = write_export(&model, dir.path(), ExportFormat::Mps);
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        text.contains("objective constant 60: the holding cost of the stock on hand"),
        "{text}"
    );
    assert_rel(
        read_mps(&text).solve() + 60.0,
        cost,
        ROUND_TRIP,
        "file + constant vs solve",
    );
    // Without stock the constant is 0.
    let (_, _, plain, _, _) = random_cases().swap_remove(0);
    let plain_dir = tempfile::tempdir().unwrap();
    let text =
        std::fs::read_to_string(write_export(&plain, plain_dir.path(), ExportFormat::Lp)).unwrap();
    assert!(text.contains("(objective constant 0)"), "{text}");
}
