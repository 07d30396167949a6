//! Archives in the pipeline: an archive input becomes one input per member that is a log
//! (`expand`), and its members are scanned in one pass over the archive, in entry order
//! (`run`). Members that are not logs (a sosreport's configuration files, binaries) are
//! counted in one warning per archive, not one each.

use super::{Prepared, UnitOut};
use crate::config::Config;
use crate::input::{self, archive, Kind, Source};
use crate::model::Error;
use crate::report::{Warning, WarningKind};
use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;

/// Where a member lives.
pub(super) struct MemberOf {
    pub archive: Arc<PathBuf>,
    pub format: Kind,
    pub entry: usize,
    pub stored: u64,
}

/// Members named in a warning about skipped members.
const NAMED: usize = 5;

/// Replace each archive among `prepared` by its members that are logs.
pub(super) fn expand(
    prepared: Vec<Prepared>,
    max_expand: u64,
    warnings: &mut Vec<Warning>,
    errors: &mut Vec<Error>,
) -> Vec<Prepared> {
    let mut out = Vec::with_capacity(prepared.len());
    for p in prepared {
        if !matches!(p.kind, Kind::Tar | Kind::Zip) {
            out.push(p);
            continue;
        }
        let Source::File { path, .. } = &p.src else {
            errors.push(Error::Input {
                path: p.src.display().into(),
                msg: "an archive from a stream cannot be read twice: pass the file".into(),
            });
            continue;
        };
        if p.kept.is_some() {
            errors.push(Error::Input {
                path: p.src.display().into(),
                msg: "an archive from a pipe cannot be read twice: pass the file".into(),
            });
            continue;
        }
        let listing = match archive::list(path, &p.kind, max_expand) {
            Ok(l) => l,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        if let Some(e) = listing.error {
            errors.push(Error::Input {
                path: path.into(),
                msg: format!("{e}; the members before it are read"),
            });
        }
        let archive_path = Arc::new(path.clone());
        let mut skipped: Vec<String> = Vec::new();
        // In the order a walk of the unpacked tree gives (path components in byte order), so
        // an archive reads exactly like its unpacked directory.
        let mut members = listing.members;
        members.sort_by(|a, b| std::path::Path::new(&a.name).cmp(std::path::Path::new(&b.name)));
        let folder_hosts = folder_hosts(&members);
        for m in members {
            let sn = m.sniffed;
            match &sn.kind {
                Kind::Text(_) | Kind::Journal | Kind::JournalExport | Kind::JournalJson => {}
                _ => {
                    skipped.push(m.name);
                    continue;
                }
            }
            let host = match &sn.kind {
                Kind::Text(f) => input::sniff::head_host(&sn.head, *f)
                    .or(listing.host.clone())
                    .or_else(|| folder_hosts.get(top_folder(&m.name)?).cloned()),
                _ => None,
            };
            let gzip_mtime = sn
                .gzip_mtime
                .and_then(|t| chrono::DateTime::<chrono::Utc>::from_timestamp(t, 0));
            out.push(Prepared {
                src: Source::Member {
                    archive: path.clone(),
                    name: m.name,
                },
                kind: sn.kind,
                compression: sn.compression,
                file_bytes: m.stored,
                not_after: gzip_mtime.or(m.mtime),
                host,
                kept: None,
                cr_only: sn.cr_only,
                member: Some(MemberOf {
                    archive: archive_path.clone(),
                    format: p.kind.clone(),
                    entry: m.index,
                    stored: m.stored,
                }),
            });
        }
        if !skipped.is_empty() {
            let mut names = skipped
                .iter()
                .take(NAMED)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ");
            if skipped.len() > NAMED {
                names.push_str(&format!(", … and {} more", skipped.len() - NAMED));
            }
            warnings.push(Warning::new(
                WarningKind::Skipped,
                Some(&path.display().to_string()),
                format!(
                    "{} member(s) are not logs this tool reads, skipped: {names}",
                    skipped.len()
                ),
            ));
        }
    }
    out
}

fn top_folder(name: &str) -> Option<&str> {
    name.split_once('/').map(|(top, _)| top)
}

/// A fleet archive (`web1/var/log/…`, `web2/var/log/…`): when it has several top-level folders
/// and none of the logs in a folder names a host, the folder's name is the host of its
/// host-less logs (supervisord.log, dmesg). A folder whose logs name a host leaves it to them.
fn folder_hosts(members: &[archive::Member]) -> std::collections::BTreeMap<String, String> {
    use std::collections::{BTreeMap, BTreeSet};
    let mut named: BTreeMap<&str, bool> = BTreeMap::new();
    for m in members {
        let Some(top) = top_folder(&m.name) else {
            continue;
        };
        let names = match &m.sniffed.kind {
            Kind::Text(f) => input::sniff::head_host(&m.sniffed.head, *f).is_some(),
            // Journals carry their host in every entry.
            Kind::Journal | Kind::JournalExport | Kind::JournalJson => true,
            _ => false,
        };
        *named.entry(top).or_default() |= names;
    }
    let tops: BTreeSet<&str> = named.keys().copied().collect();
    let hostlike = |t: &str| {
        !t.is_empty()
            && t.len() <= 63
            && t.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
    };
    if tops.len() < 2 {
        return BTreeMap::new();
    }
    named
        .into_iter()
        .filter(|(t, names)| !names && hostlike(t))
        .map(|(t, _)| (t.to_string(), t.to_string()))
        .collect()
}

/// Scan the members `members` (indices into `prepared`, all of one archive, in entry order)
/// in one pass; `scan` reads one member's decompressed stream.
pub(super) fn run(
    members: &[usize],
    prepared: &[Prepared],
    cfg: &Config,
    scan: &dyn Fn(usize, Box<dyn Read + '_>) -> UnitOut,
) -> Vec<(usize, UnitOut)> {
    let Some(first) = members.first().and_then(|&i| prepared[i].member.as_ref()) else {
        return Vec::new();
    };
    let (path, format) = (first.archive.clone(), first.format.clone());
    let by_entry: std::collections::BTreeMap<usize, usize> = members
        .iter()
        .filter_map(|&i| prepared[i].member.as_ref().map(|m| (m.entry, i)))
        .collect();
    let wanted: Vec<usize> = by_entry.keys().copied().collect();
    let mut outs: Vec<(usize, UnitOut)> = Vec::with_capacity(members.len());
    let read = archive::read(
        &path,
        &format,
        &wanted,
        cfg.max_expand,
        &mut |entry, raw| {
            let Some(&i) = by_entry.get(&entry) else {
                return;
            };
            let stored = prepared[i].member.as_ref().map_or(0, |m| m.stored);
            let out = match input::stream::open(raw, Some(stored.max(1)), cfg.max_expand) {
                Ok((stream, _)) => scan(i, Box::new(stream)),
                Err(e) => UnitOut::Failed(Error::Input {
                    path: prepared[i].src.display().into(),
                    msg: format!("cannot read: {e}"),
                }),
            };
            outs.push((i, out));
        },
    );
    let why = match read {
        Ok(()) => "the archive ended before this member".to_string(),
        Err(e) => format!("not reached: {e}"),
    };
    // Members the pass did not reach (the archive broke before them) are said, not lost.
    let reached: std::collections::BTreeSet<usize> = outs.iter().map(|(j, _)| *j).collect();
    for &i in members {
        if !reached.contains(&i) {
            outs.push((
                i,
                UnitOut::Failed(Error::Input {
                    path: prepared[i].src.display().into(),
                    msg: why.clone(),
                }),
            ));
        }
    }
    outs
}
