//! `--xlsx` and `--csv-dialect` on every command that writes result tables (frontier,
//! policy, explain, scenarios, bench, solve --robust, solve --ranging): each workbook read
//! back with calamine and compared cell by cell with the CSV of the same run; excel-eu
//! against RFC 4180 cell by cell; the flags leave the RFC 4180 files byte for byte as
//! they were; an excel-eu scenarios.csv reads back as the same scenarios; a refused run
//! writes nothing and leaves earlier results alone.

use std::path::{Path, PathBuf};

use calamine::Data;

use crate::common::cli::Workdir;
use crate::spreadsheets::{csv_records, read_book, same_cell};

fn model(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("models")
        .join(name)
        .display()
        .to_string()
}

/// One command that writes tables: its arguments before `--out`, whether `--out` names a
/// file (scenarios) or a folder, its tables (file stems, in sheet order) and its other
/// files (not tables, e.g. frontier.svg).
struct Spec {
    args: Vec<String>,
    out_is_file: bool,
    tables: &'static [&'static str],
    other: &'static [&'static str],
}

fn spec(args: &[&str], tables: &'static [&'static str], other: &'static [&'static str]) -> Spec {
    Spec {
        args: args.iter().map(|s| s.to_string()).collect(),
        out_is_file: args[0] == "scenarios",
        tables,
        other,
    }
}

/// The model of SPEC's `explain`: dual-sourcing without unmet penalties and with country
/// caps no plan meets, written into `wd` as `infeasible/`.
fn write_infeasible(wd: &Workdir) -> String {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/dual-sourcing");
    let read = |f: &str| std::fs::read_to_string(src.join(f)).unwrap();
    let policy = read("constraints.csv") + "max_country_share,*,*,0.05\n";
    wd.write_model(
        "infeasible",
        &[
            ("suppliers.csv", &read("suppliers.csv")),
            ("countries.csv", &read("countries.csv")),
            (
                "demand.csv",
                "mineral,quantity\ngallium,1500\nrare_earths,8000\n",
            ),
            ("constraints.csv", &policy),
        ],
    );
    wd.path("infeasible").display().to_string()
}

fn specs(wd: &Workdir) -> Vec<Spec> {
    let ec = model("export-controls-2023");
    let bad = write_infeasible(wd);
    vec![
        spec(
            &["frontier", &ec, "--measure", "hhi", "--points", "3"],
            &["frontier"],
            &["frontier.svg"],
        ),
        spec(&["policy", &ec], &["policy"], &[]),
        spec(&["explain", &bad], &["explain"], &[]),
        spec(
            &["scenarios", &ec, "--samples", "300", "--seed", "5"],
            &["scenarios"],
            &[],
        ),
        spec(
            &["solve", &model("rare-earths"), "--robust"],
            &[
                "allocation",
                "summary",
                "constraints",
                "stress",
                "stress_summary",
            ],
            &[],
        ),
        spec(
            &["solve", &ec, "--ranging"],
            &["allocation", "summary", "constraints", "ranging"],
            &[],
        ),
    ]
}

/// Runs `s` with its results under `dir` (and `extra` flags); returns the exit code.
fn run(wd: &Workdir, s: &Spec, dir: &str, extra: &[&str]) -> Option<i32> {
    let out = match s.out_is_file {
        true => format!("{dir}/scenarios.csv"),
        false => dir.to_string(),
    };
    let mut args: Vec<&str> = s.args.iter().map(String::as_str).collect();
    args.extend(["--out", &out]);
    args.extend(extra);
    wd.run(&args).code()
}

fn succeed(wd: &Workdir, s: &Spec, dir: &str, extra: &[&str]) {
    let code = run(wd, s, dir, extra);
    assert_eq!(code, Some(0), "{} {extra:?}", s.args.join(" "));
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every cell of `sheet` holds what the CSV at `csv` holds (same rows and columns).
fn assert_sheet_is_csv(sheet: &str, rows: &[Vec<Data>], csv: &Path) {
    let records = csv_records(csv, b',');
    assert_eq!(rows.len(), records.len(), "{sheet}: row count");
    for (r, (row, rec)) in rows.iter().zip(&records).enumerate() {
        assert!(row.len() <= rec.len(), "{sheet} row {r}: extra cells");
        for (c, text) in rec.iter().enumerate() {
            let cell = row.get(c).unwrap_or(&Data::Empty);
            assert!(
                same_cell(text, cell),
                "{sheet} row {} column {c}: CSV {text:?}, workbook {cell:?}",
                r + 1
            );
        }
    }
}

/// The excel-eu file holds the RFC 4180 file's cells: numbers with a decimal comma
/// (and no point), everything else as is.
fn assert_eu_is_rfc(what: &str, rfc: &Path, eu: &Path) {
    let (a, b) = (csv_records(rfc, b','), csv_records(eu, b';'));
    assert_eq!(a.len(), b.len(), "{what}: rows");
    let mut numbers = 0;
    for (ra, rb) in a.iter().zip(&b) {
        assert_eq!(ra.len(), rb.len(), "{what}: columns");
        for (x, y) in ra.iter().zip(rb) {
            if x.parse::<f64>().is_ok() {
                assert_eq!(*x, y.replace(',', "."), "{what}");
                assert!(!y.contains('.'), "{what}: {y}");
                numbers += 1;
            } else {
                assert_eq!(x, y, "{what}");
            }
        }
    }
    assert!(numbers > 0 || a.len() == 1, "{what}: no numbers compared");
}

#[test]
fn every_table_command_writes_a_workbook_and_excel_eu() {
    let wd = Workdir::new();
    for (k, s) in specs(&wd).iter().enumerate() {
        let (rfc, book_dir, eu) = (format!("rfc{k}"), format!("book{k}"), format!("eu{k}"));
        let book = format!("r{k}.xlsx");
        succeed(&wd, s, &rfc, &[]);
        succeed(&wd, s, &book_dir, &["--xlsx", &book]);
        succeed(&wd, s, &eu, &["--csv-dialect", "excel-eu"]);
        // Workbooks are reproducible byte for byte.
        let again = format!("again{k}.xlsx");
        succeed(&wd, s, &format!("again{k}"), &["--xlsx", &again]);
        assert_eq!(
            read(&wd.path(&book)),
            read(&wd.path(&again)),
            "{}",
            s.args[0]
        );
        let sheets = read_book(&wd.path(&book));
        let names: Vec<&str> = sheets.iter().map(|(n, _)| n.as_str()).collect();
        let mut expected = s.tables.to_vec();
        expected.push("inputs");
        assert_eq!(names, expected, "{}", s.args[0]);
        for (t, (name, rows)) in s.tables.iter().zip(&sheets) {
            let file = format!("{t}.csv");
            let csv = wd.path(&book_dir).join(&file);
            // --xlsx leaves the CSV files as they are without it, byte for byte.
            assert_eq!(read(&csv), read(&wd.path(&rfc).join(&file)), "{file}");
            assert_sheet_is_csv(name, rows, &csv);
            let what = format!("{} {file}", s.args[0]);
            assert_eu_is_rfc(&what, &csv, &wd.path(&eu).join(&file));
        }
        for f in s.other {
            let same = read(&wd.path(&rfc).join(f)) == read(&wd.path(&eu).join(f));
            assert!(same, "{f} differs with --csv-dialect");
        }
        let inputs = &sheets.last().unwrap().1;
        assert!(inputs.iter().any(|r| r[0] == Data::String("demand".into())));
    }
}

#[test]
fn bench_writes_its_table_to_a_workbook_and_in_excel_eu() {
    let wd = Workdir::new();
    let base = [
        "bench",
        "--generate",
        "offers=40,minerals=2,seed=3",
        "--solvers",
        "clarabel,microlp",
        "--repeat",
        "1",
        "--format",
        "csv",
    ];
    let with = |extra: &[&str]| {
        let mut args = base.to_vec();
        args.extend(extra);
        let r = wd.run(&args);
        r.expect_code(0);
        r.stdout()
    };
    let rfc = with(&["--xlsx", "b.xlsx"]);
    std::fs::write(wd.path("bench.csv"), &rfc).unwrap();
    let sheets = read_book(&wd.path("b.xlsx"));
    let names: Vec<&str> = sheets.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["bench", "inputs"]);
    assert_sheet_is_csv("bench", &sheets[0].1, &wd.path("bench.csv"));
    assert_eq!(sheets[0].1.len(), 3, "header and two solvers");
    // Timings differ between runs; the other columns do not.
    std::fs::write(
        wd.path("bench-eu.csv"),
        with(&["--csv-dialect", "excel-eu"]),
    )
    .unwrap();
    let (a, b) = (
        csv_records(&wd.path("bench.csv"), b','),
        csv_records(&wd.path("bench-eu.csv"), b';'),
    );
    assert_eq!(a.len(), b.len());
    for (ra, rb) in a.iter().zip(&b) {
        for c in [0, 1, 3, 12] {
            assert_eq!(ra[c], rb[c], "text column {c}");
        }
        for c in [2, 4, 11] {
            assert_eq!(ra[c], rb[c].replace(',', "."), "number column {c}");
        }
        assert!(
            !rb[5].contains('.'),
            "a timing with a decimal point: {}",
            rb[5]
        );
    }
}

#[test]
fn an_excel_eu_scenarios_file_reads_back_as_the_same_scenarios() {
    let wd = Workdir::new();
    let ec = model("export-controls-2023");
    let re = model("rare-earths");
    let sample = |m: &str, out: &str, extra: &[&str]| {
        let mut args = vec!["scenarios", m, "--samples", "400", "--seed", "9"];
        args.extend(["--out", out]);
        args.extend(extra);
        wd.run(&args).expect_code(0);
    };
    for (m, plan_from) in [(&ec, "p-ec"), (&re, "p-re")] {
        wd.run(&["solve", m, "--out", plan_from]).expect_code(0);
        let (rfc, eu) = (
            format!("{plan_from}/rfc.csv"),
            format!("{plan_from}/eu.csv"),
        );
        sample(m, &rfc, &[]);
        sample(m, &eu, &["--csv-dialect", "excel-eu"]);
        assert!(wd.read(&eu).starts_with("scenario;probability;"));
        let plan = format!("{plan_from}/allocation.csv");
        for (scen, out) in [(&rfc, "s-rfc"), (&eu, "s-eu")] {
            let dir = format!("{plan_from}/{out}");
            let r = wd.run(&[
                "stress",
                m,
                "--plan",
                &plan,
                "--scenarios",
                scen,
                "--out",
                &dir,
            ]);
            r.expect_code(0);
        }
        for f in ["stress.csv", "stress_summary.csv"] {
            let a = wd.read(&format!("{plan_from}/s-rfc/{f}"));
            let b = wd.read(&format!("{plan_from}/s-eu/{f}"));
            assert_eq!(a, b, "{f}: stress of the excel-eu scenarios differs");
        }
    }
    // solve --robust on the excel-eu file: the same plan and files as on the RFC one.
    let robust = |scen: &str, out: &str| {
        let args = ["solve", &re, "--robust", "--scenarios", scen, "--out", out];
        wd.run(&args).expect_code(0);
    };
    robust("p-re/rfc.csv", "r-rfc");
    robust("p-re/eu.csv", "r-eu");
    assert_eq!(wd.files_under("r-rfc"), wd.files_under("r-eu"));
    for f in wd.files_under("r-rfc") {
        let (a, b) = (
            wd.read(&format!("r-rfc/{f}")),
            wd.read(&format!("r-eu/{f}")),
        );
        assert_eq!(a, b, "{f}");
    }
}

/// Paths and bytes of every file under `dir`.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        // Results are the links; `.sourcemix` holds their generations.
        for e in entries.flatten().filter(|e| e.file_name() != ".sourcemix") {
            out.push((e.path(), std::fs::read(e.path()).unwrap()));
        }
    }
    out.sort();
    out
}

#[test]
fn refused_runs_write_nothing_and_keep_earlier_results() {
    let wd = Workdir::new();
    wd.write_bytes("blocker", b"a file, not a folder");
    for (k, s) in specs(&wd).iter().enumerate() {
        let fresh = format!("fresh{k}");
        let cmd = s.args[0].clone();
        // A bad flag value: a usage error before anything runs.
        let code = run(&wd, s, &fresh, &["--csv-dialect", "excel-us"]);
        assert_eq!(code, Some(2), "{cmd}");
        // A workbook name that is not .xlsx: refused as usage.
        let code = run(&wd, s, &fresh, &["--xlsx", "results.txt"]);
        assert_eq!(code, Some(2), "{cmd}");
        // A workbook under a file (its folder cannot be made): a write error.
        let code = run(&wd, s, &fresh, &["--xlsx", "blocker/r.xlsx"]);
        assert_eq!(code, Some(5), "{cmd}");
        assert!(!wd.path(&fresh).exists(), "{cmd} created {fresh}");
        assert!(!wd.path("results.txt").exists());
        // Earlier results stay byte for byte.
        let kept = format!("kept{k}");
        succeed(&wd, s, &kept, &[]);
        let before = snapshot(&wd.path(&kept));
        assert!(!before.is_empty());
        let code = run(&wd, s, &kept, &["--xlsx", "blocker/r.xlsx"]);
        assert_eq!(code, Some(5), "{cmd}");
        let code = run(
            &wd,
            s,
            &kept,
            &["--csv-dialect", "excel-eu", "--xlsx", "x.txt"],
        );
        assert_eq!(code, Some(2), "{cmd}");
        assert_eq!(snapshot(&wd.path(&kept)), before, "{cmd} touched {kept}");
    }
    assert_eq!(wd.read("blocker"), "a file, not a folder");
    // A workbook that would overwrite the model workbook being read: usage error.
    let book = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/rare-earths/model.xlsx");
    let original = read(&book);
    wd.write_bytes("m.xlsx", &original);
    let m = wd.path("m.xlsx").display().to_string();
    let runs: [&[&str]; 6] = [
        &["frontier", &m, "--measure", "hhi", "--points", "2"],
        &["policy", &m],
        &["explain", &m],
        &[
            "scenarios",
            &m,
            "--samples",
            "10",
            "--seed",
            "1",
            "--out",
            "s/x.csv",
        ],
        &["solve", &m, "--robust"],
        &["bench", &m, "--solvers", "clarabel"],
    ];
    for args in runs {
        let mut args = args.to_vec();
        args.extend(["--xlsx", "m.xlsx"]);
        wd.run(&args)
            .expect_code(2)
            .stderr_has("is the model being read");
        assert_eq!(read(&wd.path("m.xlsx")), original, "{}", args[0]);
    }
    let bench = [
        "bench",
        "--generate",
        "offers=20,minerals=1",
        "--solvers",
        "microlp",
    ];
    for (extra, code) in [
        (&["--csv-dialect", "semicolons"][..], 2),
        (&["--xlsx", "bench.csv"][..], 2),
        (&["--xlsx", "blocker/b.xlsx"][..], 5),
    ] {
        let mut args = bench.to_vec();
        args.extend(extra);
        wd.run(&args).expect_code(code);
    }
}
