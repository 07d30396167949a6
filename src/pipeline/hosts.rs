//! Hosts for inputs whose lines name none (supervisord.log, dmesg, journalctl output without
//! hostnames): the host that the other logs of the same copied tree name. "Same tree" is the
//! longest common directory prefix, and it decides only when one host is named there; with a
//! single host in the whole run, every input gets it. Otherwise the host is `unknown`, with a
//! warning that says to pass `--host`.

use crate::input::Source;
use std::collections::BTreeMap;
use std::path::{Component, PathBuf};

/// The directories an input sits in; an archive member sits in its archive (as if unpacked
/// beside it), so the members of `fleet.tar.gz:web1/…` form a tree as a copied `web1/` does.
fn dir_components(src: &Source) -> Vec<String> {
    let normal = |p: &std::path::Path| -> Vec<String> {
        p.components()
            .filter_map(|c| match c {
                Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
                _ => None,
            })
            .collect()
    };
    match src {
        Source::Stdin => Vec::new(),
        Source::File { path, .. } => {
            let abs = path.canonicalize().unwrap_or_else(|_| path.clone());
            let dir: PathBuf = abs.parent().map(|p| p.to_path_buf()).unwrap_or_default();
            normal(&dir)
        }
        Source::Member { archive, name } => {
            let abs = archive.canonicalize().unwrap_or_else(|_| archive.clone());
            let inner = std::path::Path::new(name);
            let mut v = normal(&abs);
            v.extend(normal(inner.parent().unwrap_or(std::path::Path::new(""))));
            v
        }
    }
}

/// For each input `(source, host its first lines name, whether its lines can lack one)`, the
/// host its lines default to and
/// a warning when that host was guessed or could not be found. `force` is `--host`.
pub fn assign(
    inputs: &[(Source, Option<String>, bool)],
    force: Option<&str>,
) -> Vec<(Option<String>, Option<String>)> {
    if let Some(h) = force {
        return inputs.iter().map(|_| (Some(h.to_string()), None)).collect();
    }
    let dirs: Vec<Vec<String>> = inputs.iter().map(|(s, _, _)| dir_components(s)).collect();
    let mut all_hosts: Vec<&String> = inputs.iter().filter_map(|(_, h, _)| h.as_ref()).collect();
    all_hosts.sort();
    all_hosts.dedup();
    inputs
        .iter()
        .enumerate()
        .map(|(i, (_, host, needs))| {
            // Journals and event tables carry a host per entry.
            if host.is_some() || !needs {
                return (host.clone(), None);
            }
            // Score each named host by the longest directory prefix shared with this input.
            let mut best: BTreeMap<&String, (usize, usize)> = BTreeMap::new();
            for (j, (_, h, _)) in inputs.iter().enumerate() {
                let Some(h) = h else { continue };
                let common = dirs[i].iter().zip(&dirs[j]).take_while(|(a, b)| a == b).count();
                let e = best.entry(h).or_insert((0, 0));
                if common > e.0 {
                    *e = (common, 1);
                } else if common == e.0 {
                    e.1 += 1;
                }
            }
            let top = best.iter().map(|(_, (c, _))| *c).max().unwrap_or(0);
            let mut cands: Vec<(&String, usize)> = best.iter().filter(|(_, (c, _))| *c == top).map(|(h, (_, n))| (*h, *n)).collect();
            cands.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
            match (all_hosts.len(), cands.first()) {
                (0, _) => (None, Some("no host named in this input or any other: reported as `unknown` (pass --host NAME)".into())),
                (1, _) => (Some(all_hosts[0].clone()), None),
                // Only an unambiguous tree decides; a folder of files from many hosts does not.
                (_, Some((h, _))) if top > 0 && cands.len() == 1 => ((*h).clone().into(), None),
                (_, _) => (None, Some("names no host and its directory does not tell which copied host it belongs to: reported as `unknown` (pass --host NAME, one host per run)".into())),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostless_files_take_the_host_of_their_tree() {
        let d = tempfile::tempdir().unwrap();
        for f in ["web1/var/log/supervisor", "web2/var/log/supervisor"] {
            std::fs::create_dir_all(d.path().join(f)).unwrap();
        }
        let f = |p: &str| Source::File {
            path: d.path().join(p),
            explicit: false,
        };
        let inputs = vec![
            (f("web1/var/log/syslog"), Some("web1".to_string()), false),
            (f("web1/var/log/supervisor/supervisord.log"), None, true),
            (f("web2/var/log/syslog"), Some("web2".to_string()), false),
            (f("web2/var/log/supervisor/supervisord.log"), None, true),
        ];
        let got: Vec<Option<String>> = assign(&inputs, None).into_iter().map(|a| a.0).collect();
        assert_eq!(
            got,
            [Some("web1"), Some("web1"), Some("web2"), Some("web2")].map(|s| s.map(String::from))
        );
        let forced = assign(&inputs, Some("db9"));
        assert!(forced.iter().all(|a| a.0.as_deref() == Some("db9")));
        let lone = vec![(Source::Stdin, None, true)];
        assert!(assign(&lone, None)[0].1.is_some());
    }
}
