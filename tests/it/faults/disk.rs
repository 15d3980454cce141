//! A full file system, a read-only one, a file-size limit and a folder in the way: each
//! run fails with exit 5 and the earlier set stays whole, nothing of the failed run left.

use std::os::unix::fs::PermissionsExt;

use super::*;

/// A tmpfs mounted for the test (as root); unmounted when dropped.
struct Tmpfs {
    dir: PathBuf,
}

impl Tmpfs {
    fn mount(dir: &Path, size: &str) -> Result<Tmpfs, String> {
        if !is_root() {
            return Err("not root".into());
        }
        std::fs::create_dir_all(dir).unwrap();
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .output()
            .map_err(|e| e.to_string())?;
        if !out.status.success() {
            return Err(String::from_utf8_lossy(&out.stderr).trim().to_string());
        }
        Ok(Tmpfs {
            dir: dir.to_path_buf(),
        })
    }

    fn remount(&self, mode: &str) {
        let status = Command::new("mount")
            .args(["-o", &format!("remount,{mode}")])
            .arg(&self.dir)
            .status()
            .unwrap();
        assert!(status.success(), "remount {mode}");
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.dir).status();
    }
}

/// Runs `cmd` expecting exit 5 with a message, then checks `out` still holds model A's set
/// and nothing of the failed run.
fn fails_cleanly(cmd: Command, out: &Path, what: &str) {
    let (status, err) = run(cmd);
    assert_eq!(status.code(), Some(5), "{what}: {status}: {err}");
    assert!(err.contains("cannot write"), "{what}: {err}");
    assert_eq!(check_set(out), 3, "{what}");
    assert_no_leftovers(out);
}

#[test]
fn a_full_file_system_keeps_the_earlier_set() {
    let models = Models::new(3000);
    let mnt = models.path("mnt");
    let fs = match Tmpfs::mount(&mnt, "4m") {
        Ok(fs) => fs,
        Err(why) => return skipped("full tmpfs", &why),
    };
    let out = mnt.join("out");
    solve_ok(&models.a(), &out, true);
    // Fill what is left but 64 KiB: model B's set (about 1 MB) cannot be written.
    let filler = mnt.join("filler");
    let free = free_bytes(&mnt);
    std::fs::write(&filler, vec![1u8; free.saturating_sub(64 << 10) as usize]).unwrap();
    fails_cleanly(solve_cmd(&models.b(), &out, true), &out, "full tmpfs");
    std::fs::remove_file(&filler).unwrap();
    solve_ok(&models.b(), &out, true);
    assert_eq!(check_set(&out), 4);
    drop(fs);
}

#[test]
fn a_read_only_folder_keeps_the_earlier_set() {
    let models = Models::new(1000);
    if is_root() {
        let mnt = models.path("mnt");
        match Tmpfs::mount(&mnt, "16m") {
            Ok(fs) => {
                let out = mnt.join("out");
                solve_ok(&models.a(), &out, false);
                fs.remount("ro");
                let (status, err) = run(solve_cmd(&models.b(), &out, false));
                assert_eq!(status.code(), Some(5), "{err}");
                assert_eq!(check_set(&out), 3);
                fs.remount("rw");
                assert_no_leftovers(&out);
            }
            Err(why) => skipped("read-only remount", &why),
        }
        return skipped("read-only permissions", "root writes through them");
    }
    let out = models.path("out");
    solve_ok(&models.a(), &out, false);
    let ro = std::fs::Permissions::from_mode(0o555);
    std::fs::set_permissions(&out, ro.clone()).unwrap();
    std::fs::set_permissions(out.join(".sourcemix"), ro).unwrap();
    let (status, err) = run(solve_cmd(&models.b(), &out, false));
    let rw = std::fs::Permissions::from_mode(0o755);
    std::fs::set_permissions(&out, rw.clone()).unwrap();
    std::fs::set_permissions(out.join(".sourcemix"), rw).unwrap();
    assert_eq!(status.code(), Some(5), "{err}");
    assert_eq!(check_set(&out), 3);
    assert_no_leftovers(&out);
}

/// `ulimit -f`: SIGXFSZ would kill the process; it is an ordinary write error instead.
#[test]
fn a_file_size_limit_is_a_write_error() {
    let models = Models::new(3000);
    let out = models.path("out");
    solve_ok(&models.a(), &out, false);
    // 64 blocks (32-64 KiB): model B's constraints.csv (about 600 kB) exceeds it.
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(r#"ulimit -f 64 && exec "$@""#)
        .arg("sh")
        .arg(bin())
        .args(["solve", "--threads", "1", "--out"])
        .arg(&out)
        .arg(models.b())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    fails_cleanly(cmd, &out, "ulimit -f");
}

/// A folder where a result file goes: the run fails before anything changes.
#[test]
fn a_folder_in_the_way_changes_nothing() {
    let models = Models::new(300);
    let out = models.path("out");
    solve_ok(&models.a(), &out, false);
    let before = std::fs::read(out.join("allocation.csv")).unwrap();
    let ranging = out.join("ranging.csv");
    std::fs::create_dir(&ranging).unwrap();
    std::fs::write(ranging.join("x"), "x").unwrap();
    let mut cmd = solve_cmd(&models.b(), &out, false);
    cmd.arg("--ranging");
    let (status, err) = run(cmd);
    assert_eq!(status.code(), Some(5), "{err}");
    assert!(err.contains("in the way"), "{err}");
    assert_eq!(check_set(&out), 3);
    assert_eq!(std::fs::read(out.join("allocation.csv")).unwrap(), before);
    assert_no_leftovers(&out);
}

fn free_bytes(dir: &Path) -> u64 {
    let out = Command::new("df")
        .args(["-B1", "--output=avail"])
        .arg(dir)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines().nth(1).unwrap().trim().parse().unwrap()
}
