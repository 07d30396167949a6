//! Turning the paths a user gives into a deterministic list of inputs: files as given,
//! directories walked recursively in byte order of their paths, globs expanded, `-` for stdin.
//! Problems (missing path, unreadable directory) are collected, never fatal.

use crate::model::Error;
use std::path::{Path, PathBuf};

/// One thing to read.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Source {
    Stdin,
    /// A file; `explicit` when the user named it (not found by walking a directory), which
    /// decides whether an unreadable or non-log file is an error or a skip warning.
    File {
        path: PathBuf,
        explicit: bool,
    },
    /// A member of an archive (`input::archive`), named `ARCHIVE:MEMBER` in every output.
    Member {
        archive: PathBuf,
        name: String,
    },
}

impl Source {
    pub fn display(&self) -> String {
        match self {
            Source::Stdin => "-".into(),
            Source::File { path, .. } => path.display().to_string(),
            Source::Member { archive, name } => format!("{}:{name}", archive.display()),
        }
    }
}

/// Expand user paths. Returns the inputs in a deterministic order and the errors met.
pub fn discover(specs: &[String]) -> (Vec<Source>, Vec<Error>) {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for spec in specs {
        if spec == "-" {
            out.push(Source::Stdin);
            continue;
        }
        let p = Path::new(spec);
        if p.exists() || p.symlink_metadata().is_ok() {
            add_path(p, true, &mut out, &mut errors);
        } else if spec.contains(['*', '?', '[']) {
            match glob::glob(spec) {
                Ok(paths) => {
                    let mut found: Vec<PathBuf> = paths.filter_map(|r| r.ok()).collect();
                    found.sort();
                    if found.is_empty() {
                        errors.push(Error::Input {
                            path: spec.into(),
                            msg: "the pattern matches no file".into(),
                        });
                    }
                    for f in found {
                        add_path(&f, true, &mut out, &mut errors);
                    }
                }
                Err(e) => errors.push(Error::Input {
                    path: spec.into(),
                    msg: format!("bad glob pattern: {e}"),
                }),
            }
        } else {
            let e = std::fs::metadata(p)
                .err()
                .unwrap_or_else(|| std::io::Error::from(std::io::ErrorKind::NotFound));
            errors.push(Error::io(spec, e));
        }
    }
    // The same file named twice (e.g. a directory and a file in it) is read once.
    let mut seen = std::collections::BTreeSet::new();
    out.retain(|s| match s {
        Source::File { path, .. } => {
            seen.insert(path.canonicalize().unwrap_or_else(|_| path.clone()))
        }
        Source::Stdin | Source::Member { .. } => true,
    });
    (out, errors)
}

fn add_path(p: &Path, explicit: bool, out: &mut Vec<Source>, errors: &mut Vec<Error>) {
    match std::fs::metadata(p) {
        Ok(md) if md.is_dir() => walk(p, out, errors),
        Ok(_) => out.push(Source::File {
            path: p.to_path_buf(),
            explicit,
        }),
        Err(e) => errors.push(Error::io(p, e)),
    }
}

fn walk(dir: &Path, out: &mut Vec<Source>, errors: &mut Vec<Error>) {
    let rd = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) => {
            errors.push(Error::io(dir, e));
            return;
        }
    };
    let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        // Symlinks inside copied trees are followed for files, not for directories (loops).
        let Ok(md) = std::fs::symlink_metadata(&p) else {
            continue;
        };
        if md.file_type().is_symlink() {
            match std::fs::metadata(&p) {
                Ok(m) if m.is_file() => out.push(Source::File {
                    path: p,
                    explicit: false,
                }),
                _ => {}
            }
        } else if md.is_dir() {
            walk(&p, out, errors);
        } else if md.is_file() {
            out.push(Source::File {
                path: p,
                explicit: false,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_directories_in_order_and_reports_missing_paths() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("b/supervisor")).unwrap();
        for f in [
            "syslog",
            "syslog.1",
            "b/supervisor/supervisord.log",
            "auth.log",
        ] {
            std::fs::write(d.path().join(f), "x\n").unwrap();
        }
        let missing = d.path().join("nope").display().to_string();
        let (srcs, errs) = discover(&[d.path().display().to_string(), missing.clone(), "-".into()]);
        let names: Vec<String> = srcs
            .iter()
            .map(|s| s.display().replace(&d.path().display().to_string(), ""))
            .collect();
        assert_eq!(
            names,
            [
                "/auth.log",
                "/b/supervisor/supervisord.log",
                "/syslog",
                "/syslog.1",
                "-"
            ]
        );
        assert_eq!(errs.len(), 1);
        assert!(errs[0].to_string().starts_with(&missing), "{}", errs[0]);
        let glob = format!("{}/syslog*", d.path().display());
        let (srcs, errs) = discover(&[glob]);
        assert_eq!((srcs.len(), errs.len()), (2, 0));
    }
}
