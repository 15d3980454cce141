//! SIGKILL, SIGTERM, SIGINT and SIGHUP at seeded moments of a solve, most of them inside
//! its write phase: the folder holds the earlier or the new complete set, the workbook
//! agrees with it, a handled signal exits 128 + its number and leaves nothing behind, and
//! the next run clears what a killed one left.

use std::os::unix::process::ExitStatusExt;
use std::time::Duration;

use super::*;

#[test]
fn signals_at_seeded_moments_leave_one_complete_set() {
    let models = Models::new(1000);
    let out = models.path("out");
    solve_ok(&models.a(), &out, true);
    assert_eq!(check_set(&out), 3);
    let mut rng = Seeded(22);
    let plan = [
        libc::SIGKILL,
        libc::SIGTERM,
        libc::SIGKILL,
        libc::SIGINT,
        libc::SIGKILL,
        libc::SIGHUP,
    ];
    let mut hits = 0;
    // SOURCEMIX_FAULT_ROUNDS=N for a longer run.
    let rounds = std::env::var("SOURCEMIX_FAULT_ROUNDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(12);
    for round in 0..rounds {
        let sig = plan[round % plan.len()];
        let (model, minerals) = if round % 2 == 0 {
            (models.b(), 4)
        } else {
            (models.a(), 3)
        };
        let before = check_set(&out);
        let mut child = solve_cmd(&model, &out, true).spawn().expect("solve starts");
        let pid = child.id();
        // Two rounds in three: a moment of the write phase (0-25 ms into it); else any.
        let in_writing = round % 3 != 2;
        if in_writing {
            hits += usize::from(wait_for_writing(&mut child, &out, Duration::from_secs(60)));
            std::thread::sleep(Duration::from_micros(rng.below(25_000)));
        } else {
            std::thread::sleep(Duration::from_millis(rng.below(800)));
        }
        signal(&child, sig);
        let status = child.wait().expect("wait");
        let after = check_set(&out);
        let what = format!("round {round}, signal {sig}: {status}");
        if status.success() {
            assert_eq!(after, minerals, "{what}: finished, yet not its set");
            continue;
        }
        assert!(after == before || after == minerals, "{what}");
        if sig == libc::SIGKILL || (!in_writing && status.signal() == Some(sig)) {
            // SIGKILL; or a signal so early the binary's main had not run yet: its
            // default action, before anything was written.
            assert_eq!(status.signal(), Some(sig), "{what}");
        } else {
            assert_eq!(status.code(), Some(128 + sig), "{what}");
            // What killed runs left stays until the next publication.
            assert_nothing_left_by(&out, pid);
        }
    }
    assert!(
        hits >= rounds / 2,
        "only {hits} kills landed in a write phase"
    );
    // A clean run publishes its set and removes what the killed runs left.
    solve_ok(&models.b(), &out, true);
    assert_eq!(check_set(&out), 4);
    assert_no_leftovers(&out);
}

/// A signal while the folder's lock is awaited: exit 130, the earlier set intact.
#[test]
fn a_signal_while_waiting_for_the_lock_ends_the_run() {
    let models = Models::new(300);
    let out = models.path("out");
    solve_ok(&models.a(), &out, false);
    let lock = std::fs::File::open(&out).unwrap();
    lock.lock().unwrap();
    let mut child = solve_cmd(&models.b(), &out, false).spawn().unwrap();
    let waiting = wait_for_stderr_line(&mut child, "waiting for another sourcemix run");
    signal(&child, libc::SIGINT);
    let status = child.wait().unwrap();
    assert!(waiting, "never said it waits");
    assert_eq!(status.code(), Some(130));
    drop(lock);
    assert_eq!(check_set(&out), 3);
    assert_no_leftovers(&out);
}

/// Reads `child`'s stderr until a line holds `needle` (true) or it ends (false).
pub fn wait_for_stderr_line(child: &mut Child, needle: &str) -> bool {
    use std::io::BufRead;
    let err = child.stderr.as_mut().expect("stderr piped");
    let mut lines = std::io::BufReader::new(err).lines();
    lines.any(|l| l.is_ok_and(|l| l.contains(needle)))
}

/// A signal after standard error has gone (the terminal hung up, the reader of a pipe
/// left): the message cannot be written, and the run must still end with 128 + the
/// signal instead of hanging half stopped.
#[test]
fn a_signal_after_stderr_is_gone_still_ends_the_run() {
    let models = Models::new(300);
    let out = models.path("out");
    solve_ok(&models.a(), &out, false);
    let lock = std::fs::File::open(&out).unwrap();
    lock.lock().unwrap();
    let mut child = solve_cmd(&models.b(), &out, false).spawn().unwrap();
    assert!(
        wait_for_stderr_line(&mut child, "waiting for another sourcemix run"),
        "never said it waits"
    );
    drop(child.stderr.take()); // writes to stderr now fail with EPIPE
    signal(&child, libc::SIGTERM);
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if started.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    drop(lock);
    let status = status.expect("the run hung after SIGTERM with stderr gone");
    assert_eq!(status.code(), Some(143), "{status:?}");
    assert_eq!(check_set(&out), 3);
    assert_no_leftovers(&out);
}
