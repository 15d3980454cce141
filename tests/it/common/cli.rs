//! The one harness for running the `sourcemix` binary (after xsv's tests/workdir.rs): a
//! temporary folder holding models, and runs whose failure messages show the command,
//! status, stdout and stderr.

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Output;

/// The binary under test, as a command ready for arguments (assert_cmd).
pub fn command() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("sourcemix").expect("binary built")
}

/// The path of the binary under test.
pub fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_sourcemix")
}

/// Runs the binary in `dir` with `args`.
pub fn run_in(dir: &Path, args: &[&str]) -> Run {
    let mut cmd = command();
    cmd.current_dir(dir).args(args);
    let out = cmd.output().expect("run sourcemix");
    Run {
        cmd: format!("sourcemix {}", args.join(" ")),
        out,
    }
}

/// A temporary folder to run the binary in.
pub struct Workdir {
    dir: tempfile::TempDir,
}

/// One finished run of the binary.
pub struct Run {
    cmd: String,
    out: Output,
}

impl Workdir {
    pub fn new() -> Workdir {
        Workdir {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// A workdir holding `model/` with the given files.
    pub fn with_model(files: &[(&str, &str)]) -> Workdir {
        let wd = Workdir::new();
        wd.write_model("model", files);
        wd
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn write_model(&self, name: &str, files: &[(&str, &str)]) {
        super::write_files(&self.path(name), files);
    }

    pub fn write_bytes(&self, rel: &str, bytes: &[u8]) {
        std::fs::write(self.path(rel), bytes).unwrap();
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("cannot read {rel}: {e}"))
    }

    pub fn run(&self, args: &[&str]) -> Run {
        run_in(self.dir.path(), args)
    }

    /// Names of the files (recursively, relative) under `rel`; empty when it is absent.
    /// A results folder's hidden `.sourcemix` (its generations) is not listed: results are
    /// the links beside it.
    pub fn files_under(&self, rel: &str) -> Vec<String> {
        fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
            if let Ok(entries) = std::fs::read_dir(dir) {
                for e in entries.flatten() {
                    let p = e.path();
                    if e.file_name() == ".sourcemix" {
                        continue;
                    }
                    if p.is_dir() {
                        walk(base, &p, out);
                    } else {
                        out.push(p.strip_prefix(base).unwrap().display().to_string());
                    }
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.path(rel), &self.path(rel), &mut out);
        out.sort();
        out
    }
}

impl Run {
    pub fn code(&self) -> Option<i32> {
        self.out.status.code()
    }
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.out.stdout).into_owned()
    }
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.out.stderr).into_owned()
    }

    #[track_caller]
    pub fn expect_code(&self, code: i32) -> &Run {
        assert_eq!(self.code(), Some(code), "expected exit {code}\n{self}");
        self
    }

    #[track_caller]
    pub fn stderr_has(&self, needle: &str) -> &Run {
        assert!(
            self.stderr().contains(needle),
            "stderr lacks {needle:?}\n{self}"
        );
        self
    }

    #[track_caller]
    pub fn stdout_has(&self, needle: &str) -> &Run {
        assert!(
            self.stdout().contains(needle),
            "stdout lacks {needle:?}\n{self}"
        );
        self
    }
}

impl fmt::Display for Run {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "command: {}\nstatus: {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.cmd,
            self.out.status,
            self.stdout(),
            self.stderr()
        )
    }
}
