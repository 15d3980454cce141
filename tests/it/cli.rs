//! The `sourcemix` binary, run in temporary folders: outputs and headers of SPEC §4, exit
//! codes and messages of SPEC §5, refused runs writing nothing, determinism.

use crate::common::cli::Workdir;

// ---------------------------------------------------------------------------------------
// models
// ---------------------------------------------------------------------------------------

const SUPPLIERS: &str = "supplier,mineral,country,unit_cost,capacity\n\
A,gallium,CHN,10,\n\
B,gallium,AUS,12,30\n\
C,gallium,USA,13,\n\
A,germanium,CHN,20,\n\
G,germanium,AUS,25,\n";
const DEMAND: &str = "mineral,quantity\ngermanium,50\ngallium,100\n";
const COUNTRIES: &str =
    "country,risk,groups,tariff\nCHN,0.9,,\nAUS,0.1,MSP;OECD,\nUSA,0.2,MSP,0.1\n";
const CONSTRAINTS: &str = "constraint,mineral,target,bound\nmax_country_share,*,CHN,0.5\n";

// The good model, solved by hand:
// gallium D = 100: CHN ≤ 50 → A 50 at 10; then B (AUS, 12) 30 at its capacity; then
//   C (USA, 13 · 1.1 tariff = 14.3) 20. Cost 500 + 360 + 286 = 1146.
//   HHI 0.25 + 0.09 + 0.04 = 0.38; avg risk (0.9·50 + 0.1·30 + 0.2·20)/100 = 0.52.
//   Shadow price of CHN ≤ 0.5: one unit of bound moves 100 from C to A: −100·4.3 = −430.
// germanium D = 50: CHN ≤ 25 → A 25 at 20, G 25 at 25. Cost 500 + 625 = 1125.
//   Shadow price: −50·(25 − 20) = −250.
// Total 2271.

fn good_files() -> Vec<(&'static str, &'static str)> {
    vec![
        ("suppliers.csv", SUPPLIERS),
        ("demand.csv", DEMAND),
        ("countries.csv", COUNTRIES),
        ("constraints.csv", CONSTRAINTS),
    ]
}

/// The good model with one file replaced (or added).
fn with_file(name: &'static str, text: &'static str) -> Vec<(&'static str, &'static str)> {
    let mut files: Vec<_> = good_files()
        .into_iter()
        .filter(|(n, _)| *n != name)
        .collect();
    files.push((name, text));
    files
}

const ALLOCATION_HEADER: &str = "mineral,supplier,country,quantity,share,landed_unit_cost,cost";
const SUMMARY_HEADER: &str = "mineral,demand,purchased,unmet,cost,avg_unit_cost,hhi,risk_hhi,avg_risk,top_country,top_country_share,suppliers,countries";
const CONSTRAINTS_HEADER: &str =
    "constraint,mineral,target,bound,value,slack,binding,shadow_price,shadow_price_per_point";
const RESULT_FILES: [&str; 3] = ["allocation.csv", "constraints.csv", "summary.csv"];

fn csv_rows(text: &str) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    r.records()
        .map(|rec| rec.unwrap().iter().map(str::to_string).collect())
        .collect()
}

// ---------------------------------------------------------------------------------------
// solve: outputs
// ---------------------------------------------------------------------------------------

#[test]
fn solve_writes_three_csvs_with_spec_headers() {
    let wd = Workdir::with_model(&good_files());
    wd.run(&["solve", "model"]).expect_code(0);
    assert_eq!(wd.files_under("model/results"), RESULT_FILES.to_vec());
    let first = |f: &str| {
        wd.read(&format!("model/results/{f}"))
            .lines()
            .next()
            .unwrap_or("")
            .to_string()
    };
    assert_eq!(first("allocation.csv"), ALLOCATION_HEADER);
    assert_eq!(first("summary.csv"), SUMMARY_HEADER);
    assert_eq!(first("constraints.csv"), CONSTRAINTS_HEADER);
}

#[test]
fn allocation_sorted_by_mineral_then_quantity_descending() {
    let wd = Workdir::with_model(&good_files());
    wd.run(&["solve", "model"]).expect_code(0);
    let rows = csv_rows(&wd.read("model/results/allocation.csv"));
    let body: Vec<(String, String, f64)> = rows[1..]
        .iter()
        .map(|r| (r[0].clone(), r[1].clone(), r[3].parse::<f64>().unwrap()))
        .collect();
    let got: Vec<(&str, &str)> = body
        .iter()
        .map(|(m, s, _)| (m.as_str(), s.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("gallium", "A"),
            ("gallium", "B"),
            ("gallium", "C"),
            ("germanium", "A"),
            ("germanium", "G"),
        ],
        "allocation rows in the wrong order:\n{}",
        wd.read("model/results/allocation.csv")
    );
    for w in body.windows(2) {
        assert!(
            w[0].0 < w[1].0 || (w[0].0 == w[1].0 && w[0].2 >= w[1].2),
            "not sorted: {w:?}"
        );
    }
    let quantities: Vec<f64> = body.iter().map(|r| r.2).collect();
    for (q, want) in quantities.iter().zip([50.0, 30.0, 20.0, 25.0, 25.0]) {
        assert!((q - want).abs() < 1e-6, "{quantities:?}");
    }
    // every listed quantity is > 0 (SPEC §4: one row per offer with quantity > 0)
    assert!(quantities.iter().all(|&q| q > 0.0));
}

#[test]
fn summary_has_one_row_per_mineral_then_a_total_row() {
    let wd = Workdir::with_model(&good_files());
    wd.run(&["solve", "model"]).expect_code(0);
    let rows = csv_rows(&wd.read("model/results/summary.csv"));
    let minerals: Vec<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(minerals, vec!["gallium", "germanium", "*"]);
    let total = rows.last().unwrap();
    let cost: f64 = total[4].parse().unwrap();
    assert!((cost - 2271.0).abs() < 1e-6, "total row {total:?}");
    let demand: f64 = total[1].parse().unwrap();
    assert!((demand - 150.0).abs() < 1e-9, "total row {total:?}");
}

/// Rows of a result CSV as header-keyed maps.
fn keyed(text: &str) -> Vec<std::collections::BTreeMap<String, String>> {
    let rows = csv_rows(text);
    let header = &rows[0];
    rows[1..]
        .iter()
        .map(|r| header.iter().cloned().zip(r.iter().cloned()).collect())
        .collect()
}

#[track_caller]
fn num(row: &std::collections::BTreeMap<String, String>, col: &str) -> f64 {
    let cell = row
        .get(col)
        .unwrap_or_else(|| panic!("no column {col} in {row:?}"));
    cell.parse()
        .unwrap_or_else(|_| panic!("{col} = {cell:?} is not a number in {row:?}"))
}

#[track_caller]
fn near(a: f64, b: f64, what: &str) {
    assert!(
        (a - b).abs() <= 1e-6 * b.abs().max(1.0),
        "{what}: {a} vs {b}"
    );
}

#[test]
fn result_values_match_the_hand_solution() {
    let wd = Workdir::with_model(&good_files());
    wd.run(&["solve", "model"]).expect_code(0);
    let alloc = keyed(&wd.read("model/results/allocation.csv"));
    let c = alloc
        .iter()
        .find(|r| r["mineral"] == "gallium" && r["supplier"] == "C")
        .expect("gallium C row");
    assert_eq!(c["country"], "USA");
    near(num(c, "quantity"), 20.0, "C quantity");
    near(num(c, "share"), 0.2, "C share");
    near(num(c, "landed_unit_cost"), 14.3, "C landed cost (13 · 1.1)");
    near(num(c, "cost"), 286.0, "C cost");

    let summary = keyed(&wd.read("model/results/summary.csv"));
    let ga = &summary[0];
    assert_eq!(ga["mineral"], "gallium");
    near(num(ga, "demand"), 100.0, "demand");
    near(num(ga, "purchased"), 100.0, "purchased");
    near(num(ga, "unmet"), 0.0, "unmet");
    near(num(ga, "cost"), 1146.0, "gallium cost");
    near(num(ga, "avg_unit_cost"), 11.46, "avg unit cost");
    near(num(ga, "hhi"), 0.38, "hhi");
    near(
        num(ga, "risk_hhi"),
        0.9 * 0.25 + 0.1 * 0.09 + 0.2 * 0.04,
        "risk_hhi",
    );
    near(num(ga, "avg_risk"), 0.52, "avg_risk");
    assert_eq!(ga["top_country"], "CHN");
    near(num(ga, "top_country_share"), 0.5, "top share");
    assert_eq!(ga["suppliers"], "3");
    assert_eq!(ga["countries"], "3");
    let ge = &summary[1];
    near(num(ge, "cost"), 1125.0, "germanium cost");
    near(num(ge, "hhi"), 0.5, "germanium hhi");
    near(num(ge, "top_country_share"), 0.5, "germanium top share");
    let total = &summary[2];
    near(num(total, "cost"), 2271.0, "total cost");
    near(num(total, "purchased"), 150.0, "total purchased");

    // constraints.csv: `max_country_share,*,CHN` expands to one row per mineral.
    let rows = keyed(&wd.read("model/results/constraints.csv"));
    assert_eq!(rows.len(), 2, "{rows:?}");
    for (mineral, shadow) in [("gallium", -430.0), ("germanium", -250.0)] {
        let r = rows
            .iter()
            .find(|r| r["mineral"] == mineral)
            .unwrap_or_else(|| panic!("no {mineral} row in {rows:?}"));
        assert_eq!(r["constraint"], "max_country_share");
        assert_eq!(r["target"], "CHN");
        near(num(r, "bound"), 0.5, "bound");
        near(num(r, "value"), 0.5, "value");
        near(num(r, "slack"), 0.0, "slack");
        assert_eq!(r["binding"], "true");
        near(num(r, "shadow_price"), shadow, "shadow price");
    }
}

#[test]
fn star_target_rows_expand_per_mineral_and_country() {
    let wd = Workdir::with_model(&with_file(
        "constraints.csv",
        "constraint,mineral,target,bound\nmax_country_share,*,*,0.5\n",
    ));
    wd.run(&["solve", "model"]).expect_code(0);
    let rows = keyed(&wd.read("model/results/constraints.csv"));
    // every (mineral, country) pair with an offer has its row
    for (m, c) in [
        ("gallium", "CHN"),
        ("gallium", "AUS"),
        ("gallium", "USA"),
        ("germanium", "CHN"),
        ("germanium", "AUS"),
    ] {
        let r = rows
            .iter()
            .find(|r| r["mineral"] == m && r["target"] == c)
            .unwrap_or_else(|| panic!("no row for {m} {c}: {rows:?}"));
        let value = num(r, "value");
        assert!(value <= 0.5 + 1e-7, "{m} {c}: {value}");
        near(num(r, "slack"), 0.5 - value, "slack = bound − value");
    }
}

// Tiny and huge quantities must still be written as plain decimals (SPEC §4): a used
// offer at 1e-6 of demand (min_suppliers) and a demand of 1e15.
#[test]
fn csv_numbers_are_plain_decimals() {
    let wd = Workdir::with_model(&[
        (
            "suppliers.csv",
            "supplier,mineral,country,unit_cost\nA,gallium,CHN,10\nB,gallium,AUS,12\nA,indium,CHN,0.000003\n",
        ),
        ("demand.csv", "mineral,quantity\ngallium,100\nindium,1000000000000000\n"),
        ("constraints.csv", "constraint,mineral,target,bound\nmin_suppliers,gallium,,2\n"),
    ]);
    wd.run(&["solve", "model"]).expect_code(0);
    let plain = |cell: &str| {
        let body = cell.strip_prefix('-').unwrap_or(cell);
        !body.is_empty()
            && body.chars().all(|c| c.is_ascii_digit() || c == '.')
            && body.chars().filter(|&c| c == '.').count() <= 1
    };
    for f in RESULT_FILES {
        let text = wd.read(&format!("model/results/{f}"));
        for row in &csv_rows(&text)[1..] {
            for cell in row {
                if cell.parse::<f64>().is_ok() {
                    assert!(plain(cell), "{f}: {cell:?} is not a plain decimal\n{text}");
                }
            }
        }
    }
    let alloc = keyed(&wd.read("model/results/allocation.csv"));
    let b = alloc
        .iter()
        .find(|r| r["supplier"] == "B")
        .expect("B is used");
    near(num(b, "quantity"), 1e-4, "B at 1e-6 of demand");
}

#[test]
fn out_dir_flag_writes_there_only() {
    let wd = Workdir::with_model(&good_files());
    wd.run(&["solve", "model", "--out", "elsewhere/deep"])
        .expect_code(0);
    assert_eq!(wd.files_under("elsewhere/deep"), RESULT_FILES.to_vec());
    assert!(
        wd.files_under("model/results").is_empty(),
        "default folder used despite --out"
    );
}

#[test]
fn json_format_parses_and_says_optimal() {
    let wd = Workdir::with_model(&good_files());
    let run = wd.run(&["solve", "model", "--format", "json"]);
    run.expect_code(0);
    let v: serde_json::Value = serde_json::from_str(&run.stdout())
        .unwrap_or_else(|e| panic!("stdout is not one JSON document: {e}\n{run}"));
    // The status may sit at the top level or in a nested report object.
    let status = v
        .get("status")
        .or_else(|| v.get("report").and_then(|r| r.get("status")))
        .unwrap_or_else(|| panic!("no status in the JSON\n{run}"));
    assert_eq!(status, "optimal", "{run}");
    // The same content as allocation.csv: somewhere, a list of 5 allocation records.
    fn find_allocation(v: &serde_json::Value) -> Option<usize> {
        match v {
            serde_json::Value::Array(items)
                if !items.is_empty()
                    && items
                        .iter()
                        .all(|i| i.get("supplier").is_some() && i.get("quantity").is_some()) =>
            {
                Some(items.len())
            }
            serde_json::Value::Array(items) => items.iter().find_map(find_allocation),
            serde_json::Value::Object(map) => map.values().find_map(find_allocation),
            _ => None,
        }
    }
    assert_eq!(find_allocation(&v), Some(5), "{run}");
    // stdout is JSON only; the files are still written
    assert_eq!(wd.files_under("model/results"), RESULT_FILES.to_vec());
}

#[test]
fn mineral_name_case_mismatch_is_accepted() {
    let wd = Workdir::with_model(&[
        (
            "suppliers.csv",
            "supplier,mineral,country,unit_cost\nA,Gallium,CHN,10\nB,GALLIUM,AUS,12\n",
        ),
        ("demand.csv", "mineral,quantity\ngallium,100\n"),
    ]);
    wd.run(&["solve", "model"]).expect_code(0);
    let rows = csv_rows(&wd.read("model/results/allocation.csv"));
    assert_eq!(rows.len(), 2, "one allocation row expected: {rows:?}");
    assert_eq!(rows[1][1], "A");
}

// BOM, CRLF line ends, quoted fields, spaces around cells, columns in another order and
// an unknown column: accepted, with a warning naming the unknown column.
#[test]
fn bom_crlf_quotes_and_extra_column_accepted_with_warning() {
    let wd = Workdir::with_model(&[("demand.csv", "mineral,quantity\r\ngallium,100\r\n")]);
    wd.write_bytes(
        "model/suppliers.csv",
        b"\xEF\xBB\xBF\"unit_cost\", supplier ,mineral,country,notes\r\n\"10\",\"A\",gallium,CHN,\"cheap, but risky\"\r\n 12 ,B, gallium ,AUS,\r\n",
    );
    let run = wd.run(&["solve", "model"]);
    run.expect_code(0).stderr_has("notes");
    assert!(run.stderr().to_lowercase().contains("warning"), "{run}");
    let rows = csv_rows(&wd.read("model/results/allocation.csv"));
    assert_eq!(rows[1][1], "A", "{rows:?}");
    assert_eq!(rows[1][3], "100", "{rows:?}");
}

// Ties (identical offers, two countries at the same landed cost) may be broken any way
// but the same way every time, and the same with one thread or two (SPEC §2).
#[test]
fn determinism_same_input_same_bytes() {
    let wd = Workdir::with_model(&[
        (
            "suppliers.csv",
            "supplier,mineral,country,unit_cost,capacity\n\
             A,gallium,CHN,10,\nA2,gallium,CHN,10,\nB,gallium,AUS,11,\nB2,gallium,USA,11,\n\
             A,germanium,CHN,20,30\nG,germanium,AUS,20,30\nH,germanium,USA,20,\n\
             K,indium,AUS,5,\nL,indium,USA,5,\n",
        ),
        (
            "demand.csv",
            "mineral,quantity\ngallium,100\ngermanium,50\nindium,7\n",
        ),
        ("countries.csv", COUNTRIES),
        (
            "constraints.csv",
            "constraint,mineral,target,bound\nmax_country_share,*,*,0.5\nmax_avg_risk,*,,0.6\n",
        ),
    ]);
    wd.run(&["solve", "model", "--out", "one"]).expect_code(0);
    wd.run(&["solve", "model", "--out", "two"]).expect_code(0);
    wd.run(&["solve", "model", "--out", "t1", "--threads", "1"])
        .expect_code(0);
    wd.run(&["solve", "model", "--out", "t2", "--threads", "2"])
        .expect_code(0);
    for f in RESULT_FILES {
        let one = std::fs::read(wd.path(&format!("one/{f}"))).unwrap();
        assert_eq!(
            one,
            std::fs::read(wd.path(&format!("two/{f}"))).unwrap(),
            "{f} differs between runs"
        );
        let t1 = std::fs::read(wd.path(&format!("t1/{f}"))).unwrap();
        assert_eq!(
            t1,
            std::fs::read(wd.path(&format!("t2/{f}"))).unwrap(),
            "{f} differs between --threads 1 and 2"
        );
        assert_eq!(one, t1, "{f} differs with --threads 1");
    }
}

// ---------------------------------------------------------------------------------------
// bad input: exit 2, the message names the file, line and column
// ---------------------------------------------------------------------------------------

/// Runs `solve` on `files` and asserts exit 2, a message naming `file` (and
/// `file:line` and the column when given) and every `extra` text, and that nothing was
/// written.
#[track_caller]
fn bad_input(
    files: &[(&str, &str)],
    file: &str,
    line: Option<u64>,
    column: Option<&str>,
    extra: &[&str],
) {
    let wd = Workdir::with_model(files);
    let run = wd.run(&["solve", "model", "--out", "out"]);
    run.expect_code(2).stderr_has(file);
    if let Some(line) = line {
        run.stderr_has(&format!("{file}:{line}"));
    }
    if let Some(column) = column {
        run.stderr_has(column);
    }
    for e in extra {
        run.stderr_has(e);
    }
    assert!(
        wd.files_under("out").is_empty(),
        "a refused run wrote files: {:?}",
        wd.files_under("out")
    );
    assert!(wd.files_under("model/results").is_empty());
}

#[test]
fn missing_required_file() {
    let files: Vec<_> = good_files()
        .into_iter()
        .filter(|(n, _)| *n != "demand.csv")
        .collect();
    bad_input(&files, "demand.csv", None, None, &[]);
    let files: Vec<_> = good_files()
        .into_iter()
        .filter(|(n, _)| *n != "suppliers.csv")
        .collect();
    bad_input(&files, "suppliers.csv", None, None, &[]);
}

#[test]
fn missing_required_column_lists_found_columns() {
    bad_input(
        &with_file(
            "suppliers.csv",
            "supplier,mineral,country,capacity\nA,gallium,CHN,5\nA,germanium,CHN,5\n",
        ),
        "suppliers.csv",
        Some(1),
        Some("unit_cost"),
        &["supplier", "mineral", "country", "capacity"],
    );
    // the found columns are listed, not just the expected ones
    let wd = Workdir::with_model(&with_file(
        "demand.csv",
        "mineral,qty\ngallium,100\ngermanium,50\n",
    ));
    let run = wd.run(&["solve", "model"]);
    run.expect_code(2)
        .stderr_has("demand.csv:1")
        .stderr_has("quantity")
        .stderr_has("qty");
}

// Column names are matched exactly, in lower case (SPEC §1).
#[test]
fn column_names_are_case_sensitive() {
    bad_input(
        &with_file(
            "suppliers.csv",
            "supplier,mineral,country,Unit_Cost\nA,gallium,CHN,10\nA,germanium,CHN,20\n",
        ),
        "suppliers.csv",
        Some(1),
        Some("unit_cost"),
        &["Unit_Cost"],
    );
}

#[test]
fn thousands_separator_gets_a_hint() {
    bad_input(
        &with_file(
            "demand.csv",
            "mineral,quantity\ngermanium,50\ngallium,\"1,250\"\n",
        ),
        "demand.csv",
        Some(3),
        Some("quantity"),
        &["1,250", "1250"],
    );
}

#[test]
fn percent_is_an_error() {
    bad_input(
        &with_file(
            "countries.csv",
            "country,risk,groups,tariff\nCHN,0.9,,12%\nAUS,0.1,,\nUSA,0.2,,\n",
        ),
        "countries.csv",
        Some(2),
        Some("tariff"),
        &["12%"],
    );
}

#[test]
fn nan_and_inf_are_errors() {
    bad_input(
        &with_file(
            "suppliers.csv",
            "supplier,mineral,country,unit_cost\nA,gallium,CHN,NaN\nA,germanium,CHN,20\n",
        ),
        "suppliers.csv",
        Some(2),
        Some("unit_cost"),
        &["NaN"],
    );
    bad_input(
        &with_file("suppliers.csv", "supplier,mineral,country,unit_cost,capacity\nA,gallium,CHN,10,\nA,germanium,CHN,20,inf\n"),
        "suppliers.csv",
        Some(3),
        Some("capacity"),
        &["inf"],
    );
}

#[test]
fn negative_capacity_is_an_error() {
    bad_input(
        &with_file("suppliers.csv", "supplier,mineral,country,unit_cost,capacity\nA,gallium,CHN,10,\nA,germanium,CHN,20,-5\n"),
        "suppliers.csv",
        Some(3),
        Some("capacity"),
        &["-5"],
    );
}

#[test]
fn empty_required_cell_is_an_error() {
    bad_input(
        &with_file(
            "suppliers.csv",
            "supplier,mineral,country,unit_cost\nA,gallium,,10\nA,germanium,CHN,20\n",
        ),
        "suppliers.csv",
        Some(2),
        Some("country"),
        &[],
    );
}

#[test]
fn duplicate_supplier_and_mineral() {
    bad_input(
        &with_file(
            "suppliers.csv",
            "supplier,mineral,country,unit_cost\nA,gallium,CHN,10\nA,germanium,CHN,20\nA,Gallium,AUS,11\n",
        ),
        "suppliers.csv",
        Some(4),
        None,
        &["A"],
    );
}

#[test]
fn duplicate_demand_mineral() {
    bad_input(
        &with_file(
            "demand.csv",
            "mineral,quantity\ngermanium,50\ngallium,100\nGallium,20\n",
        ),
        "demand.csv",
        Some(4),
        Some("mineral"),
        &[],
    );
}

#[test]
fn mineral_offered_without_demand() {
    bad_input(
        &with_file(
            "suppliers.csv",
            "supplier,mineral,country,unit_cost\nA,gallium,CHN,10\nA,germanium,CHN,20\nB,indium,AUS,30\n",
        ),
        "suppliers.csv",
        Some(4),
        Some("mineral"),
        &["indium"],
    );
}

#[test]
fn mineral_demanded_without_offers() {
    bad_input(
        &with_file(
            "demand.csv",
            "mineral,quantity\ngermanium,50\ngallium,100\nindium,7\n",
        ),
        "demand.csv",
        Some(4),
        None,
        &["indium"],
    );
}

// USA is used on suppliers.csv line 4 but not listed: the message names the code and
// where it is used.
#[test]
fn country_missing_from_countries_csv() {
    bad_input(
        &with_file("countries.csv", "country,risk\nCHN,0.9\nAUS,0.1\n"),
        "countries.csv",
        None,
        None,
        &["USA", "suppliers.csv:4"],
    );
}

#[test]
fn bad_iso3_code() {
    bad_input(
        &with_file(
            "suppliers.csv",
            "supplier,mineral,country,unit_cost\nA,gallium,CHN,10\nA,germanium,CN,20\n",
        ),
        "suppliers.csv",
        Some(3),
        Some("country"),
        &["CN"],
    );
}

#[test]
fn unknown_constraint_name() {
    bad_input(
        &with_file("constraints.csv", "constraint,mineral,target,bound\nmax_country_share,*,CHN,0.5\nmax_cuntry_share,*,CHN,0.5\n"),
        "constraints.csv",
        Some(3),
        Some("constraint"),
        &["max_cuntry_share"],
    );
}

#[test]
fn share_bound_above_one() {
    bad_input(
        &with_file(
            "constraints.csv",
            "constraint,mineral,target,bound\nmax_country_share,*,CHN,1.5\n",
        ),
        "constraints.csv",
        Some(2),
        Some("bound"),
        &["1.5"],
    );
}

#[test]
fn fractional_count_bound() {
    bad_input(
        &with_file(
            "constraints.csv",
            "constraint,mineral,target,bound\nmin_suppliers,gallium,,2.5\n",
        ),
        "constraints.csv",
        Some(2),
        Some("bound"),
        &["2.5"],
    );
}

#[test]
fn unknown_country_target() {
    bad_input(
        &with_file(
            "constraints.csv",
            "constraint,mineral,target,bound\nmax_country_share,*,RUS,0.5\n",
        ),
        "constraints.csv",
        Some(2),
        Some("target"),
        &["RUS"],
    );
}

#[test]
fn unknown_group_target() {
    bad_input(
        &with_file(
            "constraints.csv",
            "constraint,mineral,target,bound\nmin_group_share,*,NATO,0.2\n",
        ),
        "constraints.csv",
        Some(2),
        Some("target"),
        &["NATO"],
    );
}

#[test]
fn unknown_supplier_target() {
    bad_input(
        &with_file(
            "constraints.csv",
            "constraint,mineral,target,bound\nexclude_supplier,gallium,Z,\n",
        ),
        "constraints.csv",
        Some(2),
        Some("target"),
        &["Z"],
    );
}

#[test]
fn unknown_mineral_in_constraints() {
    bad_input(
        &with_file(
            "constraints.csv",
            "constraint,mineral,target,bound\nmax_country_share,indium,CHN,0.5\n",
        ),
        "constraints.csv",
        Some(2),
        Some("mineral"),
        &["indium"],
    );
}

#[test]
fn unknown_solver_name() {
    let wd = Workdir::with_model(&good_files());
    let run = wd.run(&["solve", "model", "--solver", "gurobi", "--out", "out"]);
    run.expect_code(2).stderr_has("gurobi");
    assert!(wd.files_under("out").is_empty());
}

// HHI caps are part of SPEC §2 and solved (not refused): max_hhi 0.45 on gallium.
#[test]
fn hhi_cap_is_solved_and_reported() {
    let wd = Workdir::with_model(&with_file(
        "constraints.csv",
        "constraint,mineral,target,bound\nmax_hhi,gallium,,0.45\n",
    ));
    wd.run(&["solve", "model"]).expect_code(0);
    let rows = keyed(&wd.read("model/results/constraints.csv"));
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["constraint"], "max_hhi");
    let value = num(&rows[0], "value");
    assert!(value <= 0.45 + 1e-7, "HHI {value} above its cap");
    let summary = keyed(&wd.read("model/results/summary.csv"));
    near(num(&summary[0], "hhi"), value, "summary hhi = row value");
}

#[test]
fn integer_rows_with_a_solver_without_integers_exit_2() {
    let wd = Workdir::with_model(&with_file(
        "constraints.csv",
        "constraint,mineral,target,bound\nmin_suppliers,gallium,,2\n",
    ));
    let run = wd.run(&["solve", "model", "--solver", "clarabel", "--out", "out"]);
    run.expect_code(2).stderr_has("clarabel");
    assert!(wd.files_under("out").is_empty());
    // auto picks a backend that can
    wd.run(&["solve", "model", "--out", "auto"]).expect_code(0);
}

// ---------------------------------------------------------------------------------------
// infeasible: exit 3, nothing written
// ---------------------------------------------------------------------------------------

// gallium needs 50 from OECD (line 3) but AUS (B) can supply only 30.
#[test]
fn infeasible_exit_3_names_mineral_and_line() {
    let wd = Workdir::with_model(&with_file(
        "constraints.csv",
        "constraint,mineral,target,bound\nmax_country_share,*,CHN,0.5\nmin_group_share,gallium,OECD,0.5\n",
    ));
    let run = wd.run(&["solve", "model", "--out", "out"]);
    run.expect_code(3)
        .stderr_has("gallium")
        .stderr_has("constraints.csv:3")
        .stderr_has("min_group_share");
    assert!(
        wd.files_under("out").is_empty(),
        "{:?}",
        wd.files_under("out")
    );
    assert!(wd.files_under("model/results").is_empty());
}

#[test]
fn infeasible_capacity_exit_3_and_nothing_written() {
    let wd = Workdir::with_model(&with_file(
        "suppliers.csv",
        "supplier,mineral,country,unit_cost,capacity\nA,gallium,CHN,10,40\nB,gallium,AUS,12,30\nA,germanium,CHN,20,\nG,germanium,AUS,25,\n",
    ));
    let run = wd.run(&["solve", "model"]);
    run.expect_code(3).stderr_has("gallium");
    assert!(
        wd.files_under("model/results").is_empty(),
        "{:?}",
        wd.files_under("model/results")
    );
}

// A folder holding a previous good run's results: a refused run adds no file to it
// (no temporary or half-written file). Whether it keeps or removes the old results is
// not fixed by the SPEC, so only additions are checked.
#[test]
fn refused_run_adds_no_files_to_an_existing_out_dir() {
    let wd = Workdir::with_model(&good_files());
    wd.run(&["solve", "model", "--out", "out"]).expect_code(0);
    let before = wd.files_under("out");
    assert_eq!(before, RESULT_FILES.to_vec());
    let added = |wd: &Workdir| -> Vec<String> {
        wd.files_under("out")
            .into_iter()
            .filter(|f| !before.contains(f))
            .collect()
    };
    wd.write_model(
        "model",
        &[(
            "demand.csv",
            "mineral,quantity\ngallium,abc\ngermanium,50\n",
        )],
    );
    wd.run(&["solve", "model", "--out", "out"]).expect_code(2);
    assert_eq!(added(&wd), Vec::<String>::new());
    wd.write_model(
        "model",
        &[
            ("demand.csv", DEMAND),
            (
                "constraints.csv",
                "constraint,mineral,target,bound\nmin_group_share,gallium,OECD,0.9\n",
            ),
        ],
    );
    wd.run(&["solve", "model", "--out", "out"]).expect_code(3);
    assert_eq!(added(&wd), Vec::<String>::new());
}

// ---------------------------------------------------------------------------------------
// other commands
// ---------------------------------------------------------------------------------------

#[test]
fn solvers_lists_backends_with_capabilities() {
    let wd = Workdir::new();
    let run = wd.run(&["solvers"]);
    run.expect_code(0);
    let text = run.stdout();
    let header: Vec<&str> = text
        .lines()
        .find(|l| l.contains("integers") && l.contains("duals"))
        .unwrap_or_else(|| panic!("no capability header\n{run}"))
        .split_whitespace()
        .collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .unwrap_or_else(|| panic!("no {name} column\n{run}"))
    };
    let (ci, cd) = (col("integers"), col("duals"));
    let row = |solver: &str| -> Vec<String> {
        text.lines()
            .find(|l| l.split_whitespace().next() == Some(solver))
            .unwrap_or_else(|| panic!("{solver} not listed\n{run}"))
            .split_whitespace()
            .map(str::to_string)
            .collect()
    };
    let clarabel = row("clarabel");
    assert_eq!(
        (clarabel[ci].as_str(), clarabel[cd].as_str()),
        ("no", "yes"),
        "{run}"
    );
    let microlp = row("microlp");
    assert_eq!(
        (microlp[ci].as_str(), microlp[cd].as_str()),
        ("yes", "no"),
        "{run}"
    );
}

#[test]
fn check_warns_when_capacity_is_below_demand() {
    let wd = Workdir::with_model(&[
        ("suppliers.csv", "supplier,mineral,country,unit_cost,capacity\nA,gallium,CHN,10,40\nB,gallium,AUS,12,30\nA,germanium,CHN,20,\n"),
        ("demand.csv", "mineral,quantity\ngallium,100\ngermanium,50\n"),
    ]);
    let run = wd.run(&["check", "model"]);
    run.expect_code(0);
    let all = format!("{}\n{}", run.stdout(), run.stderr());
    let hits: Vec<&str> = all
        .lines()
        .filter(|l| l.contains("capacity") && l.contains("demand"))
        .collect();
    assert!(
        hits.iter().any(|l| l.contains("gallium")),
        "no line names gallium\n{run}"
    );
    assert!(
        !hits.iter().any(|l| l.contains("germanium")),
        "germanium has unlimited capacity\n{run}"
    );
}

#[test]
fn check_on_a_bad_model_exits_2() {
    let wd = Workdir::with_model(&with_file(
        "demand.csv",
        "mineral,quantity\ngallium,-1\ngermanium,50\n",
    ));
    wd.run(&["check", "model"])
        .expect_code(2)
        .stderr_has("demand.csv:2");
}

#[test]
fn missing_model_folder_exits_2() {
    let wd = Workdir::new();
    wd.run(&["solve", "nowhere"])
        .expect_code(2)
        .stderr_has("nowhere");
}

#[test]
fn stdout_text_reports_status_and_cost() {
    let wd = Workdir::with_model(&good_files());
    wd.run(&["solve", "model"])
        .expect_code(0)
        .stdout_has("optimal")
        .stdout_has("2271");
}

// ---------------------------------------------------------------------------------------
// the shared solver flags
// ---------------------------------------------------------------------------------------

/// Every command that solves takes the same four solver flags.
#[test]
fn every_solving_command_takes_the_four_solver_flags() {
    let wd = Workdir::with_model(&good_files());
    for command in ["solve", "policy", "frontier", "explain"] {
        let help = wd.run(&[command, "--help"]);
        help.expect_code(0);
        for flag in ["--solver", "--time-limit", "--mip-gap", "--threads"] {
            help.stdout_has(flag);
        }
    }
    // Accepted and honoured: a generous limit changes nothing (the hand-solved 2271).
    let extra: [&[&str]; 4] = [
        &["solve", "model", "--out", "s"],
        &["policy", "model", "--out", "p"],
        &[
            "frontier",
            "model",
            "--measure",
            "hhi",
            "--points",
            "3",
            "--out",
            "f",
        ],
        &["explain", "model", "--out", "e"],
    ];
    for args in extra {
        let mut all = args.to_vec();
        all.extend(["--time-limit", "600", "--mip-gap", "0", "--threads", "1"]);
        wd.run(&all).expect_code(0);
    }
    let summary = keyed(&wd.read("s/summary.csv"));
    near(num(summary.last().unwrap(), "cost"), 2271.0, "total cost");
    let policy = keyed(&wd.read("p/policy.csv"));
    let full = policy
        .iter()
        .find(|r| r["mineral"] == "*" && r["case"] == "full_policy")
        .expect("full_policy total row");
    near(num(full, "cost"), 2271.0, "policy full_policy");
    // Out-of-range values are usage errors on every command, and write nothing.
    for command in ["policy", "frontier", "explain"] {
        for (flag, value) in [
            ("--time-limit", "0"),
            ("--mip-gap", "2"),
            ("--threads", "0"),
        ] {
            let mut args = vec![command, "model", flag, value, "--out", "bad"];
            if command == "frontier" {
                args.extend(["--measure", "hhi"]);
            }
            wd.run(&args).expect_code(2).stderr_has(flag);
        }
    }
    assert!(wd.files_under("bad").is_empty());
}

/// A time limit that stops the run: a frontier never writes points not proven optimal;
/// `policy` writes a case stopped with a plan with a warning, or stops with exit 4.
#[test]
fn a_tiny_time_limit_never_writes_unproven_results() {
    // Integer rules (minimum lots, fixed costs, a supplier count) so branch and bound
    // has work to stop.
    let mut suppliers =
        String::from("supplier,mineral,country,unit_cost,capacity,min_order,fixed_cost\n");
    for k in 0..120 {
        suppliers.push_str(&format!(
            "S{k},ga,{},{},{},{},{}\n",
            ["CHN", "AUS", "USA", "CAN"][k % 4],
            10 + (k * 7) % 13,
            20 + (k * 11) % 30,
            5 + k % 7,
            50 + (k * 13) % 90
        ));
    }
    let wd = Workdir::with_model(&[
        ("suppliers.csv", &suppliers),
        ("demand.csv", "mineral,quantity\nga,300\n"),
        (
            "constraints.csv",
            "constraint,mineral,target,bound\nmax_country_share,*,*,0.4\nmin_suppliers,*,,6\n",
        ),
    ]);
    let run = wd.run(&[
        "frontier",
        "model",
        "--measure",
        "hhi",
        "--points",
        "4",
        "--time-limit",
        "0.001",
        "--out",
        "f",
    ]);
    assert!(matches!(run.code(), Some(3) | Some(4)), "{run}");
    assert!(wd.files_under("f").is_empty(), "{run}");
    let run = wd.run(&["policy", "model", "--time-limit", "0.001", "--out", "p"]);
    match run.code() {
        Some(0) => {
            run.stderr_has("time limit");
        }
        Some(3) | Some(4) => assert!(wd.files_under("p").is_empty(), "{run}"),
        _ => panic!("unexpected exit\n{run}"),
    }
}
