//! Whole-or-nothing file writes: write to a temporary name in the same folder, flush,
//! then rename over the target.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::error::{Error, Result};

/// Temporary files being written right now, so an interrupt can remove them.
static IN_FLIGHT: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Removes every temporary file still being written (called on Ctrl-C before exiting).
pub fn remove_in_flight() {
    if let Ok(list) = IN_FLIGHT.lock() {
        for p in list.iter() {
            let _ = std::fs::remove_file(p);
        }
    }
}

fn track(path: &Path) {
    if let Ok(mut list) = IN_FLIGHT.lock() {
        list.push(path.to_path_buf());
    }
}

fn untrack(path: &Path) {
    if let Ok(mut list) = IN_FLIGHT.lock() {
        list.retain(|p| p != path);
    }
}

/// Writes `bytes` to `path` atomically.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = temp_name(path);
    track(&tmp);
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    untrack(&tmp);
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::io(path, e));
    }
    Ok(())
}

/// Writes several files so that either all of them are replaced or none: every file is
/// first written to a temporary name, and only when all succeeded are they renamed.
pub fn write_all_atomic(files: &[(PathBuf, Vec<u8>)]) -> Result<()> {
    let mut written: Vec<PathBuf> = Vec::new();
    let cleanup = |written: &[PathBuf]| {
        for t in written {
            let _ = std::fs::remove_file(t);
            untrack(t);
        }
    };
    for (path, bytes) in files {
        let tmp = temp_name(path);
        track(&tmp);
        let result = (|| {
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(bytes)?;
            f.sync_all()
        })();
        written.push(tmp);
        if let Err(e) = result {
            cleanup(&written);
            return Err(Error::io(path, e));
        }
    }
    for ((path, _), tmp) in files.iter().zip(&written) {
        if let Err(e) = std::fs::rename(tmp, path) {
            cleanup(&written);
            return Err(Error::io(path, e));
        }
        untrack(tmp);
    }
    Ok(())
}

fn temp_name(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.{}.tmp", std::process::id()))
}
