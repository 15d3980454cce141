//! One writer at a time per results folder: an exclusive `flock` on the folder itself,
//! held while a set is published. The kernel releases it when the process ends, however
//! it ends, so a lock of a dead run never lingers and no lock file is left behind.

use std::fs::{File, TryLockError};
use std::path::Path;
use std::sync::OnceLock;

use super::atomic::WriteError;

/// Told when another run holds the folder's lock and this one waits for it.
static ON_WAIT: OnceLock<fn(&Path)> = OnceLock::new();

/// Sets what is told when a run waits for another run's lock on a folder (once).
pub fn on_wait(notice: fn(&Path)) {
    let _ = ON_WAIT.set(notice);
}

/// The exclusive lock on a results folder; released when dropped.
pub struct FolderLock {
    _file: File,
}

impl FolderLock {
    /// Locks `dir`, waiting for another run that holds it.
    pub fn acquire(dir: &Path) -> Result<FolderLock, WriteError> {
        let err = |source| WriteError {
            path: dir.to_path_buf(),
            source,
        };
        let file = File::open(dir).map_err(err)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                if let Some(notice) = ON_WAIT.get() {
                    notice(dir);
                }
                file.lock().map_err(err)?;
            }
            Err(TryLockError::Error(e)) => return Err(err(e)),
        }
        Ok(FolderLock { _file: file })
    }
}
