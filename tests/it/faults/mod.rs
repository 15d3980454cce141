//! Fault injection on the write layer (issue 22): signals at seeded moments of a solve's
//! write phase, full and read-only file systems, a file-size limit, a folder in the way,
//! rival writers, odd output paths. After each, the results folder must hold one complete
//! set: [`check_set`] tests summary.csv's totals against allocation.csv's rows (and the
//! workbook's summary sheet, and constraints.csv's minerals), never file names. Models A
//! (3 minerals) and B (4 minerals) tell the two sets apart. What the machine cannot do
//! (mount as root) is skipped with a line on stderr saying so.
#![cfg(unix)]

mod disk;
mod paths;
mod rivals;
mod signals;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use calamine::{Data, Reader};

/// The binary under test.
fn bin() -> &'static str {
    crate::common::cli::binary()
}

/// A folder with model A (3 minerals) and model B (4 minerals) of `offers` offers each.
pub struct Models {
    pub dir: tempfile::TempDir,
}

impl Models {
    pub fn new(offers: usize) -> Models {
        let dir = tempfile::tempdir().expect("temp dir");
        for (name, minerals, seed) in [("a", 3, 1), ("b", 4, 2)] {
            let status = Command::new(bin())
                .arg("generate")
                .arg(dir.path().join(name))
                .args(["--minerals", &minerals.to_string()])
                .args(["--offers", &offers.to_string(), "--seed", &seed.to_string()])
                .stdout(Stdio::null())
                .status()
                .expect("generate runs");
            assert!(status.success());
        }
        Models { dir }
    }

    pub fn a(&self) -> PathBuf {
        self.dir.path().join("a")
    }

    pub fn b(&self) -> PathBuf {
        self.dir.path().join("b")
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }
}

/// `solve MODEL --out OUT` (with the workbook in OUT when `book`), one thread.
pub fn solve_cmd(model: &Path, out: &Path, book: bool) -> Command {
    let mut cmd = Command::new(bin());
    cmd.arg("solve")
        .arg(model)
        .arg("--out")
        .arg(out)
        .args(["--threads", "1"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if book {
        cmd.arg("--xlsx").arg(out.join("results.xlsx"));
    }
    cmd
}

/// Runs `cmd` to the end: its status and stderr.
pub fn run(mut cmd: Command) -> (ExitStatus, String) {
    let out = cmd.output().expect("sourcemix runs");
    (
        out.status,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Solves `model` into `out`, which must succeed.
pub fn solve_ok(model: &Path, out: &Path, book: bool) {
    let (status, err) = run(solve_cmd(model, out, book));
    assert!(status.success(), "{status}: {err}");
}

/// Reads a CSV file into its header and rows.
fn read_csv(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            header
                .iter()
                .cloned()
                .zip(rec.iter().map(String::from))
                .collect()
        })
        .collect()
}

fn num(row: &BTreeMap<String, String>, col: &str) -> f64 {
    row[col]
        .parse()
        .unwrap_or_else(|_| panic!("{col}: {:?}", row[col]))
}

/// Checks that `out` holds one complete set and returns its number of minerals (3 for
/// model A, 4 for B): per mineral and in total, summary.csv's `suppliers` is the count of
/// allocation.csv's suppliers and `purchased` the sum of its quantities; constraints.csv
/// names the same minerals; the workbook, when there is one, has the same summary.
pub fn check_set(out: &Path) -> usize {
    let summary = read_csv(&out.join("summary.csv"));
    let allocation = read_csv(&out.join("allocation.csv"));
    let mut bought: BTreeMap<String, (BTreeSet<String>, f64)> = BTreeMap::new();
    for row in &allocation {
        let e = bought.entry(row["mineral"].clone()).or_default();
        e.0.insert(row["supplier"].clone());
        e.1 += num(row, "quantity");
    }
    let minerals: BTreeSet<String> = (summary.iter())
        .map(|r| r["mineral"].clone())
        .filter(|m| m != "*")
        .collect();
    assert_eq!(
        minerals,
        bought.keys().cloned().collect(),
        "summary.csv and allocation.csv name different minerals"
    );
    let (mut suppliers, mut purchased) = (0.0, 0.0);
    for row in &summary {
        let (n, q) = if row["mineral"] == "*" {
            (suppliers, purchased)
        } else {
            let (s, q) = &bought[&row["mineral"]];
            suppliers += s.len() as f64;
            purchased += q;
            (s.len() as f64, *q)
        };
        assert_eq!(num(row, "suppliers"), n, "suppliers of {}", row["mineral"]);
        let p = num(row, "purchased");
        assert!(
            (p - q).abs() <= 1e-6 * p.abs().max(1.0),
            "purchased of {}: summary {p}, allocation rows {q}",
            row["mineral"]
        );
    }
    let policy: BTreeSet<String> = read_csv(&out.join("constraints.csv"))
        .iter()
        .map(|r| r["mineral"].clone())
        .collect();
    assert_eq!(
        policy, minerals,
        "constraints.csv is of another set than summary.csv"
    );
    let book = out.join("results.xlsx");
    if book.exists() {
        assert_eq!(
            workbook_suppliers(&book),
            summary
                .iter()
                .map(|r| (r["mineral"].clone(), num(r, "suppliers")))
                .collect::<Vec<_>>(),
            "the workbook is of another set than summary.csv"
        );
    }
    minerals.len()
}

/// (mineral, suppliers) of the workbook's summary sheet.
fn workbook_suppliers(book: &Path) -> Vec<(String, f64)> {
    let mut wb = calamine::open_workbook_auto(book).expect("workbook opens");
    let range = wb.worksheet_range("summary").expect("summary sheet");
    let mut rows = range.rows();
    let header = rows.next().expect("header");
    let col = |name: &str| {
        header
            .iter()
            .position(|c| matches!(c, Data::String(s) if s == name))
            .unwrap_or_else(|| panic!("no {name} column"))
    };
    let (m, s) = (col("mineral"), col("suppliers"));
    rows.map(|r| {
        let n = match &r[s] {
            Data::Float(f) => *f,
            Data::Int(i) => *i as f64,
            other => panic!("suppliers cell {other:?}"),
        };
        (r[m].to_string(), n)
    })
    .collect()
}

/// Names in `dir` (empty when absent).
pub fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// Asserts that `out` holds no temporary file and no generation but the published one
/// and the one it replaced (`current`, `previous`).
pub fn assert_no_leftovers(out: &Path) {
    let tmp: Vec<String> = names(out)
        .into_iter()
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(tmp.is_empty(), "temporary files left: {tmp:?}");
    let meta_dir = out.join(".sourcemix");
    let meta = names(&meta_dir);
    let links: Vec<&String> = meta.iter().filter(|n| !n.starts_with("set.")).collect();
    assert!(
        links.iter().all(|n| *n == "current" || *n == "previous"),
        "leftovers: {meta:?}"
    );
    let kept: BTreeSet<PathBuf> = links
        .iter()
        .map(|l| std::fs::read_link(meta_dir.join(l)).unwrap())
        .collect();
    let sets: BTreeSet<PathBuf> = (meta.iter())
        .filter(|n| n.starts_with("set."))
        .map(PathBuf::from)
        .collect();
    assert_eq!(sets, kept, "generations left: {meta:?}");
}

/// Asserts that process `pid` left nothing in `out`: no temporary file, no staging folder.
pub fn assert_nothing_left_by(out: &Path, pid: u32) {
    let tmp = format!(".{pid}.tmp");
    let set = format!("set.{pid}.");
    let left: Vec<String> = (names(out).into_iter())
        .chain(names(&out.join(".sourcemix")))
        .filter(|n| n.ends_with(&tmp) || n.starts_with(&set))
        .collect();
    let current = std::fs::read_link(out.join(".sourcemix/current")).unwrap_or_default();
    let left: Vec<String> = left
        .into_iter()
        .filter(|n| Path::new(n) != current)
        .collect();
    assert!(left.is_empty(), "run {pid} left {left:?}");
}

/// Waits until `child` has a staging folder in `out` (its write phase began) or exits;
/// whether it reached the write phase.
pub fn wait_for_writing(child: &mut Child, out: &Path, limit: Duration) -> bool {
    let prefix = format!("set.{}.", child.id());
    let start = Instant::now();
    while start.elapsed() < limit {
        if names(&out.join(".sourcemix"))
            .iter()
            .any(|n| n.starts_with(&prefix))
        {
            return true;
        }
        if child.try_wait().expect("wait").is_some() {
            return false;
        }
        std::thread::sleep(Duration::from_micros(300));
    }
    false
}

/// Sends `signal` to `child`.
pub fn signal(child: &Child, signal: i32) {
    let pid = libc::pid_t::try_from(child.id()).expect("pid");
    // SAFETY: kill on the id of our own child, not yet reaped.
    unsafe { libc::kill(pid, signal) };
}

/// A small seeded generator (SplitMix64) for the moments of the faults.
pub struct Seeded(pub u64);

impl Seeded {
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) % n
    }
}

/// Whether this process runs as root (mounting tmpfs, remounting read-only).
pub fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// Prints what a test could not do on this machine, past the test harness's capture (it
/// shows in a plain `cargo test` run, passing or not).
pub fn skipped(what: &str, why: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "faults: skipped {what}: {why}");
}
