//! Real line sequences through envelope parsing, the built-in rules (with block `follow`
//! lines, as the scanner drives them) and `events::assemble`: the exact events that come out.

use logautopsy::events::{assemble::assemble, Event};
use logautopsy::parse::parse_line_for_sample;
use logautopsy::rules::RuleSet;
use serde_json::{json, Value};

fn run(lines: &[&str]) -> Vec<Event> {
    let set = RuleSet::load(&[], &[]).unwrap();
    let mut out = Vec::new();
    let mut follow = None;
    for l in lines {
        let rec = parse_line_for_sample(l).unwrap_or_else(|| panic!("unparsed: {l}"));
        if let Some(f) = follow {
            if set.apply_follow(f, &rec, &mut out) {
                continue;
            }
        }
        follow = set.apply(&rec, &mut out);
    }
    out.sort_by_key(|e| e.time.micros);
    assemble(&mut out);
    out
}

/// kind, pid, process, unit, program and all attrs: everything an event says.
fn summary(e: &Event) -> Value {
    json!({"kind": e.kind.as_str(), "pid": e.pid, "process": e.process, "unit": e.unit,
           "program": e.program, "attrs": e.attrs})
}

#[test]
fn two_line_era_block_folds_task_table_and_select_line() {
    // from: mail-in-a-box/mailinabox#2057 (corpus github-issues/mail-in-a-box__mailinabox__2057.cron-oom.log)
    let evs = run(&[
        "Nov  6 18:15:09 crabapple kernel: [940509.213275] [ pid ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name",
        "Nov  6 18:15:09 crabapple kernel: [940509.213344] [29587]    33 29587   266123   136820  1851392     4878             0 php",
        "Nov  6 18:15:09 crabapple kernel: [940509.213347] Out of memory: Kill process 29587 (php) score 370 or sacrifice child",
        "Nov  6 18:15:09 crabapple kernel: [940509.214558] Killed process 29587 (php) total-vm:1064492kB, anon-rss:545924kB, file-rss:0kB, shmem-rss:1356kB",
    ]);
    let got: Vec<Value> = evs.iter().map(summary).collect();
    assert_eq!(
        got,
        vec![
            json!({"kind": "oom_kill", "pid": 29587, "process": "php", "unit": null, "program": null,
            "attrs": {"total_vm_kb": 1064492, "anon_rss_kb": 545924, "file_rss_kb": 0, "shmem_rss_kb": 1356,
                      "prefix": "Out of memory", "scope": "global", "task_rows": 1,
                      "tasks": [{"process": "php", "count": 1, "rss_kb": 547280}],
                      "tasks_top": [{"pid": 29587, "process": "php", "rss_kb": 547280}]}})
        ]
    );
    assert_eq!(&*evs[0].host, "crabapple");
}

#[test]
fn glued_summary_splits_and_the_kill_gets_the_cron_unit() {
    // from: public example (Ubuntu 19.04 dmesg, code-search id 56751110496), reference §1.2 pitfall
    let evs = run(&[
        "[30104.280046] oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/system.slice/cron.service,task=node,pid=4294,uid=1001[30104.280053] Out of memory: Kill process 4294 (node) score 4 or sacrifice child",
        "[30104.336047] Killed process 4294 (node) total-vm:937620kB, anon-rss:72856kB, file-rss:16kB, shmem-rss:0kB",
        "[30104.405135] oom_reaper: reaped process 4294 (node), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB",
    ]);
    let got: Vec<Value> = evs.iter().map(summary).collect();
    assert_eq!(
        got,
        vec![
            json!({"kind": "oom_kill", "pid": 4294, "process": "node", "unit": "cron.service", "program": null,
                "attrs": {"total_vm_kb": 937620, "anon_rss_kb": 72856, "file_rss_kb": 16, "shmem_rss_kb": 0,
                          "constraint": "CONSTRAINT_NONE", "task_memcg": "/system.slice/cron.service", "uid": 1001,
                          "prefix": "Out of memory", "scope": "global"}}),
            json!({"kind": "oom_reaped", "pid": 4294, "process": "node", "unit": null, "program": null,
                "attrs": {"anon_rss_kb": 0, "file_rss_kb": 0, "shmem_rss_kb": 0}}),
        ]
    );
}

#[test]
fn block_without_kill_line_keeps_only_the_header() {
    // from: public example (dmesg -T, code-search id 60354825677) — rows and summary of one report,
    // led by the reference §1.1 header of a comm with a space; journal-style bare kernel messages.
    let set = RuleSet::load(&[], &[]).unwrap();
    let mut out = Vec::new();
    let msgs = [
        "npm start invoked oom-killer: gfp_mask=0x1100cca(GFP_HIGHUSER_MOVABLE), order=0, oom_score_adj=0",
        "[  pid  ]   uid  tgid total_vm      rss rss_anon rss_file rss_shmem pgtables_bytes swapents oom_score_adj name",
        "[   1365]   990  1365     4420      213      128       85         0    77824       96          -900 systemd-oomd",
        "[  43056]  1000 43056  7511161  3403343  3388364    14371       608 32583680   518157           200 colmap",
        "oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/user.slice/user-1000.slice/user@1000.service/app.slice/app-org.gnome.Terminal.slice/vte-spawn-da5a3d92-b9fc-46a6-8658-708c1e2a92c2.scope,task=colmap,pid=43056,uid=1000",
    ];
    let mut follow = None;
    for m in msgs {
        let mut j = std::collections::BTreeMap::new();
        j.insert("MESSAGE".to_string(), m.to_string());
        j.insert("SYSLOG_IDENTIFIER".to_string(), "kernel".to_string());
        let rec = logautopsy::rules::journal_record(&j);
        if let Some(f) = follow {
            if set.apply_follow(f, &rec, &mut out) {
                continue;
            }
        }
        follow = set.apply(&rec, &mut out);
    }
    assert_eq!(out.len(), 5);
    let kinds: Vec<&str> = out.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "oom_invoked",
            "oom_task_table",
            "oom_task",
            "oom_task",
            "oom_summary"
        ]
    );
    assemble(&mut out);
    // No kill line: the fragments are dropped, the header stays an event.
    let got: Vec<Value> = out.iter().map(summary).collect();
    assert_eq!(
        got,
        vec![
            json!({"kind": "oom_invoked", "pid": null, "process": "npm start", "unit": null, "program": null,
            "attrs": {"gfp_mask": "0x1100cca(GFP_HIGHUSER_MOVABLE)", "order": 0, "oom_score_adj": 0}})
        ]
    );
}

#[test]
fn kill_line_without_header_is_still_an_event() {
    // from: docker/for-linux#1001 (rate-limited: no header in the excerpt)
    let evs = run(&[
        "May 15 23:09:30 ubuntu-s-1vcpu-2gb-ams3-01 kernel: [  518.050606] Out of memory: Killed process 15784 (python3) total-vm:11964kB, anon-rss:4288kB, file-rss:3028kB, shmem-rss:0kB",
    ]);
    assert_eq!(evs.len(), 1);
    assert_eq!(evs[0].kind.as_str(), "oom_kill");
    assert_eq!(evs[0].pid, Some(15784));
    assert!(!evs[0].attrs.contains_key("tasks"));
}

#[test]
fn unrelated_slices_in_one_second_stay_apart() {
    // from: bennettoxford/openprescribing#5431 (reference §0.2, §2.3)
    let evs = run(&[
        "2026-02-08T00:40:07.136582+00:00 largeweb2 systemd[1]: user-1021.slice: A process of this unit has been killed by the OOM killer.",
        "2026-02-08T00:40:07.136757+00:00 largeweb2 systemd[1]: system-postgresql.slice: A process of this unit has been killed by the OOM killer.",
    ]);
    let units: Vec<(&str, Option<&str>)> = evs
        .iter()
        .map(|e| (e.kind.as_str(), e.unit.as_deref()))
        .collect();
    assert_eq!(
        units,
        [
            ("unit_oom", Some("user-1021.slice")),
            ("unit_oom", Some("system-postgresql.slice"))
        ]
    );
}

#[test]
fn debian_supervisor_stop_old_style_resolves_to_supervisor_service() {
    // from: reference §3.3 (public example, Ubuntu, systemd 245)
    let evs = run(&[
        "Jul 05 12:56:02 ubuntu systemd[1]: Stopping Supervisor process control system for UNIX...",
        "Jul 05 12:56:02 ubuntu supervisorctl[20957]: Shut down",
        "Jul 05 12:56:02 ubuntu systemd[1]: supervisor.service: Succeeded.",
        "Jul 05 12:56:02 ubuntu systemd[1]: Stopped Supervisor process control system for UNIX.",
    ]);
    let got: Vec<Value> = evs.iter().map(summary).collect();
    let d = "Supervisor process control system for UNIX";
    assert_eq!(
        got,
        vec![
            json!({"kind": "unit_stopping", "pid": null, "process": null, "unit": "supervisor.service", "program": null,
                   "attrs": {"description": d, "unit_from": "builtin-map"}}),
            json!({"kind": "supervisorctl_shutdown", "pid": 20957, "process": null, "unit": null, "program": null, "attrs": {}}),
            json!({"kind": "unit_succeeded", "pid": null, "process": null, "unit": "supervisor.service", "program": null, "attrs": {}}),
            json!({"kind": "unit_stopped", "pid": null, "process": null, "unit": "supervisor.service", "program": null,
                   "attrs": {"description": d, "unit_from": "builtin-map"}}),
        ]
    );
}

#[test]
fn lines_that_match_nothing_cost_no_events_and_no_follow() {
    let set = RuleSet::load(&[], &[]).unwrap();
    // from: loghub OpenSSH_2k (corpus) — plain noise
    let rec = parse_line_for_sample("Dec 10 06:55:46 LabSZ sshd[24200]: reverse mapping checking getaddrinfo for ns.marryaldkfaczcz.com [173.234.31.186] failed - POSSIBLE BREAK-IN ATTEMPT!").unwrap();
    let mut out = Vec::new();
    assert_eq!(set.apply(&rec, &mut out), None);
    assert!(out.is_empty());
    assert!(set.prefilter().find(rec.message.as_bytes(), 0).is_none());
}

#[test]
fn message_id_matches_a_wording_no_rule_knows() {
    let set = RuleSet::load(&[], &[]).unwrap();
    let mut j = std::collections::BTreeMap::new();
    // A translated catalog text (hypothetical wording) still carries the OOM MESSAGE_ID.
    j.insert(
        "MESSAGE".to_string(),
        "mariadb.service: Ein Prozess wurde vom OOM-Killer beendet.".to_string(),
    );
    j.insert(
        "MESSAGE_ID".to_string(),
        "fe6faa94e7774663a0da52717891d8ef".to_string(),
    );
    j.insert("UNIT".to_string(), "mariadb.service".to_string());
    j.insert("SYSLOG_IDENTIFIER".to_string(), "systemd".to_string());
    let rec = logautopsy::rules::journal_record(&j);
    let mut out = Vec::new();
    set.apply(&rec, &mut out);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].kind.as_str(), "unit_oom");
    assert_eq!(out[0].unit.as_deref(), Some("mariadb.service"));
    assert_eq!(out[0].rule, "systemd.unit.oom");
}

/// Every built-in sample line, cut at every char boundary and with bytes swapped in, through
/// envelope parsing, the rules (including follow) and assembly: no input may panic.
#[test]
fn truncated_and_mangled_samples_never_panic() {
    let set = RuleSet::load(&[], &[]).unwrap();
    let mut lines: Vec<String> = Vec::new();
    for (_, text) in logautopsy::rules::builtin::FILES {
        for l in text.lines() {
            let l = l.trim();
            if let Some(rest) = l
                .strip_prefix("line = \"")
                .and_then(|r| r.strip_suffix('"'))
            {
                lines.push(rest.replace("\\\"", "\""));
            }
            if let Some(rest) = l.strip_prefix("journal = { MESSAGE = \"") {
                if let Some(end) = rest.find("\", ") {
                    lines.push(format!("Jan  1 00:00:00 h kernel: {}", &rest[..end]));
                }
            }
        }
    }
    assert!(lines.len() > 100, "{}", lines.len());
    let mut out = Vec::new();
    for l in &lines {
        let mut variants: Vec<String> = (0..=l.len())
            .filter(|&i| l.is_char_boundary(i))
            .map(|i| l[..i].to_string())
            .collect();
        variants.push(l.replace(' ', "  "));
        variants.push(l.replace(|c: char| c.is_ascii_digit(), "9999999999"));
        variants.push(l.replace('(', "[").replace(')', "]"));
        variants.push(format!("{l}[  1.000000] {l}"));
        for v in variants {
            if let Some(rec) = parse_line_for_sample(&v) {
                let f = set.apply(&rec, &mut out);
                if let Some(f) = f {
                    set.apply_follow(f, &rec, &mut out);
                }
            }
        }
    }
    assert!(!out.is_empty());
    assemble(&mut out);
    assert!(out.iter().all(|e| !e.kind.is_internal()));
}
