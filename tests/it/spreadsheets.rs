//! Spreadsheets: result workbooks read back with calamine cell by cell against the CSV
//! files; the excel-eu dialect against RFC 4180; models as workbooks (the bundled ones
//! equal their folders, errors name sheet and cell, conversion round-trips); `;`-separated
//! input with decimal commas; and the xlsx fuzz corpus replayed.

use crate::harness;

use std::io::Cursor;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use calamine::{open_workbook_auto_from_rs, Data, Reader};

fn sourcemix() -> Command {
    Command::cargo_bin("sourcemix").unwrap()
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

const MODELS: [&str; 3] = ["export-controls-2023", "rare-earths", "dual-sourcing"];

/// The sheets of a workbook file: name → rows of cells.
pub(crate) fn read_book(path: &Path) -> Vec<(String, Vec<Vec<Data>>)> {
    let bytes = std::fs::read(path).unwrap();
    let mut wb = open_workbook_auto_from_rs(Cursor::new(bytes)).unwrap();
    wb.sheet_names()
        .into_iter()
        .map(|name| {
            let range = wb.worksheet_range(&name).unwrap();
            let rows = range.rows().map(|r| r.to_vec()).collect();
            (name, rows)
        })
        .collect()
}

pub(crate) fn csv_records(path: &Path, sep: u8) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new()
        .delimiter(sep)
        .has_headers(false)
        .from_path(path)
        .unwrap();
    r.records()
        .map(|rec| rec.unwrap().iter().map(String::from).collect())
        .collect()
}

/// A CSV cell and a workbook cell hold the same thing: text as text, numbers as numbers
/// of exactly the written value, booleans as booleans, empty as empty.
pub(crate) fn same_cell(text: &str, cell: &Data) -> bool {
    match cell {
        Data::Empty => text.is_empty(),
        Data::String(s) => s == text && text.parse::<f64>().is_err(),
        Data::Float(f) => text.parse::<f64>().ok() == Some(*f),
        Data::Int(i) => text.parse::<f64>().ok() == Some(*i as f64),
        Data::Bool(b) => text == if *b { "true" } else { "false" },
        _ => false,
    }
}

fn compare_sheet(book: &[(String, Vec<Vec<Data>>)], sheet: &str, csv: &Path) {
    let (_, rows) = book
        .iter()
        .find(|(n, _)| n == sheet)
        .unwrap_or_else(|| panic!("no sheet {sheet}"));
    let records = csv_records(csv, b',');
    assert_eq!(rows.len(), records.len(), "{sheet}: row count");
    for (r, (row, rec)) in rows.iter().zip(&records).enumerate() {
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

#[test]
fn result_workbooks_hold_the_csv_values_cell_by_cell() {
    let tmp = tempfile::tempdir().unwrap();
    for name in MODELS {
        let model = root().join("models").join(name);
        let out = tmp.path().join(name);
        let book = tmp.path().join(format!("{name}.xlsx"));
        sourcemix()
            .args([
                "solve".as_ref(),
                model.as_os_str(),
                "--out".as_ref(),
                out.as_os_str(),
            ])
            .arg("--xlsx")
            .arg(&book)
            .assert()
            .success();
        let sheets = read_book(&book);
        let names: Vec<&str> = sheets.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["allocation", "summary", "constraints", "inputs"]);
        for sheet in ["allocation", "summary", "constraints"] {
            compare_sheet(&sheets, sheet, &out.join(format!("{sheet}.csv")));
        }
        let inputs = &sheets[3].1;
        assert_eq!(inputs[0][0], Data::String("item".into()));
        assert!(inputs.iter().any(|r| r[0] == Data::String("demand".into())));

        let stress_out = tmp.path().join(format!("{name}-stress"));
        let stress_book = tmp.path().join(format!("{name}-stress.xlsx"));
        sourcemix()
            .arg("stress")
            .arg(&model)
            .arg("--plan")
            .arg(out.join("allocation.csv"))
            .arg("--out")
            .arg(&stress_out)
            .arg("--xlsx")
            .arg(&stress_book)
            .assert()
            .success();
        let sheets = read_book(&stress_book);
        for sheet in ["stress", "stress_summary"] {
            compare_sheet(&sheets, sheet, &stress_out.join(format!("{sheet}.csv")));
        }
    }
}

#[test]
fn the_excel_eu_dialect_writes_the_same_values() {
    let tmp = tempfile::tempdir().unwrap();
    let model = root().join("models/export-controls-2023");
    let (rfc, eu) = (tmp.path().join("rfc"), tmp.path().join("eu"));
    sourcemix()
        .arg("solve")
        .arg(&model)
        .arg("--out")
        .arg(&rfc)
        .assert()
        .success();
    sourcemix()
        .arg("solve")
        .arg(&model)
        .arg("--out")
        .arg(&eu)
        .args(["--csv-dialect", "excel-eu"])
        .assert()
        .success();
    for file in ["allocation.csv", "summary.csv", "constraints.csv"] {
        let a = csv_records(&rfc.join(file), b',');
        let b = csv_records(&eu.join(file), b';');
        assert_eq!(a.len(), b.len());
        for (ra, rb) in a.iter().zip(&b) {
            for (x, y) in ra.iter().zip(rb) {
                if x.parse::<f64>().is_ok() {
                    assert_eq!(*x, y.replace(',', "."), "{file}");
                    assert!(!y.contains('.'), "{file}: {y}");
                } else {
                    assert_eq!(x, y, "{file}");
                }
            }
        }
    }
    // The EU allocation reads back as a plan (`;` and decimal commas detected).
    sourcemix()
        .arg("stress")
        .arg(&model)
        .arg("--plan")
        .arg(eu.join("allocation.csv"))
        .arg("--out")
        .arg(tmp.path().join("s"))
        .assert()
        .success()
        .stderr(predicates::str::contains("decimal commas"));
}

#[test]
fn bundled_workbooks_equal_their_folders() {
    let tmp = tempfile::tempdir().unwrap();
    for name in MODELS {
        let dir = root().join("models").join(name);
        let book = dir.join("model.xlsx");
        let from_folder = sourcemix::input::load_model(&dir).unwrap();
        let from_book = sourcemix::input::load_model(&book).unwrap();
        assert_eq!(from_folder, from_book, "{name}");
        // The shipped workbook is what convert writes, and converts back byte for byte.
        let again = tmp.path().join(format!("{name}.xlsx"));
        sourcemix::tools::convert::convert(&dir, &again).unwrap();
        assert_eq!(
            std::fs::read(&again).unwrap(),
            std::fs::read(&book).unwrap(),
            "{name}"
        );
        let back = tmp.path().join(name);
        sourcemix::tools::convert::convert(&book, &back).unwrap();
        // Every model file (other files, such as correlation.csv, are not model sheets).
        for (_, file) in sourcemix::input::workbook::SHEETS {
            let p = dir.join(file);
            if p.exists() {
                assert_eq!(
                    std::fs::read(back.join(file)).unwrap(),
                    std::fs::read(&p).unwrap(),
                    "{name}/{file}"
                );
            }
        }
    }
}

#[test]
fn solving_a_workbook_writes_what_the_folder_writes() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = root().join("models/export-controls-2023");
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    sourcemix()
        .arg("solve")
        .arg(&dir)
        .arg("--out")
        .arg(&a)
        .assert()
        .success();
    sourcemix()
        .arg("solve")
        .arg(dir.join("model.xlsx"))
        .arg("--out")
        .arg(&b)
        .assert()
        .success();
    for file in ["allocation.csv", "summary.csv", "constraints.csv"] {
        assert_eq!(
            std::fs::read(a.join(file)).unwrap(),
            std::fs::read(b.join(file)).unwrap()
        );
    }
}

#[test]
fn a_results_workbook_never_overwrites_the_model_workbook() {
    let tmp = tempfile::tempdir().unwrap();
    let book = tmp.path().join("model.xlsx");
    std::fs::copy(root().join("models/rare-earths/model.xlsx"), &book).unwrap();
    let before = std::fs::read(&book).unwrap();
    sourcemix()
        .arg("solve")
        .arg(&book)
        .arg("--xlsx")
        .arg(&book)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("is the model being read"));
    assert_eq!(std::fs::read(&book).unwrap(), before);
    assert!(!tmp.path().join("results").exists());
}

#[test]
fn numbers_round_trip_exactly_through_a_workbook() {
    let values = [
        "0.1",
        "0.30000000000000004",
        "123456789.123456",
        "0.000001",
        "1e3",
    ];
    let mut suppliers = String::from("supplier,mineral,country,unit_cost,capacity\n");
    for (k, v) in values.iter().enumerate() {
        suppliers.push_str(&format!("s{k},ga,AUS,{v},1000\n"));
    }
    let dir = crate::common::write_model(&[
        ("suppliers.csv", &suppliers),
        ("demand.csv", "mineral,quantity\nga,10\n"),
    ]);
    let book = dir.path().join("m.xlsx");
    sourcemix::tools::convert::convert(dir.path(), &book).unwrap();
    let back = dir.path().join("back");
    sourcemix::tools::convert::convert(&book, &back).unwrap();
    let a = crate::common::load(dir.path());
    let b = crate::common::load(&back);
    let c = sourcemix::input::load_model(&book).unwrap();
    let costs = |m: &sourcemix::Model| m.offers.iter().map(|o| o.unit_cost).collect::<Vec<_>>();
    assert_eq!(costs(&a), costs(&b));
    assert_eq!(costs(&a), costs(&c));
    let text = std::fs::read_to_string(back.join("suppliers.csv")).unwrap();
    assert!(text.contains(",0.30000000000000004,"), "{text}");
    assert!(text.contains(",1000,"), "{text}");
}

#[test]
fn workbook_errors_name_sheet_cell_row_and_column() {
    let dir = crate::common::write_model(&[
        (
            "suppliers.csv",
            "supplier,mineral,country,unit_cost\na,ga,AUS,10\nb,ga,CHN,cheap\n",
        ),
        ("demand.csv", "mineral,quantity\nga,10\n"),
    ]);
    let book = dir.path().join("x.xlsx");
    sourcemix::tools::convert::convert(dir.path(), &book).unwrap();
    let err = sourcemix::input::load_model(&book).unwrap_err().to_string();
    assert!(
        err.contains("x.xlsx: sheet suppliers, cell D3 (row 3, column unit_cost): \"cheap\""),
        "{err}"
    );
    sourcemix()
        .arg("solve")
        .arg(&book)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("sheet suppliers, cell D3"));
}

#[test]
fn semicolon_files_with_decimal_commas_solve_like_rfc_files() {
    let rfc = crate::common::write_model(&[
        (
            "suppliers.csv",
            "supplier,mineral,country,unit_cost,capacity\na,ga,AUS,10.5,60\nb,ga,CHN,9.25,70\n",
        ),
        ("demand.csv", "mineral,quantity\nga,100\n"),
        (
            "constraints.csv",
            "constraint,mineral,target,bound\nmax_country_share,ga,CHN,0.45\n",
        ),
    ]);
    let eu = crate::common::write_model(&[
        (
            "suppliers.csv",
            "supplier;mineral;country;unit_cost;capacity\na;ga;AUS;10,5;60\nb;ga;CHN;9,25;70\n",
        ),
        ("demand.csv", "mineral;quantity\nga;100\n"),
        (
            "constraints.csv",
            "constraint;mineral;target;bound\nmax_country_share;ga;CHN;0,45\n",
        ),
    ]);
    let a = crate::common::load(rfc.path());
    let b = crate::common::load_all(eu.path());
    assert_eq!(a.offers, b.offers);
    assert_eq!(a.policy, b.policy);
    assert!(
        b.warnings.iter().any(|w| w.contains("decimal commas")),
        "{:?}",
        b.warnings
    );
    // Hand-solved: CHN is cheaper but capped at 45; AUS takes 55.
    let s = crate::common::solve_kind(&b, sourcemix::engine::SolverKind::Clarabel);
    assert_eq!(crate::common::qty(&b, &s, "ga", "b"), 45.0);
    assert_eq!(crate::common::qty(&b, &s, "ga", "a"), 55.0);
}

#[test]
fn xlsx_fuzz_corpus_replays_without_panic() {
    let mut n = 0;
    for dir in [
        "fuzz/corpus/xlsx_model",
        "tests/fuzz-regressions/xlsx_model",
    ] {
        let Ok(entries) = std::fs::read_dir(root().join(dir)) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        paths.sort();
        for p in paths.iter().filter(|p| p.is_file()) {
            harness::xlsx_model(&std::fs::read(p).unwrap());
            n += 1;
        }
    }
    assert!(n >= 3, "the xlsx seed corpus is missing ({n} files)");
}

mod random_workbooks {
    //! Structure-aware fuzzing on every test run: workbooks with model sheets of random
    //! typed cells (numbers of any size and sign, text with separators, quotes and line
    //! breaks, booleans, gaps), and byte-mutated seed workbooks, must never panic.
    use proptest::prelude::*;
    use rust_xlsxwriter::Workbook;

    #[derive(Debug, Clone)]
    enum Cell {
        Num(f64),
        Text(String),
        Bool(bool),
        Empty,
    }

    const COLUMNS: &[&str] = &[
        "supplier",
        "mineral",
        "country",
        "unit_cost",
        "capacity",
        "quantity",
        "risk",
        "constraint",
        "target",
        "bound",
        "unmet_penalty",
        "bogus",
    ];

    fn cell() -> impl Strategy<Value = Cell> {
        prop_oneof![
            prop_oneof![
                Just(0.0),
                Just(-1.0),
                Just(1e308),
                Just(0.5),
                0.0f64..2000.0
            ]
            .prop_map(Cell::Num),
            prop_oneof![
                Just("ga".to_string()),
                Just("AUS".to_string()),
                Just("max_country_share".to_string()),
                Just("*".to_string()),
                "[a-c0-9,;\"\n. ]{0,6}",
            ]
            .prop_map(Cell::Text),
            any::<bool>().prop_map(Cell::Bool),
            Just(Cell::Empty),
        ]
    }

    /// (which model sheet, header columns, rows of cells).
    type Sheet = (usize, Vec<usize>, Vec<Vec<Cell>>);

    fn sheet() -> impl Strategy<Value = Sheet> {
        (
            0usize..5,
            prop::collection::vec(0..COLUMNS.len(), 1..6),
            prop::collection::vec(prop::collection::vec(cell(), 0..7), 0..6),
        )
    }

    fn book(sheets: &[Sheet]) -> Vec<u8> {
        let mut wb = Workbook::new();
        let mut used = std::collections::BTreeSet::new();
        for (s, header, rows) in sheets {
            let name = sourcemix::input::workbook::SHEETS[*s].0;
            if !used.insert(name) {
                continue;
            }
            let ws = wb.add_worksheet();
            ws.set_name(name).unwrap();
            for (c, &h) in header.iter().enumerate() {
                ws.write_string(0, c as u16, COLUMNS[h]).unwrap();
            }
            for (r, row) in rows.iter().enumerate() {
                for (c, cell) in row.iter().enumerate() {
                    let (r, c) = (r as u32 + 1, c as u16);
                    match cell {
                        Cell::Num(v) => drop(ws.write_number(r, c, *v)),
                        Cell::Text(t) => drop(ws.write_string(r, c, t)),
                        Cell::Bool(b) => drop(ws.write_boolean(r, c, *b)),
                        Cell::Empty => {}
                    }
                }
            }
        }
        wb.save_to_buffer().unwrap()
    }

    /// The case the mutation test found: one byte of rare-earths' workbook changed makes a
    /// sheet's <dimension> end before it starts (calamine subtracted the corners unchecked
    /// and a debug build panicked). It is read or refused, never a panic.
    #[test]
    fn a_dimension_that_ends_before_it_starts_is_no_panic() {
        let mut data = std::fs::read(super::root().join("models/rare-earths/model.xlsx")).unwrap();
        let at = 16195 % data.len();
        data[at] = 72;
        super::harness::xlsx_model(&data);
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: std::env::var("SOURCEMIX_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(48),
            failure_persistence: None,
            .. ProptestConfig::default()
        })]

        #[test]
        fn random_workbooks_never_panic(sheets in prop::collection::vec(sheet(), 0..5)) {
            super::harness::xlsx_model(&book(&sheets));
        }

        #[test]
        fn mutated_workbooks_never_panic(at in 0usize..20_000, bytes in prop::collection::vec(any::<u8>(), 1..8)) {
            let seed = std::fs::read(super::root().join("models/rare-earths/model.xlsx")).unwrap();
            let mut data = seed.clone();
            let at = at % data.len();
            let end = (at + bytes.len()).min(data.len());
            data.splice(at..end, bytes);
            super::harness::xlsx_model(&data);
        }
    }
}
