//! Ctrl-C during a long solve stops the run cleanly: exit 130, no result file, no
//! temporary file left in the output folder.
#![cfg(unix)]

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn sigint_during_solve_leaves_no_files() {
    let bin = crate::common::cli::binary();
    let dir = tempfile::tempdir().expect("temp dir");
    let model = dir.path().join("model");
    let out = dir.path().join("out");
    let status = Command::new(bin)
        .args(["generate", model.to_str().unwrap()])
        .args(["--minerals", "4", "--offers", "60000", "--seed", "3"])
        .stdout(Stdio::null())
        .status()
        .expect("generate runs");
    assert!(status.success());
    let mut child = Command::new(bin)
        .args([
            "solve",
            model.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .args(["--solver", "microlp", "--threads", "1"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("solve starts");
    std::thread::sleep(Duration::from_millis(700));
    let still_running = child.try_wait().expect("wait").is_none();
    assert!(
        still_running,
        "the solve finished before it could be interrupted; use a larger model"
    );
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(kill.success());
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "did not stop after SIGINT"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    let stderr = std::io::read_to_string(child.stderr.take().unwrap()).unwrap_or_default();
    assert_eq!(status.code(), Some(130), "stderr: {stderr}");
    assert!(stderr.contains("interrupted"), "stderr: {stderr}");
    let left: Vec<String> = std::fs::read_dir(&out)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    assert!(left.is_empty(), "files left in the output folder: {left:?}");
}
