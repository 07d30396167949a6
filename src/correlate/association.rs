//! Is it the backup? One incident inside a 40-minute window proves little when such windows
//! cover a tenth of the day; five of seven is unlikely by chance. This module states the link
//! with numbers anyone can recompute from the row itself (DESIGN.md §5, `backup_association`).
//!
//! The model: if incidents began at times independent of the backups, each would fall inside a
//! window with probability `coverage` (the share of the observed time the windows cover), so the
//! number inside is Binomial(incidents, coverage). `p_value` = P(X ≥ inside).
//!
//! Decisions, written down because the numbers depend on them:
//! * A window counts from its start to its end plus the same slack incident linking uses
//!   (`--backup-slack`); overlapping windows (of one job or of several) count once; everything is
//!   clipped to the observed range.
//! * The observed range of a host is its first to its last line (`hosts[].first/last`), narrowed
//!   by `--since/--until`; the fleet's is the sum over hosts.
//! * A window without an end lasts its job's median measured run; with no measured run at all
//!   only its start plus the slack counts. Rows say how many ends were estimated, and `inside` is
//!   counted against these same intervals — never against the looser bound incident linking uses
//!   for open windows — so coverage and `inside` measure the same thing and the test is fair.
//! * Every incident counts once, at its start, whatever its kind; incidents starting outside the
//!   observed range (possible only with `--since`) are not counted.

use crate::report::{Association, BackupWindow, HostSummary, Incident, Verdict};
use std::collections::BTreeMap;

/// Fewer incidents than this cannot show a link.
const MIN_INCIDENTS: usize = 3;
/// Significance level for `linked`.
const ALPHA: f64 = 0.05;

/// A microsecond interval, both ends included (as incident linking's `<=` is).
type Span = (i64, i64);

/// One backup run as the model sees it: UTC microseconds.
#[derive(Clone, Debug)]
pub(crate) struct Run<'a> {
    pub host: &'a str,
    pub job: String,
    pub start: i64,
    pub end: Option<i64>,
}

/// The association rows: per (host, job), per host (`job: null`), and the fleet (both null).
/// Empty when the logs hold no backup window at all — there is nothing to associate.
pub fn associate(
    hosts: &[HostSummary],
    windows: &[BackupWindow],
    incidents: &[Incident],
    slack_s: i64,
    range: (Option<i64>, Option<i64>),
) -> Vec<Association> {
    let observed: Vec<(&str, Span)> = hosts
        .iter()
        .filter_map(|h| Some((h.name.as_str(), (h.first?.micros, h.last?.micros))))
        .collect();
    let runs: Vec<Run> = windows
        .iter()
        .map(|w| Run {
            host: &w.host,
            job: w.job(),
            start: w.start.micros,
            end: w.end.map(|e| e.micros),
        })
        .collect();
    let starts: Vec<(&str, i64)> = incidents
        .iter()
        .map(|i| (&*i.host, i.start.micros))
        .collect();
    rows(&observed, &runs, &starts, slack_s, range)
}

/// [`associate`] on plain numbers: each host's first and last line, the runs, the incidents'
/// starts.
pub(crate) fn rows(
    observed: &[(&str, Span)],
    runs: &[Run],
    incidents: &[(&str, i64)],
    slack_s: i64,
    range: (Option<i64>, Option<i64>),
) -> Vec<Association> {
    if runs.is_empty() {
        return Vec::new();
    }
    let slack = slack_s.max(0) * 1_000_000;
    let medians = median_runs(runs);
    let mut out = Vec::new();
    let mut fleet = Tally::default();
    for &(host, (first, last)) in observed {
        let lo = range.0.map_or(first, |s| s.max(first));
        let hi = range.1.map_or(last, |u| u.min(last));
        if hi < lo {
            continue;
        }
        let starts: Vec<i64> = incidents
            .iter()
            .filter(|(h, t)| *h == host && (lo..=hi).contains(t))
            .map(|&(_, t)| t)
            .collect();
        let mut by_job: BTreeMap<&str, Vec<&Run>> = BTreeMap::new();
        for r in runs.iter().filter(|r| r.host == host) {
            by_job.entry(&r.job).or_default().push(r);
        }
        let mut all = Tally::default();
        let mut all_spans = Vec::new();
        for (job, rs) in by_job {
            let mut t = Tally::default();
            let mut spans = Vec::new();
            for r in rs {
                let (span, basis) = interval(r, medians.get(&(host, job)).copied(), slack);
                t.count(basis);
                spans.push(span);
            }
            all.windows += t.windows;
            all.estimated += t.estimated;
            all.missing += t.missing;
            all_spans.extend_from_slice(&spans);
            out.push(
                t.measure(spans, (lo, hi), &starts)
                    .finish(Some(host), Some(job)),
            );
        }
        let row = all.measure(all_spans, (lo, hi), &starts);
        fleet.add(&row);
        out.push(row.finish(Some(host), None));
    }
    out.push(fleet.finish(None, None));
    out
}

/// How a run's interval was found.
enum EndBasis {
    Measured,
    /// From the job's median run.
    Estimated,
    /// No end and no measured run: the start plus the slack only.
    Missing,
}

fn interval(r: &Run, median_us: Option<i64>, slack: i64) -> (Span, EndBasis) {
    let (end, basis) = match (r.end, median_us) {
        (Some(e), _) => (e, EndBasis::Measured),
        (None, Some(m)) => (r.start + m, EndBasis::Estimated),
        (None, None) => (r.start, EndBasis::Missing),
    };
    ((r.start, end.max(r.start) + slack), basis)
}

/// The median measured run of each (host, job), in microseconds.
fn median_runs<'a>(runs: &'a [Run]) -> BTreeMap<(&'a str, &'a str), i64> {
    let mut m: BTreeMap<(&str, &str), Vec<i64>> = BTreeMap::new();
    for r in runs {
        if let Some(e) = r.end {
            m.entry((r.host, &r.job)).or_default().push(e - r.start);
        }
    }
    m.into_iter()
        .map(|(k, mut v)| {
            v.sort_unstable();
            let n = v.len();
            let median = if n % 2 == 1 {
                v[n / 2]
            } else {
                (v[n / 2 - 1] + v[n / 2]) / 2
            };
            (k, median)
        })
        .collect()
}

/// Counts on the way to one row.
#[derive(Default)]
struct Tally {
    windows: usize,
    estimated: usize,
    missing: usize,
    observed_s: f64,
    window_s: f64,
    incidents: usize,
    inside: usize,
}

impl Tally {
    fn count(&mut self, basis: EndBasis) {
        self.windows += 1;
        match basis {
            EndBasis::Measured => {}
            EndBasis::Estimated => self.estimated += 1,
            EndBasis::Missing => self.missing += 1,
        }
    }

    /// The union of `spans` clipped to `observed`, and the incident starts inside it.
    fn measure(mut self, spans: Vec<Span>, observed: Span, starts: &[i64]) -> Tally {
        let (lo, hi) = observed;
        let mut clipped: Vec<Span> = spans
            .into_iter()
            .map(|(a, b)| (a.max(lo), b.min(hi)))
            .filter(|(a, b)| a < b)
            .collect();
        clipped.sort_unstable();
        let mut union: Vec<Span> = Vec::new();
        for (a, b) in clipped {
            match union.last_mut() {
                Some(last) if a <= last.1 => last.1 = last.1.max(b),
                _ => union.push((a, b)),
            }
        }
        self.observed_s = (hi - lo) as f64 / 1e6;
        self.window_s = union.iter().map(|(a, b)| (b - a) as f64 / 1e6).sum();
        self.incidents = starts.len();
        // A window is closed at its end plus the slack, as incident linking's `<=` is.
        // `union` is sorted and disjoint: the only span that can hold t is the last to start
        // at or before it.
        self.inside = starts
            .iter()
            .filter(|&&t| {
                let k = union.partition_point(|&(a, _)| a <= t);
                k > 0 && t <= union[k - 1].1
            })
            .count();
        self
    }

    fn add(&mut self, r: &Tally) {
        self.windows += r.windows;
        self.estimated += r.estimated;
        self.missing += r.missing;
        self.observed_s += r.observed_s;
        self.window_s += r.window_s;
        self.incidents += r.incidents;
        self.inside += r.inside;
    }

    fn finish(&self, host: Option<&str>, job: Option<&str>) -> Association {
        let coverage = if self.observed_s > 0.0 {
            self.window_s / self.observed_s
        } else {
            0.0
        };
        let expected = self.incidents as f64 * coverage;
        let p_value = binomial_tail(self.incidents, self.inside, coverage);
        let verdict = if self.incidents < MIN_INCIDENTS {
            Verdict::TooFew
        } else if p_value < ALPHA && self.inside >= 2 {
            Verdict::Linked
        } else {
            Verdict::NotLinked
        };
        let mut a = Association {
            host: host.map(str::to_string),
            job: job.map(str::to_string),
            observed_s: self.observed_s,
            window_s: self.window_s,
            coverage,
            incidents: self.incidents,
            inside: self.inside,
            expected,
            p_value,
            verdict,
            windows: self.windows,
            ends_estimated: self.estimated,
            ends_missing: self.missing,
            summary: String::new(),
        };
        a.summary = sentence(&a);
        a
    }
}

/// P(X ≥ k) for X ~ Binomial(n, p); 1.0 when k is 0. Summed in log space, so thousands of
/// incidents neither underflow nor overflow.
pub fn binomial_tail(n: usize, k: usize, p: f64) -> f64 {
    if k == 0 {
        return 1.0;
    }
    if k > n || p <= 0.0 {
        return 0.0;
    }
    if p >= 1.0 {
        return 1.0;
    }
    let (lp, lq) = (p.ln(), (1.0 - p).ln());
    // ln C(n, i) built up from ln C(n, 0) = 0.
    let mut ln_c = 0.0;
    let mut terms = Vec::with_capacity(n - k + 1);
    for i in 0..=n {
        if i > 0 {
            ln_c += ((n - i + 1) as f64).ln() - (i as f64).ln();
        }
        if i >= k {
            terms.push(ln_c + i as f64 * lp + (n - i) as f64 * lq);
        }
    }
    let max = terms.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let sum: f64 = terms.iter().map(|t| (t - max).exp()).sum();
    (max + sum.ln()).exp().min(1.0)
}

/// The row as one sentence, e.g. "5 of 7 incidents began inside a backup window, which covers
/// 11 % of the time (expected 0.8; p = 0.0003): the backups are linked to the incidents."
fn sentence(a: &Association) -> String {
    let who = match (&a.host, &a.job) {
        (Some(h), Some(j)) => format!("{h}, {j}: "),
        (Some(h), None) => format!("{h}: "),
        (None, _) => "Fleet: ".to_string(),
    };
    let window = if a.job.is_some() {
        "a window of this job"
    } else {
        "a backup window"
    };
    let cover = format!("which covers {} of the time", percent(a.coverage));
    let lead = if a.incidents == 0 {
        format!(
            "{who}no incidents; backup windows cover {} of the time.",
            percent(a.coverage)
        )
    } else {
        let lead = format!(
            "{who}{} of {} incident{} began inside {window}, {cover}",
            a.inside,
            a.incidents,
            if a.incidents == 1 { "" } else { "s" }
        );
        match a.verdict {
            Verdict::TooFew => format!(
                "{lead}: too few incidents to say whether the backups are linked ({MIN_INCIDENTS} or more are needed)."
            ),
            Verdict::Linked => format!(
                "{lead} (expected {:.1}; {}): the backups are linked to the incidents.",
                a.expected,
                p_text(a.p_value)
            ),
            Verdict::NotLinked => format!(
                "{lead} (expected {:.1}; {}): no more than chance gives, so the logs do not link the backups to the incidents.",
                a.expected,
                p_text(a.p_value)
            ),
        }
    };
    lead + &ends_note(a)
}

/// How window ends were estimated, as a trailing sentence ("" when every end was measured).
fn ends_note(a: &Association) -> String {
    let runs = |n: usize| {
        if n == 1 {
            "1 run".to_string()
        } else {
            format!("{n} runs")
        }
    };
    let mut parts = Vec::new();
    if a.ends_estimated > 0 {
        parts.push(format!(
            "{} without an end counted as lasting the job's median run",
            runs(a.ends_estimated)
        ));
    }
    if a.ends_missing > 0 {
        parts.push(format!(
            "{} without an end, of a job with no measured run, counted from the start only",
            runs(a.ends_missing)
        ));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(" {}.", parts.join("; "))
    }
}

fn percent(c: f64) -> String {
    let pc = c * 100.0;
    if pc > 0.0 && pc < 1.0 {
        format!("{pc:.1} %")
    } else {
        format!("{pc:.0} %")
    }
}

fn p_text(p: f64) -> String {
    if p < 0.0001 {
        "p < 0.0001".to_string()
    } else {
        format!("p = {p:.4}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 3_600_000_000;
    const SLACK_S: i64 = 900;
    /// The slack in hours.
    const SL: f64 = 0.25;

    fn run(host: &str, job: &str, start_h: f64, end_h: Option<f64>) -> Run<'static> {
        Run {
            host: Box::leak(host.to_string().into_boxed_str()),
            job: job.to_string(),
            start: (start_h * H as f64) as i64,
            end: end_h.map(|e| (e * H as f64) as i64),
        }
    }
    fn at(host: &'static str, h: f64) -> (&'static str, i64) {
        (host, (h * H as f64) as i64)
    }
    /// Hosts observed from hour 0 to hour 100.
    fn hosts(names: &[&'static str]) -> Vec<(&'static str, Span)> {
        names.iter().map(|n| (*n, (0, 100 * H))).collect()
    }
    fn row<'a>(rows: &'a [Association], host: Option<&str>, job: Option<&str>) -> &'a Association {
        rows.iter()
            .find(|r| r.host.as_deref() == host && r.job.as_deref() == job)
            .unwrap_or_else(|| panic!("no row {host:?} {job:?} in {rows:#?}"))
    }
    fn close(a: f64, b: f64) {
        assert!((a - b).abs() <= 1e-9 * b.abs().max(1.0), "{a} != {b}");
    }

    #[test]
    fn no_backup_no_rows() {
        assert!(rows(&hosts(&["a"]), &[], &[at("a", 5.0)], SLACK_S, (None, None)).is_empty());
    }

    #[test]
    fn zero_incidents() {
        let r = rows(
            &hosts(&["a"]),
            &[run("a", "backup", 10.0, Some(11.0))],
            &[],
            SLACK_S,
            (None, None),
        );
        let a = row(&r, Some("a"), None);
        close(a.observed_s, 360_000.0);
        close(a.window_s, (1.0 + SL) * 3600.0);
        close(a.coverage, 0.0125);
        assert_eq!((a.incidents, a.inside), (0, 0));
        assert_eq!(
            (a.expected, a.p_value, a.verdict),
            (0.0, 1.0, Verdict::TooFew)
        );
        assert_eq!(
            a.summary,
            "a: no incidents; backup windows cover 1 % of the time."
        );
    }

    fn three_windows() -> Vec<Run<'static>> {
        [10.0, 30.0, 50.0]
            .iter()
            .map(|&s| run("a", "backup", s, Some(s + 1.0)))
            .collect()
    }

    #[test]
    fn all_inside() {
        let inc = [at("a", 10.5), at("a", 30.5), at("a", 51.2)]; // the last one in the slack
        let r = rows(
            &hosts(&["a"]),
            &three_windows(),
            &inc,
            SLACK_S,
            (None, None),
        );
        let a = row(&r, Some("a"), None);
        close(a.coverage, 0.0375);
        assert_eq!((a.incidents, a.inside), (3, 3));
        close(a.expected, 0.1125);
        close(a.p_value, 0.0375f64.powi(3));
        assert_eq!(a.verdict, Verdict::Linked);
        assert_eq!(
            a.summary,
            "a: 3 of 3 incidents began inside a backup window, which covers 4 % of the time \
             (expected 0.1; p < 0.0001): the backups are linked to the incidents."
        );
    }

    #[test]
    fn none_inside() {
        let inc = [at("a", 20.0), at("a", 40.0), at("a", 51.3)]; // just past the slack
        let r = rows(
            &hosts(&["a"]),
            &three_windows(),
            &inc,
            SLACK_S,
            (None, None),
        );
        let a = row(&r, Some("a"), None);
        assert_eq!((a.incidents, a.inside), (3, 0));
        assert_eq!((a.p_value, a.verdict), (1.0, Verdict::NotLinked));
        close(a.expected, 0.1125);
    }

    #[test]
    fn overlapping_windows_across_jobs_count_once() {
        let runs = [
            run("a", "dump", 10.0, Some(12.0)),
            run("a", "rsync", 11.0, Some(13.0)),
        ];
        let inc = [at("a", 11.5), at("a", 13.1), at("a", 20.0)];
        let r = rows(&hosts(&["a"]), &runs, &inc, SLACK_S, (None, None));
        // Union of [10, 12.25] and [11, 13.25]: 3.25 h, not 4.5 h.
        let all = row(&r, Some("a"), None);
        close(all.window_s, 3.25 * 3600.0);
        let p = 3.25 / 100.0;
        close(all.coverage, p);
        assert_eq!((all.incidents, all.inside), (3, 2));
        close(all.p_value, 3.0 * p * p * (1.0 - p) + p * p * p);
        assert_eq!(all.verdict, Verdict::Linked);
        let dump = row(&r, Some("a"), Some("dump"));
        close(dump.window_s, 2.25 * 3600.0);
        assert_eq!(dump.inside, 1);
        assert_eq!(dump.verdict, Verdict::NotLinked);
        let rsync = row(&r, Some("a"), Some("rsync"));
        assert_eq!(rsync.inside, 2);
    }

    #[test]
    fn window_past_the_end_of_the_logs_is_clipped_and_estimated() {
        let runs = [
            run("a", "backup", 10.0, Some(12.0)),
            run("a", "backup", 99.5, None),
        ];
        let inc = [at("a", 99.9)];
        let r = rows(&hosts(&["a"]), &runs, &inc, SLACK_S, (None, None));
        let a = row(&r, Some("a"), Some("backup"));
        // [10, 12.25] plus [99.5, 101.75] clipped to [99.5, 100].
        close(a.window_s, 2.75 * 3600.0);
        assert_eq!((a.windows, a.ends_estimated, a.ends_missing), (2, 1, 0));
        assert_eq!((a.incidents, a.inside), (1, 1));
        assert_eq!(a.verdict, Verdict::TooFew);
        assert!(
            a.summary
                .ends_with(" 1 run without an end counted as lasting the job's median run."),
            "{}",
            a.summary
        );
    }

    #[test]
    fn unknown_ends_use_the_median_else_the_start() {
        let runs = [
            run("a", "backup", 10.0, Some(11.0)),
            run("a", "backup", 20.0, Some(23.0)),
            run("a", "backup", 40.0, None),
            run("a", "other", 60.0, None),
        ];
        let r = rows(&hosts(&["a"]), &runs, &[], SLACK_S, (None, None));
        // The median of 1 h and 3 h is 2 h.
        close(
            row(&r, Some("a"), Some("backup")).window_s,
            (1.25 + 3.25 + 2.25) * 3600.0,
        );
        let other = row(&r, Some("a"), Some("other"));
        close(other.window_s, SL * 3600.0);
        assert_eq!((other.ends_estimated, other.ends_missing), (0, 1));
        let all = row(&r, Some("a"), None);
        assert_eq!(
            (all.windows, all.ends_estimated, all.ends_missing),
            (4, 1, 1)
        );
    }

    #[test]
    fn fleet_sums_hosts() {
        let runs = [
            run("a", "b", 10.0, Some(11.0)),
            run("c", "b", 10.0, Some(12.0)),
        ];
        let inc = [at("a", 10.5), at("c", 50.0), at("c", 11.0), at("d", 1.0)];
        let r = rows(&hosts(&["a", "c", "d"]), &runs, &inc, SLACK_S, (None, None));
        let f = row(&r, None, None);
        close(f.observed_s, 3.0 * 360_000.0);
        close(f.window_s, (1.25 + 2.25) * 3600.0);
        assert_eq!((f.incidents, f.inside, f.windows), (4, 2, 2));
        close(f.coverage, f.window_s / f.observed_s);
        // Host d has no backup: a row with nothing covered, counted in the fleet.
        let d = row(&r, Some("d"), None);
        assert_eq!((d.windows, d.window_s, d.incidents), (0, 0.0, 1));
        assert!(
            f.summary.starts_with("Fleet: 2 of 4 incidents"),
            "{}",
            f.summary
        );
    }

    #[test]
    fn since_until_narrow_the_observed_range() {
        let runs = [
            run("a", "b", 10.0, Some(11.0)),
            run("a", "b", 60.0, Some(61.0)),
        ];
        let inc = [at("a", 10.5), at("a", 60.5)];
        let r = rows(&hosts(&["a"]), &runs, &inc, SLACK_S, (Some(50 * H), None));
        let a = row(&r, Some("a"), None);
        close(a.observed_s, 50.0 * 3600.0);
        close(a.window_s, 1.25 * 3600.0);
        assert_eq!((a.incidents, a.inside), (1, 1));
    }

    #[test]
    fn binomial_tail_matches_direct_sums() {
        // 5 of 7 with p = 0.11: C(7,5)p^5q^2 + C(7,6)p^6q + p^7.
        let (p, q) = (0.11f64, 0.89f64);
        let direct = 21.0 * p.powi(5) * q * q + 7.0 * p.powi(6) * q + p.powi(7);
        close(binomial_tail(7, 5, p), direct);
        assert_eq!(binomial_tail(7, 0, p), 1.0);
        assert_eq!(binomial_tail(7, 1, 0.0), 0.0);
        close(binomial_tail(1, 1, 0.3), 0.3);
        // Large n neither underflows nor overflows: P(X >= n/2) for a fair coin is just over
        // one half, by half the central term (0.0079786 for n = 10 000).
        let t = binomial_tail(10_000, 5_000, 0.5);
        assert!((t - 0.503_989).abs() < 1e-5, "{t}");
        assert!(binomial_tail(400_000, 399_000, 0.01) >= 0.0);
    }
}
