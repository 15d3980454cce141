use super::*;

fn write_all(files: &[(PathBuf, Vec<u8>)]) -> Result<Vec<PathBuf>, WriteError> {
    stage_all(files)?.commit()
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.csv");
    // The second target is a folder: the run fails before any rename, no temp file is left.
    let b = dir.path().join("b");
    std::fs::create_dir(&b).unwrap();
    std::fs::write(b.join("x"), "x").unwrap();
    assert!(write_all(&[(a.clone(), b"1".to_vec()), (b.clone(), b"2".to_vec())]).is_err());
    assert_eq!(names(dir.path()), ["b"]);
    write_all(&[(a.clone(), b"3".to_vec())]).unwrap();
    assert_eq!(std::fs::read(&a).unwrap(), b"3");
}

#[cfg(unix)]
mod results {
    use super::*;
    use crate::write::set;

    fn publish(dir: &Path, files: &[(&str, &str)]) -> Result<Vec<PathBuf>, WriteError> {
        let files: Vec<(PathBuf, Vec<u8>)> = files
            .iter()
            .map(|(n, b)| (dir.join(n), b.as_bytes().to_vec()))
            .collect();
        stage_results(dir, &files)?.commit()
    }

    fn read(dir: &Path, name: &str) -> String {
        std::fs::read_to_string(dir.join(name)).unwrap()
    }

    #[test]
    fn sets_replace_sets_and_keep_other_files() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        std::fs::write(dir.join("notes.txt"), "mine").unwrap();
        publish(dir, &[("a.csv", "a1"), ("b.csv", "b1")]).unwrap();
        publish(dir, &[("a.csv", "a2"), ("c.csv", "c2")]).unwrap();
        // b.csv, not rewritten, stays; notes.txt is not a result and is untouched.
        assert_eq!(
            [read(dir, "a.csv"), read(dir, "b.csv"), read(dir, "c.csv")],
            ["a2", "b1", "c2"]
        );
        assert_eq!(read(dir, "notes.txt"), "mine");
        assert!(std::fs::symlink_metadata(dir.join("notes.txt"))
            .unwrap()
            .is_file());
        // The published generation and the one it replaced are left, and no temporary file.
        let meta = names(&dir.join(set::META));
        assert_eq!(meta.len(), 4, "{meta:?}");
        assert!(meta.contains(&"current".to_string()));
        assert!(meta.contains(&"previous".to_string()));
        assert!(names(dir).iter().all(|n| !n.ends_with(".tmp")));
    }

    #[test]
    fn one_file_alone_stays_a_regular_file() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        publish(dir, &[("s.csv", "s1")]).unwrap();
        publish(dir, &[("s.csv", "s2")]).unwrap();
        assert!(std::fs::symlink_metadata(dir.join("s.csv"))
            .unwrap()
            .is_file());
        assert_eq!(read(dir, "s.csv"), "s2");
        assert_eq!(names(dir), ["s.csv"]);
        // Once in a set, it is replaced as a link.
        publish(dir, &[("s.csv", "s3"), ("t.csv", "t3")]).unwrap();
        publish(dir, &[("s.csv", "s4")]).unwrap();
        assert_eq!([read(dir, "s.csv"), read(dir, "t.csv")], ["s4", "t3"]);
        assert!(std::fs::symlink_metadata(dir.join("s.csv"))
            .unwrap()
            .file_type()
            .is_symlink());
    }

    #[test]
    fn a_folder_in_the_way_changes_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        publish(dir, &[("a.csv", "a1"), ("b.csv", "b1")]).unwrap();
        std::fs::remove_file(dir.join("b.csv")).unwrap();
        std::fs::create_dir(dir.join("b.csv")).unwrap();
        let err = publish(dir, &[("a.csv", "a2"), ("b.csv", "b2")]).unwrap_err();
        assert_eq!(err.path, dir.join("b.csv"));
        assert_eq!(read(dir, "a.csv"), "a1");
        assert_eq!(names(&dir.join(set::META)).len(), 2);
    }

    #[test]
    fn regular_files_of_an_earlier_version_are_taken_over() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        std::fs::write(dir.join("a.csv"), "old a").unwrap();
        std::fs::write(dir.join("b.csv"), "old b").unwrap();
        publish(dir, &[("a.csv", "a1"), ("b.csv", "b1")]).unwrap();
        assert_eq!([read(dir, "a.csv"), read(dir, "b.csv")], ["a1", "b1"]);
        for n in ["a.csv", "b.csv"] {
            assert!(std::fs::symlink_metadata(dir.join(n))
                .unwrap()
                .file_type()
                .is_symlink());
        }
    }

    #[test]
    fn leftovers_of_dead_runs_go_and_only_those() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        publish(dir, &[("a.csv", "a1"), ("b.csv", "b1")]).unwrap();
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let dead = child.id();
        child.wait().unwrap();
        let meta = dir.join(set::META);
        std::fs::create_dir(meta.join(format!("set.{dead}.0"))).unwrap();
        std::fs::write(meta.join(format!("set.{dead}.0/a.csv")), "x").unwrap();
        std::fs::write(dir.join(format!(".a.csv.{dead}.tmp")), "x").unwrap();
        // A live process's (init's) and a file of another shape stay.
        std::fs::write(dir.join(".a.csv.1.tmp"), "x").unwrap();
        std::fs::write(dir.join(format!("a.csv.{dead}.tmp")), "x").unwrap();
        publish(dir, &[("a.csv", "a2"), ("b.csv", "b2")]).unwrap();
        let left = names(dir);
        assert!(!left.contains(&format!(".a.csv.{dead}.tmp")), "{left:?}");
        assert!(left.contains(&".a.csv.1.tmp".to_string()), "{left:?}");
        assert!(left.contains(&format!("a.csv.{dead}.tmp")), "{left:?}");
        assert_eq!(names(&meta).len(), 4, "{:?}", names(&meta));
    }

    /// A reader that resolved `current` once can read that generation until the next
    /// publication after the one that replaced it; older generations go.
    #[test]
    fn the_replaced_generation_stays_until_the_next_publication() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let meta = dir.join(set::META);
        publish(dir, &[("a.csv", "a1"), ("b.csv", "b1")]).unwrap();
        let first = meta.join(std::fs::read_link(meta.join("current")).unwrap());
        publish(dir, &[("a.csv", "a2"), ("b.csv", "b2")]).unwrap();
        assert_eq!(read(&first, "a.csv"), "a1");
        assert_eq!(read(&first, "b.csv"), "b1");
        assert_eq!(
            meta.join(std::fs::read_link(meta.join("previous")).unwrap()),
            first
        );
        publish(dir, &[("a.csv", "a3"), ("b.csv", "b3")]).unwrap();
        assert!(!first.exists(), "{:?}", names(&meta));
        assert_eq!(names(&meta).len(), 4, "{:?}", names(&meta));
        assert_eq!([read(dir, "a.csv"), read(dir, "b.csv")], ["a3", "b3"]);
    }

    /// A publication that fails at the swap leaves no link to nothing for the result
    /// names it added, and the earlier set as it was.
    #[test]
    fn a_failed_swap_removes_the_links_it_made() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        publish(dir, &[("a.csv", "a1"), ("b.csv", "b1")]).unwrap();
        // The swap's temporary link cannot be made: a folder holds its name.
        let meta = dir.join(set::META);
        let blocker = meta.join(format!(".current.{}.tmp", std::process::id()));
        std::fs::create_dir(&blocker).unwrap();
        std::fs::write(blocker.join("x"), "x").unwrap();
        let err = publish(dir, &[("a.csv", "a2"), ("b.csv", "b2"), ("c.csv", "c2")]);
        assert!(err.is_err());
        assert!(
            std::fs::symlink_metadata(dir.join("c.csv")).is_err(),
            "{:?}",
            names(dir)
        );
        assert_eq!([read(dir, "a.csv"), read(dir, "b.csv")], ["a1", "b1"]);
        std::fs::remove_dir_all(&blocker).unwrap();
        publish(dir, &[("a.csv", "a3"), ("c.csv", "c3")]).unwrap();
        assert_eq!(
            [read(dir, "a.csv"), read(dir, "b.csv"), read(dir, "c.csv")],
            ["a3", "b1", "c3"]
        );
    }
    #[test]
    fn only_regular_files_are_replaced() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let real = dir.join("real.mps");
        std::fs::write(&real, "keep").unwrap();
        let link = dir.join("link.mps");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        assert!(write_all(&[(link.clone(), b"x".to_vec())]).is_err());
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "keep");
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert!(write_all(&[(PathBuf::from("/dev/null"), b"x".to_vec())]).is_err());
        use std::os::unix::fs::FileTypeExt;
        assert!(std::fs::metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_char_device());
    }
}

/// The leftover sweep beside a single file (`-o`, `--xlsx`) removes only this program's
/// temporary names for that file, not another program's `.X.PID.tmp` in the same folder.
#[cfg(unix)]
#[test]
fn the_sweep_beside_a_file_takes_only_its_own_temporary_names() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let dead = child.id();
    child.wait().unwrap();
    let ours = format!(".out.csv.{dead}.tmp");
    let theirs = format!(".session.{dead}.tmp");
    let other = format!(".other.csv.{dead}.tmp");
    for n in [&ours, &theirs, &other] {
        std::fs::write(dir.path().join(n), "x").unwrap();
    }
    write_all(&[(dir.path().join("out.csv"), b"1".to_vec())]).unwrap();
    let left = names(dir.path());
    assert!(!left.contains(&ours), "{left:?}");
    assert!(left.contains(&theirs), "{left:?}");
    assert!(left.contains(&other), "{left:?}");
}
