//! Typed conversion of regex captures into event fields (`u32`, `kb_from_pages`, systemd
//! timespans and sizes, cgroup paths → units …).
//!
//! Rules name a type per field instead of carrying code, so a user rule file can say
//! `memory_peak_bytes = "bytes"` and get the same parsing of `13.9G` as the built-ins.

use serde_json::Value;

/// The field types a rule may name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldType {
    Str,
    U32,
    U64,
    I64,
    F64,
    /// `a, b, c` → `["a","b","c"]` (supervisord's `waiting for A, B to die`).
    List,
    /// Kernel task table values are pages; 4 KiB pages (every arch this tool targets by default).
    KbFromPages,
    /// systemd timespan (`3h 5min 25.371s`) → seconds.
    TimespanS,
    /// systemd size (`13.9G`, base 1024) → bytes.
    Bytes,
    /// cgroup path → its last `.service`/`.scope` component (the unit systemd reports).
    CgroupUnit,
    /// Kernel OOM message prefix → `global` / `memcg`.
    OomScope,
}

impl FieldType {
    pub const NAMES: &'static str =
        "str, u32, u64, i64, f64, list, kb_from_pages, timespan_s, bytes, cgroup_unit, oom_scope";

    pub fn parse(s: &str) -> Option<FieldType> {
        Some(match s {
            "str" => FieldType::Str,
            "u32" => FieldType::U32,
            "u64" => FieldType::U64,
            "i64" => FieldType::I64,
            "f64" => FieldType::F64,
            "list" => FieldType::List,
            "kb_from_pages" => FieldType::KbFromPages,
            "timespan_s" => FieldType::TimespanS,
            "bytes" => FieldType::Bytes,
            "cgroup_unit" => FieldType::CgroupUnit,
            "oom_scope" => FieldType::OomScope,
            _ => return None,
        })
    }

    /// The JSON type the field's values have (`events::contract`).
    pub fn attr_type(self) -> crate::events::contract::AttrType {
        use crate::events::contract::AttrType as T;
        match self {
            FieldType::Str | FieldType::CgroupUnit | FieldType::OomScope => T::Str,
            FieldType::U32 | FieldType::U64 | FieldType::KbFromPages | FieldType::Bytes => T::Uint,
            FieldType::I64 => T::Int,
            FieldType::F64 | FieldType::TimespanS => T::Float,
            FieldType::List => T::List,
        }
    }

    /// Convert one capture; `None` when the text is not of the type (the field is then left out).
    pub fn convert(self, s: &str) -> Option<Value> {
        match self {
            FieldType::Str => Some(Value::from(s)),
            FieldType::U32 => s.trim().parse::<u32>().ok().map(Value::from),
            FieldType::U64 => s.trim().parse::<u64>().ok().map(Value::from),
            FieldType::I64 => s.trim().parse::<i64>().ok().map(Value::from),
            FieldType::F64 => s
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|f| f.is_finite())
                .map(Value::from),
            FieldType::List => Some(Value::from(
                s.split(',')
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(Value::from)
                    .collect::<Vec<_>>(),
            )),
            FieldType::KbFromPages => s
                .trim()
                .parse::<u64>()
                .ok()
                .and_then(|p| p.checked_mul(4))
                .map(Value::from),
            FieldType::TimespanS => timespan_us(s).map(|us| Value::from(us as f64 / 1e6)),
            FieldType::Bytes => size_bytes(s).map(Value::from),
            FieldType::CgroupUnit => cgroup_unit(s).map(Value::from),
            FieldType::OomScope => Some(Value::from(if s.starts_with("Memory cgroup") {
                "memcg"
            } else {
                "global"
            })),
        }
    }
}

/// Parse a systemd timespan (`1d 3h 24min`, `6.913s`, `250ms`) into microseconds.
pub fn timespan_us(s: &str) -> Option<u64> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    let mut total: u128 = 0;
    for part in s.split_whitespace() {
        let split = part.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
        let (num, unit) = part.split_at(split);
        let unit_us: u128 = match unit {
            "y" => 31_557_600_000_000,
            "month" => 2_629_800_000_000,
            "w" => 604_800_000_000,
            "d" => 86_400_000_000,
            "h" => 3_600_000_000,
            "min" => 60_000_000,
            "s" => 1_000_000,
            "ms" => 1_000,
            "us" | "µs" => 1,
            _ => return None,
        };
        // Decimal arithmetic in integers so `25.371s` is exactly 25 371 000 µs.
        let (int, frac) = num.split_once('.').unwrap_or((num, ""));
        if int.is_empty() && frac.is_empty() {
            return None;
        }
        let int: u128 = if int.is_empty() { 0 } else { int.parse().ok()? };
        let mut v = int.checked_mul(unit_us)?;
        if !frac.is_empty() {
            let frac = &frac[..frac.len().min(9)];
            let digits: u128 = frac.parse().ok()?;
            let scale = 10u128.pow(frac.len() as u32);
            v = v.checked_add(digits * unit_us / scale)?;
        }
        total = total.checked_add(v)?;
    }
    u64::try_from(total).ok()
}

/// Parse a systemd size (`24.5M`, `13.9G`, `512B`, `1.0K`) into bytes, base 1024.
pub fn size_bytes(s: &str) -> Option<u64> {
    let s = s.trim();
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let mult: f64 = match unit {
        "" | "B" => 1.0,
        "K" => 1024.0,
        "M" => 1024.0 * 1024.0,
        "G" => 1024.0 * 1024.0 * 1024.0,
        "T" => 1024f64.powi(4),
        "P" => 1024f64.powi(5),
        "E" => 1024f64.powi(6),
        _ => return None,
    };
    let n: f64 = num.parse().ok()?;
    let v = (n * mult).round();
    (v.is_finite() && v >= 0.0 && v < u64::MAX as f64).then_some(v as u64)
}

/// The leaf unit of a cgroup path: the last component ending in `.service` or `.scope`.
pub fn cgroup_unit(path: &str) -> Option<&str> {
    path.rsplit('/')
        .find(|c| c.ends_with(".service") || c.ends_with(".scope"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timespans_from_real_consumed_lines() {
        assert_eq!(timespan_us("3h 5min 25.371s"), Some(11_125_371_000));
        assert_eq!(timespan_us("5h 26min 6.303s"), Some(19_566_303_000));
        assert_eq!(timespan_us("1d 3h 24min"), Some(98_640_000_000));
        assert_eq!(timespan_us("6.913s"), Some(6_913_000));
        assert_eq!(timespan_us("250ms"), Some(250_000));
        assert_eq!(timespan_us("3 parsecs"), None);
        assert_eq!(timespan_us(""), None);
        assert_eq!(timespan_us(".s"), None);
    }

    #[test]
    fn sizes_are_base_1024() {
        assert_eq!(size_bytes("24.5M"), Some(25_690_112));
        assert_eq!(size_bytes("13.9G"), Some(14_925_011_354));
        assert_eq!(size_bytes("512B"), Some(512));
        assert_eq!(size_bytes("1.2X"), None);
    }

    #[test]
    fn cgroup_leaf_unit() {
        assert_eq!(
            cgroup_unit("/system.slice/supervisor.service"),
            Some("supervisor.service")
        );
        assert_eq!(
            cgroup_unit("/lxc/39004/ns/system.slice/docker-a59e.scope"),
            Some("docker-a59e.scope")
        );
        assert_eq!(
            cgroup_unit("/kubepods/burstable/podfbdfe8e3/ef807430"),
            None
        );
        assert_eq!(
            cgroup_unit("/system.slice/cron.service/x"),
            Some("cron.service")
        );
    }

    #[test]
    fn conversions_reject_wrong_text() {
        assert_eq!(FieldType::U32.convert("99999999999"), None);
        assert_eq!(
            FieldType::KbFromPages.convert("398810"),
            Some(Value::from(1_595_240u64))
        );
        assert_eq!(
            FieldType::List.convert("queue, web-1"),
            Some(serde_json::json!(["queue", "web-1"]))
        );
        assert_eq!(
            FieldType::OomScope.convert("Memory cgroup out of memory"),
            Some(Value::from("memcg"))
        );
    }
}
