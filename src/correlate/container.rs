//! Which container an OOM victim ran in, from the kernel's memory-cgroup path (`task_memcg=`,
//! `oom_memcg=`): Docker (cgroup v1 `/docker/<id>`, v2 `…/docker-<id>.scope`), containerd and
//! CRI-O under Kubernetes (`…-pod<uid>.slice/cri-containerd-<id>.scope`, `crio-<id>.scope`, v1
//! `/kubepods/<qos>/pod<uid>/<id>`), and LXC (`/lxc/<name>`, `/lxc.payload.<name>`). A memory
//! cgroup kill inside a container is the container's limit, not the host running out — the
//! incident has to say which container.

use crate::report::{Container, ContainerRuntime as R};

fn short(id: &str) -> Option<String> {
    (id.len() >= 12 && id.bytes().all(|b| b.is_ascii_hexdigit())).then(|| id[..12].to_string())
}

/// The container of a ≤ 4.18 cpuset (`cpuset=<64 hex>` is a Docker cgroup v1 container; other
/// values are cgroup paths or names read like a memory-cgroup path).
pub fn from_cpuset(cpuset: &str) -> Option<Container> {
    if cpuset.len() == 64 && cpuset.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Some(Container {
            runtime: R::Docker,
            id: cpuset[..12].to_string(),
            pod: None,
        });
    }
    from_memcg(cpuset)
}

/// The container a memory-cgroup path belongs to, if it names one.
pub fn from_memcg(path: &str) -> Option<Container> {
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    let pod = parts.iter().find_map(|p| {
        // v2 `kubepods-burstable-pod<uid_with_underscores>.slice`, v1 `pod<uid>`.
        let rest = p.strip_suffix(".slice").unwrap_or(p);
        let uid = rest
            .rsplit_once("-pod")
            .map(|(_, u)| u)
            .or_else(|| rest.strip_prefix("pod"))?;
        (uid.len() >= 32).then(|| uid.replace('_', "-"))
    });
    let last = *parts.last()?;
    let scoped = |prefix: &str| {
        last.strip_prefix(prefix)
            .and_then(|s| s.strip_suffix(".scope"))
            .and_then(short)
    };
    let (runtime, id) = if let Some(id) = scoped("docker-") {
        (R::Docker, id)
    } else if let Some(id) = scoped("cri-containerd-") {
        (R::Containerd, id)
    } else if let Some(id) = scoped("crio-") {
        (R::CriO, id)
    } else if parts.len() >= 2 && parts[parts.len() - 2] == "docker" {
        (R::Docker, short(last)?)
    } else if parts.first() == Some(&"kubepods") && pod.is_some() {
        (R::Containerd, short(last)?)
    } else if let Some(name) = parts.iter().find_map(|p| p.strip_prefix("lxc.payload.")) {
        (R::Lxc, name.to_string())
    } else if parts.first() == Some(&"lxc") && parts.len() >= 2 {
        (R::Lxc, parts[1].to_string())
    } else {
        return None;
    };
    Some(Container { runtime, id, pod })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "4f1c0ad5e3b2a7d9c8e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4";

    #[test]
    fn every_runtime_is_named() {
        let c = |p: String| from_memcg(&p).map(|c| c.to_string());
        assert_eq!(
            c(format!("/docker/{ID}")).as_deref(),
            Some("docker container 4f1c0ad5e3b2")
        );
        assert_eq!(
            c(format!("/system.slice/docker-{ID}.scope")).as_deref(),
            Some("docker container 4f1c0ad5e3b2")
        );
        assert_eq!(
            c(format!("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0b1c2d3e_4f5a_6b7c_8d9e_0f1a2b3c4d5e.slice/cri-containerd-{ID}.scope")).as_deref(),
            Some("containerd container 4f1c0ad5e3b2 (pod 0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e)")
        );
        assert_eq!(
            c(format!("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod0b1c2d3e_4f5a_6b7c_8d9e_0f1a2b3c4d5e.slice/crio-{ID}.scope")).as_deref(),
            Some("cri-o container 4f1c0ad5e3b2 (pod 0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e)")
        );
        assert_eq!(
            c(format!(
                "/kubepods/burstable/pod0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e/{ID}"
            ))
            .as_deref(),
            Some("containerd container 4f1c0ad5e3b2 (pod 0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e)")
        );
        assert_eq!(c("/lxc/web7".into()).as_deref(), Some("lxc container web7"));
        assert_eq!(
            c("/lxc.payload.db1/system.slice".into()).as_deref(),
            Some("lxc container db1")
        );
        assert_eq!(c("/system.slice/supervisor.service".into()), None);
        assert_eq!(
            c("/user.slice/user-1000.slice/session-4.scope".into()),
            None
        );
    }
}
