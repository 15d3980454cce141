//! Leftovers of runs that died (SIGKILL, power loss): temporary files `.NAME.PID.tmp` and
//! staging folders `set.PID.N` whose process is gone. Only names of that exact shape,
//! carrying the id of a process that no longer exists, are ever removed.

use std::ffi::OsStr;
use std::path::Path;

/// The temporary name of `name` for this process: `.NAME.PID.tmp`.
pub(crate) fn temp_file_name(name: &OsStr) -> String {
    format!(".{}.{}.tmp", name.to_string_lossy(), std::process::id())
}

/// The process id in a temporary file's name `.NAME.PID.tmp`.
pub(crate) fn temp_pid(name: &str) -> Option<u32> {
    let inner = name.strip_prefix('.')?.strip_suffix(".tmp")?;
    let (stem, pid) = inner.rsplit_once('.')?;
    (!stem.is_empty()).then_some(())?;
    parse_pid(pid)
}

/// The process id in a staging folder's name `set.PID.N`.
pub(crate) fn set_pid(name: &str) -> Option<u32> {
    let (pid, seq) = name.strip_prefix("set.")?.split_once('.')?;
    seq.bytes().all(|b| b.is_ascii_digit()).then_some(())?;
    parse_pid(pid)
}

fn parse_pid(digits: &str) -> Option<u32> {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// Whether `pid` names a dead process (never this one). Where that cannot be known, no.
pub(crate) fn is_dead(pid: u32) -> bool {
    if pid == std::process::id() || pid == 0 {
        return false;
    }
    #[cfg(unix)]
    {
        let Ok(pid) = libc::pid_t::try_from(pid) else {
            return false;
        };
        // SAFETY: kill with signal 0 only checks that the process exists.
        let r = unsafe { libc::kill(pid, 0) };
        r != 0 && std::io::Error::last_os_error().raw_os_error() == Some(libc::ESRCH)
    }
    #[cfg(not(unix))]
    {
        false
    }
}

/// Removes the temporary files of dead runs in `dir` (plain files and links only).
pub(crate) fn remove_dead_temps(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let dead = name.to_str().and_then(temp_pid).is_some_and(is_dead);
        let not_dir = e.file_type().is_ok_and(|t| !t.is_dir());
        if dead && not_dir {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// Removes the temporary files dead runs left for the file `name` in `dir`
/// (`.NAME.PID.tmp`, plain files and links only): in a folder shared with other programs
/// (/tmp, a home folder) nothing but this program's own temporary names for `name`.
pub(crate) fn remove_dead_temps_of(dir: &Path, name: &OsStr) {
    let Some(name) = name.to_str() else {
        return;
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let file = e.file_name();
        let Some(pid) = file.to_str().and_then(|f| temp_pid_of(f, name)) else {
            continue;
        };
        if is_dead(pid) && e.file_type().is_ok_and(|t| !t.is_dir()) {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// The process id in `.NAME.PID.tmp` when `file` is a temporary name of `name`.
fn temp_pid_of(file: &str, name: &str) -> Option<u32> {
    let pid = file
        .strip_prefix('.')?
        .strip_prefix(name)?
        .strip_prefix('.')?
        .strip_suffix(".tmp")?;
    parse_pid(pid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_of_leftovers() {
        assert_eq!(temp_pid(".allocation.csv.123.tmp"), Some(123));
        assert_eq!(temp_pid(".a.b.7.tmp"), Some(7));
        assert_eq!(temp_pid("allocation.csv.123.tmp"), None);
        assert_eq!(temp_pid(".123.tmp"), None);
        assert_eq!(temp_pid(".x.12a.tmp"), None);
        assert_eq!(temp_pid(".x.12.tmpx"), None);
        assert_eq!(set_pid("set.42.0"), Some(42));
        assert_eq!(set_pid("set.42"), None);
        assert_eq!(set_pid("set.42.x"), None);
        assert_eq!(set_pid("current"), None);
        assert_eq!(temp_pid_of(".out.csv.12.tmp", "out.csv"), Some(12));
        assert_eq!(temp_pid_of(".other.csv.12.tmp", "out.csv"), None);
        assert_eq!(temp_pid_of(".out.csv.x.12.tmp", "out.csv"), None);
        assert_eq!(temp_pid_of(".out.csv.tmp", "out.csv"), None);
    }

    #[cfg(unix)]
    #[test]
    fn only_dead_processes_are_dead() {
        assert!(!is_dead(std::process::id()));
        // A child that has exited and been reaped no longer exists.
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        assert!(is_dead(pid));
        assert!(!is_dead(1), "init is alive");
    }
}
