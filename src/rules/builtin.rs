//! The built-in pattern files, compiled into the binary so the tool works from a single file.
//!
//! An explicit list (not a build script) keeps the set reviewable; `tests/patterns.rs` fails if a
//! file in `patterns/` is missing here.

/// `(file name, contents)` in match order: earlier files' rules are tried first.
pub const FILES: &[(&str, &str)] = &[
    ("kernel.toml", include_str!("../../patterns/kernel.toml")),
    ("systemd.toml", include_str!("../../patterns/systemd.toml")),
    ("oomd.toml", include_str!("../../patterns/oomd.toml")),
    (
        "supervisor.toml",
        include_str!("../../patterns/supervisor.toml"),
    ),
    ("cron.toml", include_str!("../../patterns/cron.toml")),
    ("workers.toml", include_str!("../../patterns/workers.toml")),
    ("logloss.toml", include_str!("../../patterns/logloss.toml")),
    ("backup.toml", include_str!("../../patterns/backup.toml")),
];

/// Names of the built-in files (for tests and `patterns list`).
pub fn names() -> impl Iterator<Item = &'static str> {
    FILES.iter().map(|(n, _)| *n)
}
