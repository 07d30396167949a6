//! Kernel messages as people paste them into bug reports and tickets: `dmesg -H`, `dmesg
//! --time-format iso`, dmesg without printk times, `journalctl -o short-monotonic`, docker
//! compose's `service  | ` prefix, `kubectl describe` events, a raw 2.6.32 report with its task
//! table; and the kernel's lines that kill nothing (already exiting, no killable process, reaper
//! failure), ≤ 4.18's cpuset and memory-cgroup usage lines. Each is read with exact UTC times,
//! and a time the lines do not give is said to be unknown or estimated.

use assert_cmd::Command;
use serde_json::Value;
use std::time::{Duration, UNIX_EPOCH};

/// 2025-03-10T12:00:00Z: the files' mtime, which dates year-less and time-less lines.
const MTIME: u64 = 1_741_608_000;

/// The JSON report of `analyze` on one file with `text`, written at `MTIME`.
fn report(name: &str, text: &str, extra: &[&str]) -> Value {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join(name);
    std::fs::write(&p, text).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&p)
        .unwrap()
        .set_modified(UNIX_EPOCH + Duration::from_secs(MTIME))
        .unwrap();
    let out = Command::cargo_bin("logautopsy")
        .unwrap()
        .arg("analyze")
        .arg(&p)
        .args(extra)
        .args(["--json", "-"])
        .output()
        .unwrap();
    assert!(
        out.status.code() == Some(0),
        "{name}: exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// `(kind, time, host)` of every event.
fn events(r: &Value) -> Vec<(String, String, String)> {
    r["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["kind"].as_str().unwrap().to_string(),
                e["time"].as_str().unwrap().to_string(),
                e["host"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn ev(kind: &str, time: &str, host: &str) -> (String, String, String) {
    (kind.into(), time.into(), host.into())
}

fn input_warnings(r: &Value) -> String {
    r["inputs"][0]["warnings"].to_string()
}

const KILL: &str = "Out of memory: Killed process 3902942 (php-fpm) total-vm:14740176kB, anon-rss:12625252kB, file-rss:0kB, shmem-rss:156088kB, UID:33 pgtables:26388kB oom_score_adj:0";
const INVOKED: &str = "php-fpm invoked oom-killer: gfp_mask=0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP), order=0, oom_score_adj=0";

#[test]
fn dmesg_time_format_iso_is_read_with_its_offset() {
    let text = format!(
        "2025-03-09T18:14:14,123456+01:00 {INVOKED}\n2025-03-09T18:14:14,123600+01:00 {KILL}\n"
    );
    let r = report("dmesg-iso.txt", &text, &["--host", "web1"]);
    assert_eq!(r["inputs"][0]["format"], "dmesg-iso");
    assert_eq!(
        events(&r),
        vec![
            ev("oom_invoked", "2025-03-09T17:14:14.123456Z", "web1"),
            ev("oom_kill", "2025-03-09T17:14:14.123600Z", "web1"),
        ]
    );
    assert!(r["incidents"][0].get("time_basis").is_none());
}

#[test]
fn dmesg_h_adds_the_deltas_to_the_minute() {
    let text = format!(
        "[Mar  9 18:14] {INVOKED}\n\
         [  +0.000120] CPU: 1 PID: 3902942 Comm: php-fpm Not tainted 5.15.0-97-generic #107-Ubuntu\n\
         [  +0.004001] oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/system.slice/php8.1-fpm.service,task=php-fpm,pid=3902942,uid=33\n\
         [  +0.000010] {KILL}\n\
         [Mar  9 18:20] oom_reaper: reaped process 3902942 (php-fpm), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB\n"
    );
    let r = report("dmesg-H.txt", &text, &["--host", "web1", "--tz", "UTC"]);
    assert_eq!(r["inputs"][0]["format"], "dmesg-H");
    assert_eq!(
        events(&r),
        vec![
            ev("oom_invoked", "2025-03-09T18:14:00.000000Z", "web1"),
            ev("oom_kill", "2025-03-09T18:14:00.004131Z", "web1"),
            ev("oom_reaped", "2025-03-09T18:20:00.000000Z", "web1"),
        ]
    );
    // The trigger's pid came through the stack line of the same report.
    assert_eq!(r["events"][1]["attrs"]["trigger_pid"], 3902942);
    assert!(
        input_warnings(&r).contains("minute"),
        "{}",
        input_warnings(&r)
    );
}

#[test]
fn short_monotonic_names_the_host_and_counts_back_from_the_mtime() {
    let text = format!(
        "[ 5864.708443] web01 kernel: {INVOKED}\n\
         [ 5864.708500] web01 kernel: {KILL}\n\
         [ 5864.731000] web01 systemd[1]: php8.1-fpm.service: A process of this unit has been killed by the OOM killer.\n"
    );
    let r = report("monotonic.txt", &text, &[]);
    assert_eq!(r["inputs"][0]["format"], "journalctl-short-monotonic");
    // The last line sits at the mtime; the others keep their distance to it.
    assert_eq!(
        events(&r),
        vec![
            ev("oom_invoked", "2025-03-10T11:59:59.977443Z", "web01"),
            ev("oom_kill", "2025-03-10T11:59:59.977500Z", "web01"),
            ev("unit_oom", "2025-03-10T12:00:00.000000Z", "web01"),
        ]
    );
    let i = &r["incidents"][0];
    assert_eq!(i["time_basis"], "dmesg-uptime");
    assert!(
        i["summary"].as_str().unwrap().contains("(dmesg uptime"),
        "{i}"
    );
}

#[test]
fn kernel_lines_without_times_stay_in_file_order_and_say_so() {
    let text = format!("{INVOKED}\nsome other kernel line\n{KILL}\n");
    let r = report("dmesg-t.txt", &text, &["--host", "web1"]);
    assert_eq!(r["inputs"][0]["format"], "no-timestamps");
    assert_eq!(
        events(&r),
        vec![
            ev("oom_invoked", "2025-03-10T12:00:00.000000Z", "web1"),
            ev("oom_kill", "2025-03-10T12:00:00.000000Z", "web1"),
        ]
    );
    assert_eq!(r["events"][1]["attrs"]["time_basis"], "no-timestamp");
    let i = &r["incidents"][0];
    assert_eq!(i["time_basis"], "no-timestamp");
    let s = i["summary"].as_str().unwrap();
    assert!(
        s.starts_with("OOM killer killed php-fpm 3902942 at an unknown time"),
        "{s}"
    );
    assert!(
        input_warnings(&r).contains("2 line(s) without a timestamp"),
        "{}",
        input_warnings(&r)
    );
}

#[test]
fn compose_services_are_hosts_and_their_lines_are_read_inside() {
    let text = "worker-1  | 2025-09-27 19:13:48,368 INFO spawned: 'rq-worker' with pid 41\n\
                worker-1  | 2025-09-27 19:20:01,002 WARN exited: rq-worker (terminated by SIGKILL; not expected)\n\
                web-1     | 2025-09-27T19:20:02.100000000Z [2025-09-27 19:20:02 +0000] [41] [INFO] Booting worker with pid: 57\n";
    let r = report("compose.log", text, &["--tz", "UTC"]);
    assert_eq!(r["inputs"][0]["format"], "docker-compose");
    assert_eq!(
        events(&r),
        vec![
            ev(
                "supervisor_spawned",
                "2025-09-27T19:13:48.368000Z",
                "worker-1"
            ),
            ev(
                "supervisor_exited",
                "2025-09-27T19:20:01.002000Z",
                "worker-1"
            ),
        ]
    );
    assert_eq!(r["events"][1]["attrs"]["expected"], false);
    assert_eq!(r["incidents"][0]["kind"], "worker-crash");
}

#[test]
fn kubectl_describe_events_are_dated_by_their_age() {
    let text = "Name:         web-5d4f\n\
                Namespace:    default\n\
                Events:\n\
                \x20 Type     Reason      Age   From                    Message\n\
                \x20 ----     ------      ----  ----                    -------\n\
                \x20 Warning  OOMKilling  44m   kernel-monitor, node-1  Memory cgroup out of memory: Killed process 1012 (node) total-vm:1045916kB, anon-rss:523872kB, file-rss:31636kB, shmem-rss:0kB, UID:0 pgtables:1332kB oom_score_adj:999\n";
    let r = report("describe.txt", text, &[]);
    assert_eq!(r["inputs"][0]["format"], "kubectl-events");
    assert_eq!(
        events(&r),
        vec![ev("oom_kill", "2025-03-10T11:16:00.000000Z", "node-1")]
    );
    let i = &r["incidents"][0];
    assert_eq!(i["time_basis"], "kubectl-age");
    assert!(
        i["summary"]
            .as_str()
            .unwrap()
            .contains("about 2025-03-10 11:16:00 UTC"),
        "{i}"
    );
    // A memory-cgroup kill is about the cgroup's limit, and names no unit nobody logged.
    let advice = i["recommendations"][0]["text"].as_str().unwrap();
    assert!(
        advice.contains("killed at the memory limit of its memory cgroup"),
        "{advice}"
    );
    assert!(!advice.contains("supervisor"), "{advice}");
    assert!(input_warnings(&r).contains("dated by their age"));

    // Kernels ≤ 5.0: node-problem-detector's message holds both report lines; kubectl prints
    // the second flush left, under the row it belongs to. The victim is the kill line's.
    let text = "Events:\n\
                \x20 Type     Reason      Age                From                    Message\n\
                \x20 ----     ------      ----               ----                    -------\n\
                \x20 Warning  OOMKilling  3m (x2 over 5m)    kernel-monitor, node-2  Memory cgroup out of memory: Kill process 4242 (java) score 1000 or sacrifice child\n\
                Killed process 4243 (java-child) total-vm:2000000kB, anon-rss:1000000kB, file-rss:1000kB\n";
    let r = report("describe.txt", text, &[]);
    assert_eq!(
        events(&r),
        vec![ev("oom_kill", "2025-03-10T11:57:00.000000Z", "node-2")]
    );
    assert_eq!(r["events"][0]["pid"], 4243);
    assert_eq!(r["inputs"][0]["unparsed"], 0);
}

#[test]
fn a_raw_rhel6_report_with_its_task_table() {
    let text = "[ 1234.567890] httpd invoked oom-killer: gfp_mask=0x201da, order=0, oom_adj=0, oom_score_adj=0\n\
                [ 1234.567900] httpd cpuset=/ mems_allowed=0\n\
                [ 1234.567910] Pid: 4321, comm: httpd Not tainted 2.6.32-431.el6.x86_64 #1\n\
                [ 1234.568000] [ pid ]   uid  tgid total_vm      rss cpu oom_adj oom_score_adj name\n\
                [ 1234.568010] [ 4321]    48  4321   308641   246913   1       0             0 httpd\n\
                [ 1234.568020] [ 1532]     0  1532    10347     8810   0       0             0 backup.sh\n\
                [ 1234.568100] Out of memory: Kill process 4321 (httpd) score 900 or sacrifice child\n\
                [ 1234.568200] Killed process 4321, UID 48, (httpd) total-vm:1234564kB, anon-rss:987652kB, file-rss:64kB\n";
    let r = report("dmesg.txt", text, &["--host", "rhel6"]);
    // Task-table rows (`[ 4321]`) are pids, not uptimes: the file is raw dmesg.
    assert_eq!(r["inputs"][0]["format"], "dmesg");
    let kinds: Vec<String> = events(&r).into_iter().map(|e| e.0).collect();
    assert_eq!(kinds, vec!["oom_invoked", "oom_kill"]);
    let k = &r["events"][1];
    assert_eq!(
        (k["pid"].as_u64(), k["attrs"]["trigger_pid"].as_u64()),
        (Some(4321), Some(4321))
    );
    // The root cpuset names no container.
    assert!(k["attrs"].get("cpuset").is_none());
    let top: Vec<&str> = r["incidents"][0]["memory_top"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["process"].as_str().unwrap())
        .collect();
    assert_eq!(top, vec!["httpd", "backup.sh"]);
}

#[test]
fn a_pre_4_19_docker_kill_names_the_container_and_its_limit() {
    let id = "2e088fe462e25e60be1dafafe2c05c47bda1a97978648d10ad2b7484fc0b8f50";
    let k = |ts: &str, m: &str| format!("Jan  5 15:19:{ts} dockhost kernel: {m}\n");
    let text = [
        k("27", "gunpowder-memho invoked oom-killer: gfp_mask=0x24000c0, order=0, oom_score_adj=0"),
        k("27", &format!("gunpowder-memho cpuset={id} mems_allowed=0")),
        k("27", &format!("Task in /docker/{id} killed as a result of limit of /docker/{id}")),
        k("27", "memory: usage 20480kB, limit 20480kB, failcnt 1204"),
        k("27", "Memory cgroup out of memory: Kill process 13536 (gunpowder-memho) score 996 or sacrifice child"),
        k("27", "Killed process 13536 (gunpowder-memho) total-vm:33558652kB, anon-rss:20000kB, file-rss:452kB"),
        k("28", "oom_reaper: unable to reap pid:13536 (gunpowder-memho)"),
        k("30", "Memory cgroup out of memory: OOM victim 13536 (gunpowder-memho) is already exiting. Skip killing the task"),
    ]
    .concat();
    let r = report("kern.log", &text, &["--year", "2025"]);
    let kinds: Vec<String> = events(&r).into_iter().map(|e| e.0).collect();
    assert_eq!(
        kinds,
        vec![
            "oom_invoked",
            "oom_kill",
            "oom_reap_failed",
            "oom_victim_exiting"
        ]
    );
    let i = &r["incidents"][0];
    assert_eq!(i["kind"], "oom-kill");
    let kill = &i["oom_kills"][0];
    assert_eq!(kill["container"]["runtime"], "docker");
    assert_eq!(kill["container"]["id"], &id[..12]);
    assert_eq!(kill["memcg_limit_kb"], 20480);
    let s = i["summary"].as_str().unwrap();
    assert!(
        s.starts_with("OOM killer killed gunpowder-memho 13536 in docker container 2e088fe462e2 at its memory cgroup's limit of 20.0 MiB"),
        "{s}"
    );
    // The lines that killed nothing are part of the chain, after the kill.
    let chain: Vec<&str> = i["chain"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        chain,
        vec![
            "oom_invoked",
            "oom_kill",
            "oom_reap_failed",
            "oom_victim_exiting"
        ]
    );
    // The cpuset alone (no memcg path) names the container too.
    let text = [
        k("27", "gunpowder-memho invoked oom-killer: gfp_mask=0x24000c0, order=0, oom_score_adj=0"),
        k("27", &format!("gunpowder-memho cpuset={id} mems_allowed=0")),
        k("27", "Killed process 13536 (gunpowder-memho) total-vm:33558652kB, anon-rss:20000kB, file-rss:452kB"),
    ]
    .concat();
    let r = report("kern.log", &text, &["--year", "2025"]);
    assert_eq!(
        r["incidents"][0]["oom_kills"][0]["container"]["id"],
        &id[..12]
    );
}

#[test]
fn nothing_killable_is_a_critical_incident_of_its_own() {
    let text = "Jan  5 15:19:27 box kernel: systemd invoked oom-killer: gfp_mask=0x100cca(GFP_HIGHUSER_MOVABLE), order=0, oom_score_adj=0\n\
                Jan  5 15:19:27 box kernel: Out of memory and no killable processes...\n\
                Jan  5 15:20:27 box systemd[1]: nginx.service: Control process exited, code=exited, status=1/FAILURE\n\
                Jan  5 15:20:27 box systemd[1]: nginx.service: Failed with result 'exit-code'.\n";
    let r = report("syslog", text, &["--year", "2025"]);
    let i = &r["incidents"][0];
    assert_eq!(
        (i["kind"].as_str(), i["severity"].as_str()),
        (Some("oom-no-kill"), Some("critical"))
    );
    assert!(i["summary"]
        .as_str()
        .unwrap()
        .starts_with("the kernel ran out of memory at 2025-01-05 15:19:27 UTC and found no process it could kill"));
    let ctl = r["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "unit_control_exited")
        .expect("the control process line is an event");
    assert_eq!(ctl["unit"], "nginx.service");
    assert_eq!(ctl["attrs"]["status"], "1/FAILURE");
    // No unit is named for the memory: the advice says how to find it instead of guessing one.
    let advice = i["recommendations"][0]["text"].as_str().unwrap();
    assert!(
        advice.contains("no line names the victim's unit"),
        "{advice}"
    );
}

#[test]
fn input_warnings_carry_a_kind_code_can_match() {
    use logautopsy::config::Config;
    use logautopsy::report::InputWarningKind as K;
    let d = tempfile::tempdir().unwrap();
    let untimed = d.path().join("dmesg-t.txt");
    std::fs::write(&untimed, format!("{INVOKED}\n{KILL}\n")).unwrap();
    let human = d.path().join("dmesg-H.txt");
    std::fs::write(
        &human,
        format!("[Mar  9 18:14] {INVOKED}\n[  +0.000120] {KILL}\n"),
    )
    .unwrap();
    let cfg = Config {
        inputs: vec![untimed.display().to_string(), human.display().to_string()],
        year: Some(2025),
        host: Some("web1".into()),
        ..Default::default()
    };
    let report = logautopsy::pipeline::analyze(&cfg, None).unwrap().report;
    let kinds = |name: &str| -> Vec<K> {
        report
            .inputs
            .iter()
            .find(|i| i.path.ends_with(name))
            .unwrap()
            .warnings
            .iter()
            .map(|w| w.kind)
            .collect()
    };
    assert_eq!(kinds("dmesg-t.txt"), vec![K::TimeUnknown]);
    assert_eq!(kinds("dmesg-H.txt"), vec![K::TimeEstimated]);
}
