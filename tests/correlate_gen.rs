//! The seeded generator itself: same seed, same bytes; truths consistent with the lines. (The
//! accuracy test that runs the whole pipeline on these trees is `correlate_accuracy.rs`.)

use crate::support;

use support::gen::generate;

#[test]
fn same_seed_same_tree_different_seed_different_tree() {
    let a = generate(7, 6);
    let b = generate(7, 6);
    let c = generate(8, 6);
    assert_eq!(a.files, b.files);
    assert_eq!(a.truth.incidents, b.truth.incidents);
    assert_ne!(a.files, c.files);
}

#[test]
fn truth_matches_the_lines_it_describes() {
    for seed in 1..=20 {
        let s = generate(seed, 8);
        let syslog = &s.files[0].1;
        let auth = &s.files[1].1;
        assert_eq!(s.truth.windows.len(), 8);
        // One CMD line per backup run, one session close per window with an end.
        assert_eq!(syslog.matches("(frappe) CMD (").count(), 8);
        let closes = auth.matches("session closed for user frappe").count();
        assert_eq!(
            closes,
            s.truth.windows.iter().filter(|w| w.end.is_some()).count()
        );
        // Every kill in the truth has its kernel kill line.
        assert_eq!(
            syslog.matches("Out of memory: Killed process").count(),
            s.truth.kills.len()
        );
        for k in &s.truth.kills {
            assert!(syslog.contains(&format!("Killed process {} ({})", k.pid, k.process)));
        }
        // Every orphan is reported as remaining and found left over at the restart.
        for i in &s.truth.incidents {
            for p in &i.orphans {
                assert!(syslog.contains(&format!("Unit process {p} (")));
                assert!(syslog.contains(&format!("Found left-over process {p} (")));
            }
            assert_eq!(i.kind == "oom-cascade", !i.orphans.is_empty());
        }
    }
}

#[test]
fn seeds_cover_every_kind_and_both_link_outcomes() {
    let mut kinds = std::collections::BTreeSet::new();
    let (mut linked, mut unlinked) = (0, 0);
    for seed in 1..=12 {
        for i in generate(seed, 8).truth.incidents {
            kinds.insert(i.kind.clone());
            if i.window.is_some() {
                linked += 1;
            } else {
                unlinked += 1;
            }
        }
    }
    assert_eq!(
        kinds.into_iter().collect::<Vec<_>>(),
        vec!["oom-cascade", "oom-kill", "worker-crash"]
    );
    assert!(
        linked > 0 && unlinked > 0,
        "linked {linked}, unlinked {unlinked}"
    );
}
