//! What a run ended by a signal must undo, and the commit it must not cut in half.
//!
//! Every temporary file or staging folder is created through [`creating`] and listed
//! here until it is published or removed. [`stop`] (called by the binary's signal thread)
//! waits for a commit in progress to finish ([`commit_guard`]), then removes everything
//! listed; from then on no new temporary file is created, so none is left behind.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};

/// Temporary files and staging folders in flight.
static IN_FLIGHT: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
/// Held while a set is published: a signal waits for it.
static COMMIT: Mutex<()> = Mutex::new(());
/// Set once a signal asked the run to stop.
static STOPPING: AtomicBool = AtomicBool::new(false);

fn lock<T>(m: &'static Mutex<T>) -> MutexGuard<'static, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Runs `create` (which creates temporary files or folders and [`track`]s them) while no
/// signal can remove what is in flight; once the run is stopping, blocks until it exits.
pub(crate) fn creating<T>(create: impl FnOnce(&mut Vec<PathBuf>) -> T) -> T {
    let mut list = lock(&IN_FLIGHT);
    if STOPPING.load(Ordering::SeqCst) {
        drop(list);
        loop {
            std::thread::park();
        }
    }
    create(&mut list)
}

/// Forgets `path` (published or removed).
pub(crate) fn untrack(path: &Path) {
    lock(&IN_FLIGHT).retain(|p| p != path);
}

/// Held for the whole publication of a set: a signal arriving meanwhile waits for it.
pub(crate) fn commit_guard() -> MutexGuard<'static, ()> {
    lock(&COMMIT)
}

/// Stops writing for good: waits for a commit in progress to finish, then removes every
/// temporary file and staging folder in flight. The caller exits right after; the guard
/// it returns keeps any new commit from starting meanwhile.
pub fn stop() -> MutexGuard<'static, ()> {
    let guard = lock(&COMMIT);
    STOPPING.store(true, Ordering::SeqCst);
    let list = lock(&IN_FLIGHT);
    for p in list.iter() {
        if p.is_dir() {
            // A thread's own clean-up may be removing it at the same time: try again.
            for _ in 0..3 {
                if std::fs::remove_dir_all(p).is_ok() || !p.exists() {
                    break;
                }
            }
            // The hidden folder holding it, when nothing else is left there.
            if let Some(meta) = p.parent() {
                let _ = std::fs::remove_dir(meta);
            }
        } else {
            let _ = std::fs::remove_file(p);
        }
    }
    // The list stays locked: nothing new is created before the process exits.
    std::mem::forget(list);
    guard
}
