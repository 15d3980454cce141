//! Signals end a run cleanly. On Unix, SIGINT, SIGTERM and SIGHUP are blocked in every
//! thread and taken by one thread with `sigwait`: it waits for a commit in progress to
//! finish, removes the temporary files in flight and exits with 128 + the signal (130,
//! 143, 129). SIGXFSZ is ignored, so writing past a file-size limit (`ulimit -f`) fails
//! with EFBIG: an ordinary write error (exit 5). Elsewhere, Ctrl-C alone (ctrlc).

/// Installs the handling above; call first thing, before any other thread starts (the
/// blocked signals are inherited by every thread spawned after).
pub fn install() {
    #[cfg(unix)]
    unix::install();
    #[cfg(not(unix))]
    let _ = ctrlc::set_handler(|| stop(2, "Ctrl-C"));
}

/// Ends the run after signal `number` (`name` for the message). The message is best
/// effort: after a hang-up stderr may be gone (EIO, EPIPE), and a panic here would leave
/// the run half stopped.
fn stop(number: i32, name: &str) -> ! {
    use std::io::Write;
    let _guard = sourcemix::commands::stop_writing();
    let _ = writeln!(
        std::io::stderr(),
        "interrupted by {name}; no partial result file is left behind"
    );
    std::process::exit(128 + number)
}

#[cfg(unix)]
mod unix {
    pub(super) fn install() {
        // SAFETY: plain POSIX calls on a local, initialized signal set.
        let set = unsafe {
            let mut set: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            for s in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
                libc::sigaddset(&mut set, s);
            }
            libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            set
        };
        let spawned = std::thread::Builder::new()
            .name("signals".into())
            .spawn(move || loop {
                let mut number = 0;
                // SAFETY: `set` is initialized; sigwait writes the signal taken.
                if unsafe { libc::sigwait(&set, &mut number) } == 0 {
                    super::stop(number, name(number));
                }
            });
        if spawned.is_err() {
            // No thread to take them: the signals keep their default action.
            // SAFETY: as above.
            unsafe { libc::pthread_sigmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut()) };
        }
    }

    fn name(number: i32) -> &'static str {
        match number {
            libc::SIGINT => "SIGINT",
            libc::SIGTERM => "SIGTERM",
            libc::SIGHUP => "SIGHUP",
            _ => "a signal",
        }
    }
}
