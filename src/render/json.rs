//! JSON renderer: the report in the `logautopsy/report/v1` contract (DESIGN.md §5), validated
//! by `schema/report-v1.json`. Pretty-printed with a trailing newline so that reports diff well
//! as golden files; deterministic because every map in the report is ordered (attrs are a
//! `BTreeMap`) and correlation never depends on hash order or the clock.

use crate::report::Report;
use std::io::{self, Write};

/// Write `report` as pretty JSON followed by a newline.
pub fn write(report: &Report, w: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, report).map_err(io::Error::from)?;
    w.write_all(b"\n")?;
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_report_is_pretty_with_trailing_newline() {
        let r = Report::empty();
        let mut out = Vec::new();
        write(&r, &mut out).unwrap();
        let s = String::from_utf8(out).unwrap();
        assert!(s.starts_with("{\n  \"schema\": \"logautopsy/report/v1\",\n  \"tool\": {\n    \"name\": \"logautopsy\",\n    \"version\": \"0.1.0\"\n  },\n"), "{s}");
        assert!(s.ends_with("}\n"));
    }
}
