//! Terminal summary (placeholder until the correlation work lands).

use crate::report::Report;

pub fn write(
    report: &Report,
    w: &mut dyn std::io::Write,
    _color: bool,
    _verbose: bool,
) -> std::io::Result<()> {
    writeln!(
        w,
        "logautopsy: {} inputs, {} events, {} incidents",
        report.inputs.len(),
        report.events.len(),
        report.incidents.len()
    )
}
