//! Command-line interface: clap arguments turned into a validated `Config`. Nothing here reads
//! logs; `main.rs` runs the pipeline with the `Config` and hands the report to the renderers.

use clap::{Args, Parser, Subcommand, ValueEnum};
use logautopsy::config::{Config, TzPolicy};
use logautopsy::render::events::EventFormat;
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "logautopsy",
    version,
    about = "Post-mortems of Linux servers from copied logs: backup windows, OOM kills, supervisor cascades, orphaned workers."
)]
pub struct Cli {
    #[command(subcommand)]
    pub cmd: Cmd,
}

#[derive(Subcommand, Debug)]
pub enum Cmd {
    /// Analyse logs: backup windows, incidents and their causal chain, advice.
    Analyze(AnalyzeArgs),
    /// List the events extracted from logs, one per line, in UTC time order.
    Events(EventsArgs),
    /// Read logs where they are and write their events (plus incidents and backup windows) as
    /// Parquet partitioned by host, for `logautopsy analyze DIR/` to correlate centrally.
    Extract(ExtractArgs),
    /// Check or list the event rules (patterns/*.toml and --patterns directories).
    Patterns {
        #[command(subcommand)]
        cmd: PatternsCmd,
    },
    /// Print the JSON Schema of the report (`logautopsy/report/v1`), generated from its types.
    Schema,
}

#[derive(Subcommand, Debug)]
pub enum PatternsCmd {
    /// Validate rule files: schema, regexes, captures, samples. Exits 1 on any problem.
    Check {
        /// Directory of extra rule files (default: only the built-in rules).
        dir: Option<PathBuf>,
    },
    /// Print the distinct literal hints of the loaded rules, one per line (the prefilter; for
    /// `rg -F -f` comparisons).
    Hints {
        /// Extra rule directories.
        #[arg(long = "patterns", value_name = "DIR")]
        patterns: Vec<PathBuf>,
    },
    /// Print every loaded rule.
    List {
        /// Extra rule directories.
        #[arg(long = "patterns", value_name = "DIR")]
        patterns: Vec<PathBuf>,
    },
}

#[derive(Args, Debug)]
pub struct InputArgs {
    /// Files, directories (read recursively), globs, or `-` for stdin.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<String>,
    /// Zone of zone-less times: an IANA name for all hosts, or HOST=ZONE (repeatable).
    #[arg(long, value_name = "ZONE|HOST=ZONE")]
    pub tz: Vec<String>,
    /// Year of the first line of year-less logs (default: inferred from the file mtime).
    #[arg(long, value_name = "YYYY")]
    pub year: Option<i32>,
    /// Only events at or after this time (RFC 3339, or `YYYY-MM-DD[ HH:MM[:SS]]` in UTC).
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// Only events before this time.
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,
    /// Host name for every input (overrides what the logs say).
    #[arg(long, value_name = "NAME")]
    pub host: Option<String>,
    /// Extra rule directory; rules with the same id override built-ins (repeatable).
    #[arg(long = "patterns", value_name = "DIR")]
    pub patterns: Vec<PathBuf>,
    /// Regex of commands/units that are backups, added to the defaults (repeatable).
    #[arg(long = "backup-match", value_name = "REGEX")]
    pub backup_match: Vec<String>,
    /// Stop reading a compressed file or archive once it has expanded to this many times its
    /// compressed size (at least 64 MiB): the bound against decompression bombs.
    #[arg(long, value_name = "RATIO", default_value_t = logautopsy::config::DEFAULT_MAX_EXPAND)]
    pub max_expand: u64,
    /// Worker threads (default: all cores).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// No progress bar and no warnings on stderr (errors are still printed).
    #[arg(long, short)]
    pub quiet: bool,
    /// Show unparsed candidate lines and per-input details.
    #[arg(long, short)]
    pub verbose: bool,
}

#[derive(Args, Debug)]
pub struct AnalyzeArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// How long after a backup ends an incident is still linked to it (e.g. 900, 15m, 1h).
    #[arg(long, value_name = "DURATION", default_value = "15m")]
    pub backup_slack: String,
    /// Write the JSON report (logautopsy/report/v1) to FILE, or `-` for stdout.
    #[arg(long, value_name = "FILE")]
    pub json: Option<String>,
    /// Write outputs; format from the extension (.html .md .json .csv .parquet .png .svg), a
    /// directory for Parquet tables (repeatable).
    #[arg(short = 'o', long = "output", value_name = "PATH")]
    pub outputs: Vec<PathBuf>,
    /// Format of stdout instead of the terminal summary.
    #[arg(long, value_name = "FORMAT")]
    pub format: Option<String>,
    /// Overwrite existing output files.
    #[arg(long)]
    pub force: bool,
    /// Colour the terminal summary.
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorChoice,
}

#[derive(Args, Debug)]
pub struct EventsArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Only these kinds (repeatable), e.g. oom_kill, unit_oom, backup_start.
    #[arg(long, value_name = "KIND")]
    pub kind: Vec<String>,
    #[arg(long, value_enum, default_value = "table")]
    pub format: EventFormat,
}

#[derive(Args, Debug)]
pub struct ExtractArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// The Parquet dataset to write into (`DIR/events/host=NAME/part-0.parquet`, …). Many
    /// extract jobs (one per host) may share it; each replaces only its own hosts' partitions.
    #[arg(short = 'o', long = "output", value_name = "DIR/", required = true)]
    pub output: PathBuf,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// `900`, `15m`, `1h`, `30s` → seconds.
pub fn parse_duration(s: &str) -> Result<i64, String> {
    let s = s.trim();
    let (num, mult) = match s.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        None => (s, 1),
        Some((i, _)) => (
            &s[..i],
            match &s[i..] {
                "s" => 1,
                "m" | "min" => 60,
                "h" => 3600,
                "d" => 86400,
                u => return Err(format!("unknown unit `{u}` in `{s}` (use s, m, h or d)")),
            },
        ),
    };
    num.parse::<i64>()
        .map(|n| n * mult)
        .map_err(|_| format!("`{s}` is not a duration (e.g. 900, 15m, 1h)"))
}

/// RFC 3339, or `YYYY-MM-DD[ HH:MM[:SS]]` / `YYYY-MM-DDTHH:MM[:SS]` read as UTC.
pub fn parse_time(flag: &str, s: &str) -> Result<i64, String> {
    if let Ok(dt) = chrono::DateTime::parse_from_rfc3339(s) {
        return Ok(dt.timestamp_micros());
    }
    for f in [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(ndt) = chrono::NaiveDateTime::parse_from_str(s, f) {
            return Ok(ndt.and_utc().timestamp_micros());
        }
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Ok(d
            .and_hms_opt(0, 0, 0)
            .unwrap_or_default()
            .and_utc()
            .timestamp_micros());
    }
    Err(format!("{flag} {s}: not a time (use RFC 3339 like 2025-09-27T19:00:00Z, or 2025-09-27 19:00 in UTC)"))
}

impl InputArgs {
    /// Validate flags into a `Config`.
    pub fn config(&self) -> Result<Config, String> {
        let mut tz = TzPolicy::default();
        for t in &self.tz {
            tz.add(t).map_err(|e| e.to_string())?;
        }
        if let Some(y) = self.year {
            if !(1970..=9999).contains(&y) {
                return Err(format!("--year {y}: out of range (1970–9999)"));
            }
        }
        if self.host.as_deref().is_some_and(|h| h.trim().is_empty()) {
            return Err("--host: the host name is empty".into());
        }
        if let Some(0) = self.threads {
            return Err("--threads 0: need at least one thread".into());
        }
        for re in &self.backup_match {
            regex::Regex::new(re)
                .map_err(|e| format!("--backup-match {re}: not a valid regex: {e}"))?;
        }
        let since = self
            .since
            .as_deref()
            .map(|s| parse_time("--since", s))
            .transpose()?;
        let until = self
            .until
            .as_deref()
            .map(|s| parse_time("--until", s))
            .transpose()?;
        if let (Some(a), Some(b)) = (since, until) {
            if a >= b {
                return Err("--since must be before --until".into());
            }
        }
        Ok(Config {
            inputs: self.paths.clone(),
            tz,
            year: self.year,
            since,
            until,
            host: self.host.clone(),
            pattern_dirs: self.patterns.clone(),
            backup_match: self.backup_match.clone(),
            unparsed_samples: if self.verbose { 20 } else { 5 },
            max_expand: self.max_expand,
            ..Config::default()
        })
    }
}
