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
    let out = Command::cargo_bin("sourcemix")
        .unwrap()
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
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
