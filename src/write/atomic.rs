//! Whole-or-nothing file writes: every file is written in full to a temporary name in its
//! folder and synced to disk (concurrently: each `fsync` waits on the disk, and they
//! overlap); only when all of a set are written and synced are they renamed into place.
//! Temporary files in flight are registered so Ctrl-C can remove them.
//!
//! Why not `tempfile`'s `NamedTempFile::persist`: it renames one file, while every command
//! here must publish a *set* of files all or none (allocation, summary and constraints
//! together), sync them concurrently before any rename, and let the Ctrl-C handler find
//! the temporary names — none of which `persist` offers. `tempfile` stays a dev-dependency.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rayon::prelude::*;

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

/// Creates the results folder `dir` (and its parents). A path that names an existing
/// file is a usage error (exit 2), any other failure a write error (exit 5).
pub fn create_out_dir(dir: &Path) -> crate::Result<()> {
    if dir.exists() && !dir.is_dir() {
        return Err(crate::Error::Usage(format!(
            "--out {} names a file; expected a folder for the results",
            dir.display()
        )));
    }
    std::fs::create_dir_all(dir).map_err(|e| crate::Error::write(dir, e))
}

/// A failed write: the file it was for and the error.
#[derive(Debug)]
pub struct WriteError {
    /// The target file.
    pub path: PathBuf,
    /// What failed.
    pub source: io::Error,
}

impl From<WriteError> for crate::Error {
    fn from(e: WriteError) -> Self {
        crate::Error::write(e.path, e.source)
    }
}

/// Files written to temporary names and waiting to be renamed; dropping it removes them.
#[derive(Default)]
pub struct Staged {
    /// (temporary, final) paths.
    files: Vec<(PathBuf, PathBuf)>,
    /// The written temporary files not yet synced, with their targets.
    open: Vec<(File, PathBuf)>,
}

impl Staged {
    /// An empty set.
    pub fn new() -> Self {
        Staged::default()
    }

    /// Writes `target` through `body` into its temporary file (synced by
    /// [`Staged::sync`] or [`Staged::commit`]).
    pub fn write<T>(
        &mut self,
        target: &Path,
        body: impl FnOnce(&mut BufWriter<File>) -> io::Result<T>,
    ) -> Result<T, WriteError> {
        let tmp = temp_name(target);
        let err = |source| WriteError {
            path: target.to_path_buf(),
            source,
        };
        track(&tmp);
        let file = match File::create(&tmp) {
            Ok(f) => f,
            Err(e) => {
                untrack(&tmp);
                return Err(err(e));
            }
        };
        self.files.push((tmp, target.to_path_buf()));
        let mut w = BufWriter::with_capacity(1 << 16, file);
        let value = body(&mut w).map_err(err)?;
        let file = w.into_inner().map_err(|e| err(e.into_error()))?;
        self.open.push((file, target.to_path_buf()));
        Ok(value)
    }

    /// Syncs the temporary files written so far to disk.
    pub fn sync(&mut self) -> Result<(), WriteError> {
        let open = std::mem::take(&mut self.open);
        open.into_par_iter()
            .map(|(file, target)| {
                file.sync_all().map_err(|source| WriteError {
                    path: target,
                    source,
                })
            })
            .collect::<Vec<_>>()
            .into_iter()
            .collect()
    }

    /// Takes over the files of `other`, to be renamed after this set's own.
    pub fn append(&mut self, mut other: Staged) {
        self.files.append(&mut other.files);
        self.open.append(&mut other.open);
    }

    /// Syncs every temporary file to disk, then renames each into place; returns the
    /// final paths. If a rename fails, the files renamed before it stay replaced (renames
    /// are atomic one by one).
    pub fn commit(mut self) -> Result<Vec<PathBuf>, WriteError> {
        self.sync()?;
        let files = std::mem::take(&mut self.files);
        let mut done = Vec::with_capacity(files.len());
        let mut rest = files.into_iter();
        while let Some((tmp, target)) = rest.next() {
            if let Err(source) = std::fs::rename(&tmp, &target) {
                self.files = std::iter::once((tmp, target.clone())).chain(rest).collect();
                return Err(WriteError {
                    path: target,
                    source,
                });
            }
            untrack(&tmp);
            done.push(target);
        }
        Ok(done)
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        for (tmp, _) in &self.files {
            let _ = std::fs::remove_file(tmp);
            untrack(tmp);
        }
    }
}

/// Writes each file to its temporary name and syncs them; the caller commits the set (or
/// drops it, which removes the temporary files).
pub fn stage_all(files: &[(PathBuf, Vec<u8>)]) -> Result<Staged, WriteError> {
    let mut staged = Staged::new();
    for (path, bytes) in files {
        // Whole buffers: one write call each, past the BufWriter.
        staged.write(path, |w| w.get_mut().write_all(bytes))?;
    }
    staged.sync()?;
    Ok(staged)
}

fn temp_name(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.{}.tmp", std::process::id()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_all(files: &[(PathBuf, Vec<u8>)]) -> Result<Vec<PathBuf>, WriteError> {
        stage_all(files)?.commit()
    }

    #[test]
    fn all_or_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.csv");
        // The second target is a folder: its rename fails, and no temp file is left.
        let b = dir.path().join("b");
        std::fs::create_dir(&b).unwrap();
        std::fs::write(b.join("x"), "x").unwrap();
        assert!(write_all(&[(a.clone(), b"1".to_vec()), (b.clone(), b"2".to_vec())]).is_err());
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(names.iter().all(|n| !n.ends_with(".tmp")), "{names:?}");
        write_all(&[(a.clone(), b"3".to_vec())]).unwrap();
        assert_eq!(std::fs::read(&a).unwrap(), b"3");
    }
}
