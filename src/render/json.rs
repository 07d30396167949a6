//! JSON renderer (placeholder until the correlation work lands).

use crate::report::Report;

pub fn write(report: &Report, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, report)?;
    writeln!(w)
}
