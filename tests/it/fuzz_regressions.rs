//! Replays the fuzz corpus and every crash the fuzzers ever found (tests/fuzz-regressions)
//! through the same harness functions, and runs a small stable-Rust byte-mutation fuzzer
//! (proptest) over the seeds so CI exercises malformed input on every run.

use std::path::Path;

use proptest::prelude::*;

use crate::harness::{csv_table, load_and_solve, plan_and_stress};

fn inputs(dir: &str) -> Vec<(String, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(&root) {
        for e in entries.flatten() {
            if e.path().is_file() {
                out.push((
                    e.path().display().to_string(),
                    std::fs::read(e.path()).expect("readable corpus file"),
                ));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn corpus_and_crashes_replay_without_panic() {
    let mut n = 0;
    for dir in [
        "fuzz/corpus/load_model",
        "tests/fuzz-regressions/load_model",
    ] {
        for (name, data) in inputs(dir) {
            eprintln!("{name}");
            load_and_solve(&data);
            n += 1;
        }
    }
    for dir in ["fuzz/corpus/csv_table", "tests/fuzz-regressions/csv_table"] {
        for (name, data) in inputs(dir) {
            eprintln!("{name}");
            csv_table(&data);
            n += 1;
        }
    }
    for dir in [
        "fuzz/corpus/stress_plan",
        "tests/fuzz-regressions/stress_plan",
    ] {
        for (name, data) in inputs(dir) {
            eprintln!("{name}");
            plan_and_stress(&data);
            n += 1;
        }
    }
    assert!(n >= 3, "the seed corpus is missing ({n} files)");
}

/// The seed plans are accepted (so the mutations below start from plans that stress).
#[test]
fn stress_seeds_are_valid_plans() {
    use crate::harness::STRESS_MODEL;
    use sourcemix::input::{parse_model, parse_plan, ModelFiles};
    let parts: Vec<(&str, &[u8])> = STRESS_MODEL
        .iter()
        .map(|(n, t)| (*n, t.as_bytes()))
        .collect();
    let model = parse_model(&ModelFiles::from_memory(&parts)).unwrap();
    let seeds = inputs("fuzz/corpus/stress_plan");
    assert!(seeds.len() >= 5);
    for (name, data) in seeds.iter().filter(|(n, _)| n.ends_with(".csv")) {
        let files = ModelFiles::from_memory(&[("plan.csv", data)]);
        if let Err(e) = parse_plan(&files, "plan.csv", &model) {
            panic!("{name}: {e}");
        }
    }
}

/// One random edit of a byte string.
#[derive(Debug, Clone)]
enum Edit {
    Flip(usize, u8),
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
    DuplicateLine(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    let tokens = prop::sample::select(vec![
        b",".to_vec(),
        b"\n".to_vec(),
        b"\r\n".to_vec(),
        b"\"".to_vec(),
        b"\0".to_vec(),
        b"*".to_vec(),
        b"-1".to_vec(),
        b"1e308".to_vec(),
        b"NaN".to_vec(),
        b"1,250".to_vec(),
        b"12%".to_vec(),
        b"\xEF\xBB\xBF".to_vec(),
        b"\xff\xfe".to_vec(),
        b"0".to_vec(),
        b"1e-300".to_vec(),
        b"max_hhi".to_vec(),
        b"min_suppliers".to_vec(),
        b";".to_vec(),
    ]);
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Edit::Flip(i, b)),
        (any::<usize>(), tokens).prop_map(|(i, t)| Edit::Insert(i, t)),
        (any::<usize>(), 1usize..20).prop_map(|(i, n)| Edit::Delete(i, n)),
        any::<usize>().prop_map(Edit::DuplicateLine),
    ]
}

fn apply(mut data: Vec<u8>, edits: &[Edit]) -> Vec<u8> {
    for e in edits {
        let len = data.len().max(1);
        match e {
            Edit::Flip(i, b) => {
                if !data.is_empty() {
                    data[i % len] = *b;
                }
            }
            Edit::Insert(i, t) => {
                let at = i % (data.len() + 1);
                data.splice(at..at, t.iter().copied());
            }
            Edit::Delete(i, n) => {
                if !data.is_empty() {
                    let at = i % len;
                    let end = (at + n).min(data.len());
                    data.drain(at..end);
                }
            }
            Edit::DuplicateLine(i) => {
                let lines: Vec<&[u8]> = data.split(|&b| b == b'\n').collect();
                let k = i % lines.len();
                let mut out = Vec::with_capacity(data.len() * 2);
                for (j, l) in lines.iter().enumerate() {
                    out.extend_from_slice(l);
                    out.push(b'\n');
                    if j == k {
                        out.extend_from_slice(l);
                        out.push(b'\n');
                    }
                }
                data = out;
            }
        }
    }
    data
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("SOURCEMIX_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(96),
        failure_persistence: None,
        .. ProptestConfig::default()
    })]

    #[test]
    fn mutated_models_never_panic(seed in 0usize..64, edits in prop::collection::vec(edit(), 1..6)) {
        let seeds = inputs("fuzz/corpus/load_model");
        prop_assume!(!seeds.is_empty());
        let data = apply(seeds[seed % seeds.len()].1.clone(), &edits);
        load_and_solve(&data);
        csv_table(&data);
    }

    #[test]
    fn mutated_plans_never_panic(seed in 0usize..16, edits in prop::collection::vec(edit(), 1..6)) {
        let seeds = inputs("fuzz/corpus/stress_plan");
        prop_assume!(!seeds.is_empty());
        plan_and_stress(&apply(seeds[seed % seeds.len()].1.clone(), &edits));
    }
}
