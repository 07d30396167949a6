//! The events table: its columns and its Hive partition names, in one place for the writer
//! (`render::tables`) and the reader (`input::parquet`), so the two cannot drift apart.

/// Column names of the events table, in table order.
pub mod col {
    pub const ID: &str = "id";
    pub const TIME: &str = "time";
    pub const OFFSET_S: &str = "offset_s";
    /// Absent inside a `host=…` partition (the path holds it).
    pub const HOST: &str = "host";
    pub const KIND: &str = "kind";
    pub const PID: &str = "pid";
    pub const PROCESS: &str = "process";
    pub const UNIT: &str = "unit";
    pub const PROGRAM: &str = "program";
    pub const MESSAGE: &str = "message";
    /// JSON array of locations.
    pub const SOURCES: &str = "sources";
    /// JSON object.
    pub const ATTRS: &str = "attrs";
    pub const RULE: &str = "rule";
    pub const IDENT: &str = "ident";
    /// The message again: events keep one copy; the column stays for readers of older tables.
    pub const RAW: &str = "raw";
}

/// The partition directory of one host: `host=<encoded>`.
pub fn partition_dir(host: &str) -> String {
    format!("{}={}", col::HOST, encode_partition(host))
}

/// The host a partition directory name stands for (`host=web%2D1` → `web-1`).
pub fn host_of_partition_dir(name: &str) -> Option<String> {
    name.strip_prefix(col::HOST)?
        .strip_prefix('=')
        .map(decode_partition)
}

/// Percent-encodes a partition value: everything outside `[A-Za-z0-9_-]` and any `.` (so `..`
/// cannot form) becomes `%XX`; the empty host becomes Hive's `__HIVE_DEFAULT_PARTITION__`.
pub fn encode_partition(v: &str) -> String {
    if v.is_empty() {
        return "__HIVE_DEFAULT_PARTITION__".into();
    }
    let mut o = String::with_capacity(v.len());
    for b in v.bytes() {
        if b.is_ascii_alphanumeric() || b == b'_' || b == b'-' {
            o.push(b as char);
        } else {
            o.push_str(&format!("%{b:02X}"));
        }
    }
    o
}

/// Inverse of [`encode_partition`] (also accepts values other writers left unencoded).
pub fn decode_partition(v: &str) -> String {
    if v == "__HIVE_DEFAULT_PARTITION__" {
        return String::new();
    }
    let b = v.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = std::str::from_utf8(&b[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            if let Some(x) = hex {
                out.push(x);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partition_names_cannot_escape() {
        for h in ["web1", "../../etc", "a/b", "", "ho st%", "..", "ünï"] {
            let e = encode_partition(h);
            assert!(!e.contains('/') && !e.contains(".."), "{h} -> {e}");
            assert_eq!(decode_partition(&e), h);
        }
        assert_eq!(encode_partition("web-1_a"), "web-1_a");
        assert_eq!(
            host_of_partition_dir(&partition_dir("../x")).as_deref(),
            Some("../x")
        );
    }
}
