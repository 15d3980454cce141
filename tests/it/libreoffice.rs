//! A real spreadsheet application opens the outputs: LibreOffice (headless) converts the
//! results workbooks (of solve and of solve --robust) and the CSV files under a German and an English locale, and every
//! numeric cell must arrive as a number equal to the value sourcemix wrote. As a control,
//! RFC 4180 CSV opened as German is shown to turn fractional numbers into text (the
//! problem the excel-eu dialect solves), so the comparison can fail.
//!
//! Skipped, with a message, when `soffice` is not installed (Debian:
//! libreoffice-calc-nogui; .ci/run installs it).

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::process::Command as Process;

use assert_cmd::Command;
use calamine::{open_workbook_auto_from_rs, Data, Reader};

const FILES: [&str; 3] = ["allocation", "summary", "constraints"];

/// The tables `solve --robust` adds (their CSVs are converted with solve's: the names
/// differ); its workbook holds [`FILES`] too.
const ROBUST_FILES: [&str; 2] = ["stress", "stress_summary"];

fn soffice() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join("soffice"))
        .find(|p| p.is_file())
}

/// Converts `inputs` to xlsx in `outdir` with LibreOffice under `lang` (e.g. de_DE), with
/// the CSV import filter options `filter` when given.
fn convert(
    soffice: &Path,
    work: &Path,
    lang: &str,
    filter: Option<&str>,
    inputs: &[PathBuf],
    outdir: &Path,
) {
    let profile = work.join(format!("profile-{lang}-{}", filter.is_some()));
    let mut cmd = Process::new(soffice);
    cmd.env("LC_ALL", format!("{lang}.UTF-8"))
        .env("LANG", format!("{lang}.UTF-8"))
        .env("HOME", work)
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .arg("--headless");
    if let Some(f) = filter {
        cmd.arg(format!("--infilter={f}"));
    }
    cmd.args(["--convert-to", "xlsx", "--outdir"])
        .arg(outdir)
        .args(inputs);
    let out = cmd.output().expect("soffice runs");
    assert!(
        out.status.success(),
        "soffice failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn sheets(path: &Path) -> Vec<(String, Vec<Vec<Data>>)> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut wb = open_workbook_auto_from_rs(Cursor::new(bytes)).unwrap();
    wb.sheet_names()
        .into_iter()
        .map(|n| {
            let r = wb.worksheet_range(&n).unwrap();
            (n, r.rows().map(|row| row.to_vec()).collect())
        })
        .collect()
}

/// The RFC 4180 CSV written by sourcemix: the reference values.
fn reference(dir: &Path, name: &str) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(dir.join(format!("{name}.csv")))
        .unwrap();
    r.records()
        .map(|rec| rec.unwrap().iter().map(String::from).collect())
        .collect()
}

/// Significant digits of a plain decimal.
fn significant_digits(text: &str) -> usize {
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    digits.trim_start_matches('0').trim_end_matches('0').len()
}

/// Counts numeric reference cells that arrived as the equal number, and lists those that
/// did not.
fn check_numbers(
    what: &str,
    cells: &[Vec<Data>],
    reference: &[Vec<String>],
) -> (usize, Vec<String>) {
    let (mut ok, mut bad) = (0, Vec::new());
    for (r, row) in reference.iter().enumerate() {
        for (c, text) in row.iter().enumerate() {
            let Ok(want) = text.parse::<f64>() else {
                continue;
            };
            let got = cells
                .get(r)
                .and_then(|row| row.get(c))
                .unwrap_or(&Data::Empty);
            let value = match got {
                Data::Float(f) => Some(*f),
                Data::Int(i) => Some(*i as f64),
                _ => None,
            };
            // Spreadsheets keep 15 significant digits: a longer written value (an exact
            // total of values of very different sizes) arrives rounded to them.
            let fifteen = |v: f64| format!("{v:.14e}");
            let long = significant_digits(text) > 15;
            if value == Some(want) || (long && value.map(fifteen) == Some(fifteen(want))) {
                ok += 1;
            } else {
                bad.push(format!(
                    "{what} row {} col {c}: wrote {text}, got {got:?}",
                    r + 1
                ));
            }
        }
    }
    (ok, bad)
}

#[test]
fn libreoffice_reads_every_number_under_german_and_english_locales() {
    let Some(soffice) = soffice() else {
        println!("skipped: soffice (LibreOffice) is not installed; install Debian's libreoffice-calc-nogui to run this test");
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let model = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/export-controls-2023");
    let (rfc, eu, book) = (w.join("rfc"), w.join("eu"), w.join("results.xlsx"));
    let solve = |out: &Path, extra: &[&str]| {
        Command::cargo_bin("sourcemix")
            .unwrap()
            .arg("solve")
            .arg(&model)
            .arg("--out")
            .arg(out)
            .args(extra)
            .assert()
            .success();
    };
    solve(&rfc, &[]);
    solve(
        &eu,
        &[
            "--csv-dialect",
            "excel-eu",
            "--xlsx",
            book.to_str().unwrap(),
        ],
    );
    // solve --robust (its totals carry more than 12 digits: exact sums).
    let (robust_rfc, robust_eu) = (w.join("robust-rfc"), w.join("robust-eu"));
    let robust_book = w.join("robust.xlsx");
    solve(&robust_rfc, &["--robust"]);
    solve(
        &robust_eu,
        &[
            "--robust",
            "--csv-dialect",
            "excel-eu",
            "--xlsx",
            robust_book.to_str().unwrap(),
        ],
    );
    let books = [book.clone(), robust_book];
    let robust_dir = |dir: &Path| if dir == rfc { &robust_rfc } else { &robust_eu };
    let csvs = |dir: &Path| -> Vec<PathBuf> {
        let solve = FILES.iter().map(|f| dir.join(format!("{f}.csv")));
        let robust = ROBUST_FILES
            .iter()
            .map(|f| robust_dir(dir).join(format!("{f}.csv")));
        solve.chain(robust).collect()
    };
    let mut total = 0;
    for lang in ["de_DE", "en_US"] {
        // The workbook: numbers are numbers whatever the locale.
        let out = w.join(format!("book-{lang}"));
        convert(&soffice, w, lang, None, &books, &out);
        let converted = sheets(&out.join("results.xlsx"));
        for name in FILES {
            let cells = &converted.iter().find(|(n, _)| n == name).unwrap().1;
            let (ok, bad) = check_numbers(
                &format!("{lang} xlsx {name}"),
                cells,
                &reference(&rfc, name),
            );
            assert!(bad.is_empty(), "{bad:#?}");
            total += ok;
        }
        let converted = sheets(&out.join("robust.xlsx"));
        for name in FILES.iter().chain(&ROBUST_FILES) {
            let cells = &converted.iter().find(|(n, _)| n == name).unwrap().1;
            let what = format!("{lang} robust xlsx {name}");
            let (ok, bad) = check_numbers(&what, cells, &reference(&robust_rfc, name));
            assert!(bad.is_empty(), "{bad:#?}");
            total += ok;
        }
    }
    // CSV: excel-eu as a German user opens it, RFC 4180 as an English user does.
    for (lang, dir, filter) in [
        ("de_DE", &eu, "CSV:59,34,76,1,,1031"),
        ("en_US", &rfc, "CSV:44,34,76,1,,1033"),
    ] {
        let out = w.join(format!("csv-{lang}"));
        convert(&soffice, w, lang, Some(filter), &csvs(dir), &out);
        for name in FILES {
            let cells = &sheets(&out.join(format!("{name}.xlsx")))[0].1;
            let (ok, bad) =
                check_numbers(&format!("{lang} csv {name}"), cells, &reference(&rfc, name));
            assert!(bad.is_empty(), "{bad:#?}");
            total += ok;
        }
        for name in ROBUST_FILES {
            let cells = &sheets(&out.join(format!("{name}.xlsx")))[0].1;
            let what = format!("{lang} robust csv {name}");
            let (ok, bad) = check_numbers(&what, cells, &reference(&robust_rfc, name));
            assert!(bad.is_empty(), "{bad:#?}");
            total += ok;
        }
    }
    assert!(total > 600, "only {total} numeric cells compared");
    // Control: RFC 4180 opened as German loses the fractional numbers.
    let out = w.join("control");
    convert(
        &soffice,
        w,
        "de_DE",
        Some("CSV:44,34,76,1,,1031"),
        &[rfc.join("allocation.csv")],
        &out,
    );
    let cells = &sheets(&out.join("allocation.xlsx"))[0].1;
    let (_, bad) = check_numbers("control", cells, &reference(&rfc, "allocation"));
    assert!(!bad.is_empty(), "German LibreOffice read RFC 4180 decimals as numbers; the check cannot tell the dialects apart");
}
