//! `--format json` of every command is documented by a JSON Schema in schemas/: real
//! output of each command on the bundled models validates against its schema (with the
//! jsonschema crate), and each schema is checked to reject a document it must reject.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn schema(command: &str) -> jsonschema::Validator {
    let path = root()
        .join("schemas")
        .join(format!("{command}.schema.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let value: Value = serde_json::from_str(&text).unwrap();
    jsonschema::validator_for(&value).unwrap_or_else(|e| panic!("{command} schema: {e}"))
}

fn json_of(args: &[&std::ffi::OsStr]) -> Value {
    json_with(args, "--format", 0)
}

/// The JSON a run prints with `flag json` (`--format`, or `--print` for export),
/// which must end with exit code `code`.
fn json_with(args: &[&std::ffi::OsStr], flag: &str, code: i32) -> Value {
    let out = Command::cargo_bin("sourcemix")
        .unwrap()
        .args(args)
        .args([flag, "json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(code),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// `args` as OS strings (paths and words alike).
fn os<'a>(args: &'a [&'a dyn AsRef<std::ffi::OsStr>]) -> Vec<&'a std::ffi::OsStr> {
    args.iter().map(|a| a.as_ref()).collect()
}

/// A copy of the bundled dual-sourcing model without unmet penalties and with country
/// caps no plan can meet (0.05 × at most 4 suppliers < 1).
fn infeasible_model(dir: &Path) -> PathBuf {
    let model = dir.join("infeasible");
    std::fs::create_dir_all(&model).unwrap();
    let src = root().join("models/dual-sourcing");
    for f in ["suppliers.csv", "countries.csv"] {
        std::fs::copy(src.join(f), model.join(f)).unwrap();
    }
    std::fs::write(
        model.join("demand.csv"),
        "mineral,quantity\ngallium,1500\nrare_earths,8000\n",
    )
    .unwrap();
    let policy = std::fs::read_to_string(src.join("constraints.csv")).unwrap();
    std::fs::write(
        model.join("constraints.csv"),
        policy + "max_country_share,*,*,0.05\n",
    )
    .unwrap();
    model
}

#[test]
fn every_analysis_output_matches_its_schema() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let ec = root().join("models/export-controls-2023");
    let re = root().join("models/rare-earths");
    let bad = infeasible_model(tmp.path());
    for (model, measure) in [(&ec, "hhi"), (&re, "avg_risk")] {
        let doc = json_of(&os(&[
            &"frontier",
            model,
            &"--measure",
            &measure,
            &"--points",
            &"3",
            &"--out",
            &out,
        ]));
        assert_valid_and_strict("frontier", &doc);
        assert_valid_and_strict("policy", &json_of(&os(&[&"policy", model, &"--out", &out])));
        assert_valid_and_strict(
            "compare",
            &json_of(&os(&[&"compare", model, &"--out", &out])),
        );
        assert_valid(
            "explain",
            &json_of(&os(&[&"explain", model, &"--out", &out])),
        );
        let robust = json_of(&os(&[&"solve", model, &"--robust", &"--out", &out]));
        assert_valid_and_strict("solve-robust", &robust);
        assert!(
            !schema("solve").is_valid(&robust),
            "solve's schema has no robust fields"
        );
        let ranging = json_of(&os(&[&"solve", model, &"--ranging", &"--out", &out]));
        assert_valid_and_strict("solve", &ranging);
        let lp = tmp.path().join("m.lp");
        let export = json_with(
            &os(&[&"export", model, &"--format", &"lp", &"-o", &lp]),
            "--print",
            0,
        );
        assert_valid_and_strict("export", &export);
        let mps = tmp.path().join("m.mps");
        let export = json_with(
            &os(&[
                &"export",
                model,
                &"--format",
                &"mps",
                &"--socp",
                &"-o",
                &mps,
            ]),
            "--print",
            0,
        );
        assert_valid_and_strict("export", &export);
    }
    // A model without a solution: explain finds the relaxation, policy says why (exit 3).
    let explain = json_of(&os(&[&"explain", &bad, &"--out", &out]));
    assert!(!explain["report"]["relaxations"]
        .as_array()
        .unwrap()
        .is_empty());
    assert_valid_and_strict("explain", &explain);
    assert_valid(
        "policy",
        &json_with(&os(&[&"policy", &bad, &"--out", &out]), "--format", 3),
    );
    // Scenarios, independent and with a repaired correlation matrix.
    let corr = tmp.path().join("corr.csv");
    std::fs::write(
        &corr,
        "country_a,country_b,rho\nCHN,RUS,0.9\nRUS,UKR,0.9\nCHN,UKR,-0.9\n",
    )
    .unwrap();
    let s = tmp.path().join("s.csv");
    let plain = json_of(&os(&[
        &"scenarios",
        &ec,
        &"--samples",
        &"200",
        &"--seed",
        &"1",
        &"--out",
        &s,
    ]));
    assert_valid_and_strict("scenarios", &plain);
    let repaired = json_of(&os(&[
        &"scenarios",
        &ec,
        &"--samples",
        &"200",
        &"--seed",
        &"1",
        &"--correlation",
        &corr,
        &"--repair",
        &"--out",
        &s,
    ]));
    assert!(repaired["result"]["repair"].is_object());
    assert_valid_and_strict("scenarios", &repaired);
    let bench = json_of(&os(&[
        &"bench",
        &"--generate",
        &"offers=40,minerals=2",
        &"--solvers",
        &"clarabel,microlp",
        &"--repeat",
        &"1",
    ]));
    assert_valid_and_strict("bench", &bench);
}

/// Replaces the first number found (depth first) in `doc` by a string; false when it
/// holds none.
fn spoil_a_number(doc: &mut Value) -> bool {
    match doc {
        Value::Number(_) => {
            *doc = Value::String("12".into());
            true
        }
        Value::Array(items) => items.iter_mut().any(spoil_a_number),
        Value::Object(map) => map.values_mut().any(spoil_a_number),
        _ => false,
    }
}

/// Real output `doc` of `command` validates, and three spoiled copies do not: one with
/// an unknown top-level field, one with a number turned into a string, one without its
/// first required field.
fn assert_valid_and_strict(command: &str, doc: &Value) {
    assert_valid(command, doc);
    let v = schema(command);
    let mut extra = doc.clone();
    extra["unexpected"] = serde_json::json!(1);
    assert!(!v.is_valid(&extra), "{command} accepts an unknown field");
    let mut text = doc.clone();
    assert!(spoil_a_number(&mut text), "{command}: no number to spoil");
    assert!(
        !v.is_valid(&text),
        "{command} accepts a string for a number"
    );
    let path = root().join(format!("schemas/{command}.schema.json"));
    let text = std::fs::read_to_string(path).unwrap();
    let schema_doc: Value = serde_json::from_str(&text).unwrap();
    let first = schema_doc["required"][0].as_str().unwrap().to_string();
    let mut missing = doc.clone();
    missing.as_object_mut().unwrap().remove(&first);
    assert!(
        !v.is_valid(&missing),
        "{command} accepts a document without {first}"
    );
}

fn assert_valid(command: &str, doc: &Value) {
    let v = schema(command);
    let errors: Vec<String> = v
        .iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{command}: {errors:#?}");
}

#[test]
fn every_command_output_matches_its_schema() {
    let tmp = tempfile::tempdir().unwrap();
    for name in ["export-controls-2023", "rare-earths", "dual-sourcing"] {
        let model = root().join("models").join(name);
        let out = tmp.path().join(name);
        let solve = json_of(&[
            "solve".as_ref(),
            model.as_os_str(),
            "--out".as_ref(),
            out.as_os_str(),
        ]);
        assert_valid("solve", &solve);
        let stress = json_of(&[
            "stress".as_ref(),
            model.as_os_str(),
            "--plan".as_ref(),
            out.join("allocation.csv").as_os_str(),
            "--out".as_ref(),
            out.as_os_str(),
        ]);
        assert_valid("stress", &stress);
        assert_valid("check", &json_of(&["check".as_ref(), model.as_os_str()]));
        let book = tmp.path().join(format!("{name}.xlsx"));
        assert_valid(
            "convert",
            &json_of(&["convert".as_ref(), model.as_os_str(), book.as_os_str()]),
        );
    }
    assert_valid("solvers", &json_of(&["solvers".as_ref()]));
    // Every kind of case: built-ins, edits, a fixed plan (with broken rules).
    let ec = root().join("models/export-controls-2023");
    let compare = json_of(&[
        "compare".as_ref(),
        ec.as_os_str(),
        "--cases".as_ref(),
        ec.join("cases.csv").as_os_str(),
        "--out".as_ref(),
        tmp.path().join("compare").as_os_str(),
    ]);
    assert_valid_and_strict("compare", &compare);
}

#[test]
fn hedge_output_matches_its_schema() {
    let tmp = tempfile::tempdir().unwrap();
    let model = root().join("models/export-controls-2023-stock");
    let hedge = json_of(&[
        "hedge".as_ref(),
        model.as_os_str(),
        "--weights".as_ref(),
        "0,1".as_ref(),
        "--out".as_ref(),
        tmp.path().as_os_str(),
    ]);
    assert_valid("hedge", &hedge);
    assert_eq!(hedge["hedge"]["points"].as_array().map(Vec::len), Some(2));
}

/// A model with stock columns adds the stock fields to summary rows (plain and robust);
/// both schemas know them.
#[test]
fn stock_summaries_match_their_schemas() {
    let tmp = tempfile::tempdir().unwrap();
    let model = root().join("models/export-controls-2023-stock");
    let out = tmp.path().join("out");
    let plain = json_of(&os(&[&"solve", &model, &"--out", &out]));
    assert_valid_and_strict("solve", &plain);
    let robust = json_of(&os(&[&"solve", &model, &"--robust", &"--out", &out]));
    assert_valid_and_strict("solve-robust", &robust);
    for doc in [&plain, &robust] {
        let rows = doc["report"]["summary"].as_array().unwrap();
        assert!(rows.iter().all(|r| r["stock"].is_number()), "{rows:?}");
    }
}

#[test]
fn schemas_reject_what_they_must() {
    let bad_solvers = serde_json::json!([{"name": "x", "capabilities": {}, "description": "d"}]);
    assert!(!schema("solvers").is_valid(&bad_solvers));
    let bad_check = serde_json::json!({"minerals": [], "findings": [], "warnings": [], "extra": 1});
    assert!(!schema("check").is_valid(&bad_check));
    let bad_solve = serde_json::json!({"report": {"status": "great"}, "written": []});
    assert!(!schema("solve").is_valid(&bad_solve));
}
