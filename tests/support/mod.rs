//! Shared test support: the one Frappe fixture, a real report of real log trees (`fixture`), a
//! builder for small hand-made event sequences (`events`) and a seeded generator of copied-log
//! trees with known truth (`gen`).
#![allow(dead_code)]

pub mod events;
pub mod fixture;
pub mod gen;

use std::path::PathBuf;

/// The shared corpus of real third-party logs (`LOGAUTOPSY_CORPUS`), or `None` when it is not
/// set — then the caller's test skips, saying so. Under CI (`CI` set, as `.ci/run` runs) a
/// missing corpus fails instead: a green CI must have run the real-data tests.
pub fn corpus() -> Option<PathBuf> {
    match std::env::var_os("LOGAUTOPSY_CORPUS").map(PathBuf::from) {
        Some(p) if p.is_dir() => Some(p),
        other => {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI is set but LOGAUTOPSY_CORPUS ({other:?}) is not the shared corpus folder"
            );
            eprintln!(
                "SKIPPED: set LOGAUTOPSY_CORPUS to the shared corpus folder to run this test"
            );
            None
        }
    }
}
