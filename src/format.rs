//! How numbers and times read, in every output: durations, memory sizes, times and offsets.
//! One function each, so the
//! terminal, the Markdown, the HTML (whose `fmtDur` follows the same rule, pinned by a browser
//! test) and the JSON report's prose say the same thing the same way — a 57m 38.6s run is
//! "57m 39s" everywhere, never "57m 38s" in one place and "57m 39s" in another.

use crate::model::Timestamp;

/// `2025-09-27 13:43:48`: UTC to the second, the clock of every output (post-mortems are read
/// by people; the JSON keeps the microseconds).
pub fn utc(t: &Timestamp) -> String {
    chrono::DateTime::from_timestamp_micros(t.micros)
        .map(|d| d.format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_else(|| t.rfc3339())
}

/// A UTC offset as `+05:30`, `-04:00`; `UTC` for zero.
pub fn offset(o: i32) -> String {
    if o == 0 {
        return "UTC".to_string();
    }
    let sign = if o < 0 { '-' } else { '+' };
    let a = o.unsigned_abs();
    format!("{sign}{:02}:{:02}", a / 3600, (a % 3600) / 60)
}

/// `2025-09-27 13:43:48 UTC (19:13:48 local, +05:30)`: UTC, with the host's own clock in
/// parentheses when it differs (what the people on the box saw).
pub fn utc_with_local(t: &Timestamp) -> String {
    let u = utc(t);
    if t.offset_s == 0 {
        format!("{u} UTC")
    } else {
        format!(
            "{u} UTC ({} local, {})",
            t.local().format("%H:%M:%S"),
            offset(t.offset_s)
        )
    }
}

/// The writer's own clock, date and offset: `2025-09-27 19:13:48 +05:30`.
pub fn local(t: &Timestamp) -> String {
    t.local().format("%Y-%m-%d %H:%M:%S %:z").to_string()
}

/// Seconds as `1.5s` (tenths under ten seconds: a 1.512 s outage is not "2s"), `12s`,
/// `4m 10s`, `6h 02m 05s`; rounded to the nearest tenth or second, never truncated.
pub fn duration(s: f64) -> String {
    if !s.is_finite() {
        return "?".into();
    }
    let sign = if s < 0.0 { "-" } else { "" };
    let a = s.abs();
    let tenths = (a * 10.0).round();
    if tenths < 100.0 {
        return format!("{sign}{:.1}s", tenths / 10.0);
    }
    let t = a.round() as u64;
    let (h, m, sec) = (t / 3600, (t % 3600) / 60, t % 60);
    let body = if h > 0 {
        format!("{h}h {m:02}m {sec:02}s")
    } else if m > 0 {
        format!("{m}m {sec:02}s")
    } else {
        format!("{sec}s")
    };
    format!("{sign}{body}")
}

/// KiB (as the kernel prints them) as `512 KiB`, `5.3 MiB`, `6.3 GiB`.
pub fn size_kb(kb: u64) -> String {
    let k = kb as f64;
    if k >= 1024.0 * 1024.0 {
        format!("{:.1} GiB", k / (1024.0 * 1024.0))
    } else if k >= 1024.0 {
        format!("{:.1} MiB", k / 1024.0)
    } else {
        format!("{kb} KiB")
    }
}

/// Values the HTML's `fmtSize` must format exactly as [`size_kb`] does.
pub const SIZE_PROBES: &[u64] = &[0, 980, 1023, 1024, 20_480, 1_048_575, 1_048_576, 12_625_252];

/// Values the HTML's `fmtDur` must format exactly as [`duration`] does (`tests/render_browser.rs`).
pub const DURATION_PROBES: &[f64] = &[
    0.0, 0.04, 0.25, 1.512, 9.94, 9.96, 10.4, 12.5, 59.6, 61.0, 3458.6, 3599.6, 4426.0, 90061.0,
    -75.0,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_round_and_read_alike() {
        let got: Vec<String> = DURATION_PROBES.iter().map(|&s| duration(s)).collect();
        assert_eq!(
            got,
            [
                "0.0s",
                "0.0s",
                "0.3s",
                "1.5s",
                "9.9s",
                "10s",
                "10s",
                "13s",
                "1m 00s",
                "1m 01s",
                "57m 39s",
                "1h 00m 00s",
                "1h 13m 46s",
                "25h 01m 01s",
                "-1m 15s"
            ]
        );
        assert_eq!(duration(f64::NAN), "?");
        assert_eq!(size_kb(512), "512 KiB");
        assert_eq!(size_kb(6_606_028), "6.3 GiB");
    }
}
