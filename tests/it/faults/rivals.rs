//! Rival writers into one folder: serialized by its lock, never mixed.

use super::*;

/// Six solves of two models at once into one folder, twice: every run succeeds and
/// the folder holds one complete set after each round.
#[test]
fn concurrent_writers_never_mix_their_sets() {
    let models = Models::new(600);
    let out = models.path("out");
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
