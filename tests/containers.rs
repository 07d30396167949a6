//! Honest conclusions about containers: a memory-cgroup kill inside a container names the
//! container (and pod), and says nothing about a supervisor the logs do not show.

use assert_cmd::Command;
use serde_json::Value;

const ID: &str = "4f1c0ad5e3b2a7d9c8e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4";

fn incident_for(memcg: &str) -> Value {
    let k = |ts: &str, m: &str| format!("Sep 27 09:47:12 node4 kernel: [{ts}] {m}");
    let log = [
        k("5001.000100", "java invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0"),
        k("5001.000300", &format!("oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg={memcg},task_memcg={memcg},task=java,pid=4242,uid=0")),
        k("5001.000400", "Memory cgroup out of memory: Killed process 4242 (java) total-vm:9000000kB, anon-rss:2000000kB, file-rss:1000kB, shmem-rss:0kB, UID:0 pgtables:5000kB oom_score_adj:0"),
    ]
    .join("\n")
        + "\n";
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("kern.log");
    std::fs::write(&p, log).unwrap();
    let out = Command::cargo_bin("logautopsy")
        .unwrap()
        .arg("analyze")
        .arg(&p)
        .args(["--year", "2025", "--json", "-"])
        .output()
        .unwrap();
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    r["incidents"][0].clone()
}

#[test]
fn a_container_kill_names_the_container_and_no_supervisor() {
    let cases = [
        (format!("/system.slice/docker-{ID}.scope"), "docker", None),
        (format!("/docker/{ID}"), "docker", None),
        (
            format!("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0b1c2d3e_4f5a_6b7c_8d9e_0f1a2b3c4d5e.slice/cri-containerd-{ID}.scope"),
            "containerd",
            Some("0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e"),
        ),
        (
            format!("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod0b1c2d3e_4f5a_6b7c_8d9e_0f1a2b3c4d5e.slice/crio-{ID}.scope"),
            "cri-o",
            Some("0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e"),
        ),
        ("/lxc.payload.web7/system.slice".to_string(), "lxc", None),
    ];
    for (memcg, runtime, pod) in cases {
        let i = incident_for(&memcg);
        let c = &i["oom_kills"][0]["container"];
        assert_eq!(c["runtime"], runtime, "{memcg}: {i}");
        let id = if runtime == "lxc" { "web7" } else { &ID[..12] };
        assert_eq!(c["id"], id);
        assert_eq!(c["pod"].as_str(), pod);
        let summary = i["summary"].as_str().unwrap();
        assert!(
            summary.starts_with(&format!(
                "OOM killer killed java 4242 in {runtime} container {id}"
            )),
            "{summary}"
        );
        assert!(!summary.contains("supervisor"), "{summary}");
    }
}
