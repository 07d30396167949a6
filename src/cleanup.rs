//! Temporary files survive nothing: a report, a dataset partition or a spooled stream is first
//! written to a temporary file, and an interrupted run (Ctrl-C, `kill`, a CI timeout) must not
//! leave it behind. Drop removes them on every normal path (tempfile); a signal ends the process
//! without running drops, so each temporary file is also listed here while it lives, and the
//! binary's signal thread (`on_signals`) removes what is listed before dying of the signal.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

static LIVE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// A listed temporary file; dropping this unlists it (the file itself is the caller's).
#[must_use = "the file is unlisted when this is dropped"]
pub struct Listed(PathBuf);

/// List `path` for removal if the process is interrupted.
pub fn list(path: &Path) -> Listed {
    if let Ok(mut live) = LIVE.lock() {
        live.push(path.to_path_buf());
    }
    Listed(path.to_path_buf())
}

impl Drop for Listed {
    fn drop(&mut self) {
        if let Ok(mut live) = LIVE.lock() {
            if let Some(i) = live.iter().rposition(|p| *p == self.0) {
                live.swap_remove(i);
            }
        }
    }
}

/// Remove every listed file (on the way out after a signal).
fn remove_all() {
    // A poisoned lock still holds the list.
    let live = match LIVE.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    };
    for p in live.iter() {
        let _ = std::fs::remove_file(p);
    }
}

/// On SIGINT, SIGTERM or SIGHUP: remove the listed temporary files, then die of the signal as
/// the process would have (exit status 128 + N for the shell).
#[cfg(unix)]
pub fn on_signals() -> std::io::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP])?;
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            if let Some(sig) = signals.forever().next() {
                remove_all();
                let _ = signal_hook::low_level::emulate_default_handler(sig);
                std::process::exit(128 + sig);
            }
        })?;
    Ok(())
}

#[cfg(not(unix))]
pub fn on_signals() -> std::io::Result<()> {
    Ok(())
}
