//! The validated run configuration. `cli.rs` turns raw flags into this; library code never
//! sees clap types. Validation happens here so that bad flags fail before any input is read.

use chrono_tz::Tz;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// How zone-less times are read.
#[derive(Clone, Debug, Default)]
pub struct TzPolicy {
    /// `--tz ZONE`: the default for every host.
    pub default: Option<Tz>,
    /// `--tz HOST=ZONE`.
    pub per_host: BTreeMap<String, Tz>,
}

impl TzPolicy {
    pub fn for_host(&self, host: Option<&str>) -> Option<Tz> {
        host.and_then(|h| self.per_host.get(h).copied())
            .or(self.default)
    }

    /// Parse one `--tz` value: `ZONE` or `HOST=ZONE`.
    pub fn add(&mut self, spec: &str) -> crate::model::Result<()> {
        use crate::model::Error;
        let (host, zone) = match spec.split_once('=') {
            Some((h, z)) => (Some(h.trim()), z.trim()),
            None => (None, spec.trim()),
        };
        let tz: Tz = zone.parse().map_err(|_| {
            Error::Config(format!("--tz {spec}: unknown time zone `{zone}` (use an IANA name such as Europe/Berlin, Asia/Kolkata or UTC)"))
        })?;
        match host {
            Some(h) if !h.is_empty() => {
                self.per_host.insert(h.to_string(), tz);
            }
            Some(_) => {
                return Err(Error::Config(format!(
                    "--tz {spec}: empty host name before `=`"
                )))
            }
            None => self.default = Some(tz),
        }
        Ok(())
    }
}

/// Default `--max-expand`: a log compresses 5–30:1 with gzip and up to ~100:1 with xz on very
/// repetitive lines; a stream expanding past 250 times its compressed size is a bomb, or
/// something that is not a log.
pub const DEFAULT_MAX_EXPAND: u64 = 250;

/// Everything an analysis needs to know, already validated.
#[derive(Clone, Debug)]
pub struct Config {
    /// Paths, directories, globs, or `-` for stdin.
    pub inputs: Vec<String>,
    pub tz: TzPolicy,
    /// `--year`: the year of year-less lines.
    pub year: Option<i32>,
    /// Keep only events in `[since, until)` (UTC microseconds).
    pub since: Option<i64>,
    pub until: Option<i64>,
    /// `--host`: force the host of every input.
    pub host: Option<String>,
    /// Extra pattern directories (`--patterns DIR`), later ones override earlier ones by id.
    pub pattern_dirs: Vec<PathBuf>,
    /// `--backup-match REGEX`: commands/units that are backups, added to the defaults.
    pub backup_match: Vec<String>,
    /// How long after a backup ends an incident is still linked to it.
    pub backup_slack_s: i64,
    /// How many unparsed candidate lines to keep per input for `--verbose`.
    pub unparsed_samples: usize,
    /// `--max-expand`: how many times its compressed size a compressed input or archive may
    /// expand to before reading stops (`input::stream`).
    pub max_expand: u64,
    /// Show a progress bar on stderr.
    pub progress: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            inputs: Vec::new(),
            tz: TzPolicy::default(),
            year: None,
            since: None,
            until: None,
            host: None,
            pattern_dirs: Vec::new(),
            backup_match: Vec::new(),
            backup_slack_s: 15 * 60,
            unparsed_samples: 5,
            max_expand: DEFAULT_MAX_EXPAND,
            progress: false,
        }
    }
}
