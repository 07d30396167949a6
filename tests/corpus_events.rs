//! Real corpus excerpts through envelope parsing, the built-in rules and `assemble`, with the
//! exact events expected; and no false OOM events on the negative controls. Skipped unless
//! `LOGAUTOPSY_CORPUS` points at the shared corpus folder (CI sets it): the corpus is never
//! copied into the repository.

use logautopsy::events::{assemble::assemble, Event};
use logautopsy::parse::parse_line_for_sample;
use logautopsy::rules::RuleSet;

use crate::support::corpus;

/// Events of one corpus file, or `None` (test skipped) without the corpus.
fn events_of(rel: &str) -> Option<Vec<Event>> {
    let dir = corpus()?;
    let bytes = std::fs::read(dir.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    let text = String::from_utf8_lossy(&bytes);
    let set = RuleSet::load(&[], &[]).unwrap();
    let mut out = Vec::new();
    let mut follow = None;
    for line in text.lines() {
        let Some(rec) = parse_line_for_sample(line) else {
            follow = None;
            continue;
        };
        if let Some(f) = follow {
            if set.apply_follow(f, &rec, &mut out) {
                continue;
            }
        }
        follow = set.apply(&rec, &mut out);
    }
    out.sort_by_key(|e| e.time.micros);
    assemble(&mut out);
    Some(out)
}

/// `kind pid process unit program` per event, `-` for absent fields.
fn brief(evs: &[Event]) -> Vec<String> {
    evs.iter()
        .map(|e| {
            let o = |s: &Option<std::sync::Arc<str>>| s.as_deref().unwrap_or("-").to_string();
            let pid = e.pid.map(|p| p.to_string()).unwrap_or_else(|| "-".into());
            format!(
                "{} {} {} {} {}",
                e.kind,
                pid,
                o(&e.process),
                o(&e.unit),
                o(&e.program)
            )
        })
        .collect()
}

fn check(rel: &str, want: &[&str]) {
    let Some(evs) = events_of(rel) else { return };
    assert_eq!(brief(&evs), want, "{rel}");
}

#[test]
fn erigon_systemd_oom_triple() {
    check(
        "github-issues/blog_erigon-merge-hangover_systemd-oom.log",
        &[
            "unit_oom - - erigon.service -",
            "unit_failed - - erigon.service -",
            "unit_main_exited - - erigon.service -",
        ],
    );
}

#[test]
fn supervisord_321_two_sigterm_shutdowns_and_a_restart() {
    let rel = "github-issues/Supervisor__supervisor__321.supervisord.log";
    check(
        rel,
        &[
            "supervisor_signal - - - -",
            "supervisor_waiting - - - -",
            "supervisor_stopped - - - queue",
            "supervisor_started 19059 - - -",
            "supervisor_spawned 19061 - - queue",
            "supervisor_success - - - queue",
            "supervisor_signal - - - -",
            "supervisor_waiting - - - -",
            "supervisor_stopped - - - queue",
        ],
    );
    let Some(evs) = events_of(rel) else { return };
    assert_eq!(evs[1].attrs.json("programs"), serde_json::json!(["queue"]));
    assert_eq!(evs[2].attr_u64("exit_status"), Some(143));
}

#[test]
fn fate_exits_not_expected_then_fatal() {
    let Some(evs) = events_of("github-issues/FederatedAI__FATE__3986.supervisord.log") else {
        return;
    };
    let kinds: Vec<String> = brief(&evs);
    assert_eq!(kinds.len(), 7);
    assert_eq!(kinds[0], "supervisor_fatal - - - fate-nodemanager");
    assert_eq!(kinds[1], "supervisor_exited - - - fate-clustermanager");
    assert_eq!(evs[1].attrs.json("expected"), serde_json::json!(false));
    assert_eq!(kinds[6], "supervisor_fatal - - - fate-rollsite");
}

#[test]
fn mailinabox_cron_oom_two_line_kill() {
    let rel = "github-issues/mail-in-a-box__mailinabox__2057.cron-oom.log";
    check(rel, &["oom_kill 29587 php - -"]);
    let Some(evs) = events_of(rel) else { return };
    // The excerpt elides lines (`...`) between the table header and the row, so no task table
    // is folded; the select line still gives the prefix.
    assert_eq!(
        serde_json::to_value(&evs[0].attrs).unwrap(),
        serde_json::json!({"anon_rss_kb": 545924, "file_rss_kb": 0, "prefix": "Out of memory", "scope": "global",
                           "shmem_rss_kb": 1356, "total_vm_kb": 1064492})
    );
}

#[test]
fn nextcloud_stop_timeout_then_sigkill() {
    check(
        "github-issues/nextcloud-snap__nextcloud-snap__1836.log",
        &[
            "unit_stopped - - - -",
            "unit_started - - - -",
            "unit_stop_timeout - - snap.nextcloud.mysql.service -",
            "unit_killing 7359 mysqld_safe snap.nextcloud.mysql.service -",
            "unit_killing 9769 mysqld snap.nextcloud.mysql.service -",
            "unit_killing 9838 mysqld snap.nextcloud.mysql.service -",
            "unit_killing 9839 mysqld snap.nextcloud.mysql.service -",
            "unit_killing 9840 mysqld snap.nextcloud.mysql.service -",
            "unit_killing 9841 mysqld snap.nextcloud.mysql.service -",
        ],
    );
}

#[test]
fn systemd_oomd_kill_is_not_a_kernel_oom() {
    check(
        "github-issues/systemd__systemd__20690.log",
        &[
            "oomd_kill - - testsuite-55-testbloat.service -",
            "unit_oom - - testsuite-55-testbloat.service -",
            "unit_main_exited - - testsuite-55-testbloat.service -",
            "unit_failed - - testsuite-55-testbloat.service -",
            "unit_resources - - testsuite-55-testbloat.service -",
        ],
    );
}

#[test]
fn leftover_processes() {
    check(
        "github-issues/domoticz__domoticz__4391.log",
        &[
            "unit_leftover_process 18111 updatebeta domoticz.service -",
            "unit_leftover_process 18196 sudo domoticz.service -",
            "unit_leftover_process 18201 systemctl domoticz.service -",
        ],
    );
    check(
        "github-issues/systemd__systemd__37482.log",
        &[
            "unit_started - - meta-daemon.service -",
            "unit_leftover_process 1409036 meta-daemon meta-daemon.service -",
        ],
    );
}

#[test]
fn header_only_report_keeps_oom_invoked() {
    check(
        "github-issues/webmin__webmin__2229.kernel-5.4.log",
        &["oom_invoked - systemd - -"],
    );
    check(
        "github-issues/pbek__nextbackup__22.kernel-4.9-armv7.log",
        &["oom_invoked - redis-server - -"],
    );
}

#[test]
fn thunderbird_crond_lines_are_all_cron_events() {
    let Some(evs) = events_of("loghub/derived/Thunderbird_2k.crond-lines.syslog-view.log") else {
        return;
    };
    let count = |k: &str| evs.iter().filter(|e| e.kind.as_str() == k).count();
    assert_eq!(
        (
            count("cron_cmd"),
            count("cron_session_open"),
            count("cron_session_close")
        ),
        (19, 19, 24)
    );
    assert_eq!(evs.len(), 62);
    assert!(evs
        .iter()
        .filter(|e| e.kind.as_str() == "cron_cmd")
        .all(|e| e.attr_str("via") == Some("cronie")));
}

#[test]
fn debian_cron_cmds() {
    let Some(evs) = events_of("github-issues/chatwoot__chatwoot__1700.cron.log") else {
        return;
    };
    let cmds: Vec<u32> = evs
        .iter()
        .filter(|e| e.kind.as_str() == "cron_cmd")
        .filter_map(|e| e.pid)
        .collect();
    assert_eq!(
        cmds,
        [26901, 28364, 28580, 28788, 29031, 29158, 29184, 29198]
    );
    assert!(evs.iter().all(|e| e.kind.as_str() != "backup_start"));
}

#[test]
fn negative_controls_yield_no_events() {
    // loghub Linux (RHEL 2.6 /var/log/messages) and OpenSSH: no OOM, no cron, no systemd.
    for rel in ["loghub/Linux/Linux_2k.log", "loghub/OpenSSH/OpenSSH_2k.log"] {
        let Some(evs) = events_of(rel) else { return };
        assert_eq!(brief(&evs), Vec::<String>::new(), "{rel}");
    }
}

/// `DUMP=a.log,b.log cargo test --test tests corpus_events::dump -- --nocapture` prints the events
/// of corpus files: how the expectations above were reviewed.
#[test]
fn dump() {
    for f in std::env::var("DUMP")
        .unwrap_or_default()
        .split(',')
        .filter(|s| !s.is_empty())
    {
        if let Some(evs) = events_of(f) {
            println!("== {f}");
            for (b, e) in brief(&evs).iter().zip(&evs) {
                println!("{b} {}", serde_json::to_string(&e.attrs).unwrap());
            }
        }
    }
}

/// Events of a binary journal read with the system's `journalctl -o json` (skipped when it or
/// the corpus is missing): journal records go through the same rules, MESSAGE_ID and UNIT
/// included.
fn journal_events(rel: &str) -> Option<Vec<Event>> {
    let dir = corpus()?;
    let out = std::process::Command::new("journalctl")
        .args(["--file"])
        .arg(dir.join(rel))
        .args(["-o", "json", "--no-pager"])
        .output()
        .ok()?;
    if out.stdout.is_empty() {
        eprintln!("skipped: journalctl could not read {rel}");
        return None;
    }
    let set = RuleSet::load(&[], &[]).unwrap();
    let mut evs = Vec::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let Ok(serde_json::Value::Object(obj)) = serde_json::from_str::<serde_json::Value>(line)
        else {
            continue;
        };
        // Binary MESSAGEs come as byte arrays: not text, no rule can match them.
        let fields: std::collections::BTreeMap<String, String> = obj
            .into_iter()
            .filter_map(|(k, v)| v.as_str().map(|s| (k, s.to_string())))
            .collect();
        let rec = logautopsy::rules::journal_record(&fields);
        set.apply(&rec, &mut evs);
    }
    evs.sort_by_key(|e| e.time.micros);
    assemble(&mut evs);
    Some(evs)
}

#[test]
fn fedora_journal_unit_failures_are_not_oom() {
    let files = [
        "system.journal",
        "system@0005ebbfd42fc981-39a8842ec948769a.journal~",
        "system@0005ebbfd4346b9f-43185b46162d9fa5.journal~",
        "system@0005ebbfd4385848-2e5dff5354ab9bcf.journal~",
    ];
    let oomish = [
        "oom_invoked",
        "oom_kill",
        "oom_reaped",
        "oomd_kill",
        "unit_oom",
        "worker_killed",
    ];
    let mut results: Vec<(String, String)> = Vec::new();
    let mut exits: Vec<(String, String, String)> = Vec::new();
    for f in files {
        let rel = format!("systemd/test-journals/decompressed/no-rtc/{f}");
        let Some(evs) = journal_events(&rel) else {
            return;
        };
        assert!(evs.len() > 100, "{rel}: {}", evs.len());
        let bad: Vec<&str> = evs
            .iter()
            .filter(|e| oomish.contains(&e.kind.as_str()))
            .map(|e| e.message.as_str())
            .collect();
        assert_eq!(bad, Vec::<&str>::new(), "{rel}");
        for e in &evs {
            let unit = e.unit.as_deref().unwrap_or_default().to_string();
            match e.kind.as_str() {
                "unit_failed" => {
                    results.push((unit, e.attr_str("result").unwrap_or("-").to_string()))
                }
                "unit_main_exited" => exits.push((
                    unit,
                    e.attr_str("code").unwrap_or("-").to_string(),
                    e.attr_str("status").unwrap_or("-").to_string(),
                )),
                _ => {}
            }
        }
    }
    results.sort();
    results.dedup();
    exits.sort();
    exits.dedup();
    eprintln!("{results:?}\n{exits:?}");
    assert_eq!(
        results,
        [
            ("gdm.service".to_string(), "exit-code".to_string()),
            ("udisks2.service".to_string(), "core-dump".to_string())
        ]
    );
    assert!(
        exits.contains(&("udisks2.service".into(), "dumped".into(), "6/ABRT".into())),
        "{exits:?}"
    );
}
