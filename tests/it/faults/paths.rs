//! Output paths that are not results folders or regular files, and standard output
//! closed or full.

use std::os::unix::fs::FileTypeExt;

use super::*;

/// `--out` the model folder, another model, or a folder whose constraints.csv is a
/// policy: exit 2, the model untouched. A folder of earlier results is fine.
#[test]
fn a_model_folder_is_never_a_results_folder() {
    let models = Models::new(300);
    let policy = std::fs::read(models.a().join("constraints.csv")).unwrap();
    for out in [models.a(), models.b()] {
        let (status, err) = run(solve_cmd(&models.a(), &out, false));
        assert_eq!(status.code(), Some(2), "{err}");
        assert!(err.contains("model"), "{err}");
    }
    let stray = models.path("stray");
    std::fs::create_dir(&stray).unwrap();
    std::fs::copy(
        models.a().join("constraints.csv"),
        stray.join("constraints.csv"),
    )
    .unwrap();
    let (status, err) = run(solve_cmd(&models.a(), &stray, false));
    assert_eq!(status.code(), Some(2), "{err}");
    assert_eq!(
        std::fs::read(models.a().join("constraints.csv")).unwrap(),
        policy
    );
    assert!(names(&models.a()).iter().all(|n| !n.starts_with('.')));
    // Earlier results as an older version wrote them (regular files) are taken over.
    let old = models.path("old");
    solve_ok(&models.a(), &old, false);
    for name in ["allocation.csv", "summary.csv", "constraints.csv"] {
        let bytes = std::fs::read(old.join(name)).unwrap();
        std::fs::remove_file(old.join(name)).unwrap();
        std::fs::write(old.join(name), bytes).unwrap();
    }
    solve_ok(&models.b(), &old, false);
    assert_eq!(check_set(&old), 4);
}

/// `export -o` and `--xlsx` refuse a link, a FIFO and a device (exit 2) and leave them.
#[test]
fn only_regular_files_are_output_files() {
    let models = Models::new(300);
    let real = models.path("real.mps");
    std::fs::write(&real, "keep").unwrap();
    let link = models.path("link.mps");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let fifo = models.path("fifo.mps");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let mut targets = vec![link.clone(), fifo.clone()];
    // As root, replacing /dev/null would break the machine: it must be refused.
    targets.push(PathBuf::from("/dev/null"));
    for target in &targets {
        let mut cmd = Command::new(bin());
        cmd.arg("export")
            .arg(models.a())
            .args(["--format", "mps", "-o"]);
        cmd.arg(target);
        let (status, err) = run(cmd);
        assert_eq!(status.code(), Some(2), "{}: {err}", target.display());
        assert!(err.contains("not a regular file"), "{err}");
    }
    assert_eq!(std::fs::read_to_string(&real).unwrap(), "keep");
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
    assert!(std::fs::metadata("/dev/null")
        .unwrap()
        .file_type()
        .is_char_device());
    let book = models.path("book.xlsx");
    std::os::unix::fs::symlink(&real, &book).unwrap();
    let out = models.path("out");
    let mut cmd = solve_cmd(&models.a(), &out, false);
    cmd.arg("--xlsx").arg(&book);
    let (status, err) = run(cmd);
    assert_eq!(status.code(), Some(2), "{err}");
    assert!(!out.exists());
    assert_eq!(std::fs::read_to_string(&real).unwrap(), "keep");
}

/// Standard output closed: exit 5 before anything is written. Full: the results are
/// written, then exit 5 saying so.
#[test]
fn standard_output_closed_or_full() {
    let models = Models::new(300);
    let out = models.path("out");
    let shell = |redirect: &str| {
        let mut cmd = Command::new("sh");
        cmd.arg("-c")
            .arg(format!(r#""$@" {redirect}"#))
            .arg("sh")
            .arg(bin())
            .arg("solve")
            .arg(models.a())
            .arg("--out")
            .arg(&out)
            .stderr(Stdio::piped());
        cmd
    };
    let (status, err) = run(shell(">&-"));
    assert_eq!(status.code(), Some(5), "{err}");
    assert!(err.contains("standard output is closed"), "{err}");
    assert!(!out.exists());
    if Path::new("/dev/full").exists() {
        let (status, err) = run(shell(">/dev/full"));
        assert_eq!(status.code(), Some(5), "{err}");
        assert!(err.contains("were written"), "{err}");
        assert_eq!(check_set(&out), 3);
    } else {
        skipped("standard output full", "no /dev/full");
    }
}
