//! Rival writers into one folder: serialized by its lock, never mixed.

use super::*;

/// Reads the published set once as a reader should: resolves `DIR/.sourcemix/current`
/// once and copies the set's files from that generation, then checks them with
/// [`check_set`] (which panics on a mixed set). `None` when there is no set yet, or the
/// generation went before it was read whole (two publications meanwhile).
fn read_published_set(out: &Path, copy: &Path) -> Option<usize> {
    let meta = out.join(".sourcemix");
    let generation = meta.join(std::fs::read_link(meta.join("current")).ok()?);
    let _ = std::fs::remove_dir_all(copy);
    std::fs::create_dir_all(copy).unwrap();
    for name in [
        "summary.csv",
        "allocation.csv",
        "constraints.csv",
        "results.xlsx",
    ] {
        match std::fs::copy(generation.join(name), copy.join(name)) {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                // The workbook is absent when no run wrote one; anything else missing
                // means the generation went while it was read.
                if name != "results.xlsx" || !generation.exists() {
                    return None;
                }
            }
            Err(e) => panic!("{}: {e}", generation.join(name).display()),
        }
    }
    Some(check_set(copy))
}

/// Six solves of two models at once into one folder, twice: every run succeeds, the
/// folder holds one complete set after each round, and a reader reading the set all
/// along (through `current`) never sees a mixed one.
#[test]
fn concurrent_writers_never_mix_their_sets() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    let models = Models::new(600);
    let out = models.path("out");
    let done = Arc::new(AtomicBool::new(false));
    let reader = {
        let (out, copy, done) = (out.clone(), models.path("reader"), Arc::clone(&done));
        std::thread::spawn(move || {
            let mut reads = 0;
            loop {
                let last = done.load(Ordering::SeqCst);
                if let Some(minerals) = read_published_set(&out, &copy) {
                    assert!([3, 4].contains(&minerals));
                    reads += 1;
                }
                if last {
                    return reads;
                }
                std::thread::sleep(Duration::from_millis(1));
            }
        })
    };
    for round in 0..2 {
        let children: Vec<Child> = (0..6)
            .map(|k| {
                let model = if (k + round) % 2 == 0 {
                    models.a()
                } else {
                    models.b()
                };
                solve_cmd(&model, &out, true).spawn().unwrap()
            })
            .collect();
        for child in children {
            let out = child.wait_with_output().unwrap();
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(out.status.success(), "round {round}: {}: {err}", out.status);
        }
        assert!([3, 4].contains(&check_set(&out)));
        assert_no_leftovers(&out);
    }
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    let reads = reader
        .join()
        .expect("the reader saw one complete set each time");
    assert!(reads > 0, "the reader never read a set");
}

/// A run that finds the folder locked waits, says so, and publishes after the holder
/// lets go; the earlier set is what a reader sees meanwhile.
#[test]
fn a_locked_folder_makes_the_next_writer_wait() {
    let models = Models::new(300);
    let out = models.path("out");
    solve_ok(&models.a(), &out, false);
    let lock = std::fs::File::open(&out).unwrap();
    lock.lock().unwrap();
    let mut child = solve_cmd(&models.b(), &out, false).spawn().unwrap();
    assert!(super::signals::wait_for_stderr_line(
        &mut child,
        "waiting for another sourcemix run"
    ));
    assert_eq!(check_set(&out), 3);
    assert!(child.try_wait().unwrap().is_none(), "did not wait");
    drop(lock);
    assert!(child.wait().unwrap().success());
    assert_eq!(check_set(&out), 4);
}
