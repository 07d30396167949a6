//! Binary systemd journals and journalctl export/JSON (placeholder until the journal work
//! lands: every call reports that the format is not supported yet).

use crate::model::{Error, Result};
use crate::parse::Record;
use std::path::Path;
use std::sync::Arc;

pub struct JournalSummary {
    pub format: &'static str,
    pub entries: u64,
    pub unreadable: u64,
    pub state: Option<String>,
    pub compression: Option<String>,
    pub warnings: Vec<String>,
    pub bytes: u64,
}

fn unsupported(path: &str) -> Error {
    Error::Input {
        path: path.into(),
        msg: "journal input is not supported in this build".into(),
    }
}

pub fn read_journal_file(
    _path: &Path,
    display: &Arc<str>,
    _sink: &mut dyn FnMut(Record),
) -> Result<JournalSummary> {
    Err(unsupported(display))
}
pub fn read_export(
    _r: &mut dyn std::io::Read,
    display: &Arc<str>,
    _sink: &mut dyn FnMut(Record),
) -> Result<JournalSummary> {
    Err(unsupported(display))
}
pub fn read_json_lines(
    _r: &mut dyn std::io::BufRead,
    display: &Arc<str>,
    _sink: &mut dyn FnMut(Record),
) -> Result<JournalSummary> {
    Err(unsupported(display))
}
