//! Output selection (placeholder until the rendering work lands): JSON and terminal only.

use crate::report::Report;
use std::path::Path;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Terminal,
    Json,
}

impl Format {
    pub fn from_path(p: &Path) -> Result<Format, String> {
        match p.extension().and_then(|e| e.to_str()) {
            Some("json") => Ok(Format::Json),
            _ => Err(format!(
                "{}: unsupported output format in this build",
                p.display()
            )),
        }
    }
    pub fn from_name(s: &str) -> Result<Format, String> {
        match s {
            "json" => Ok(Format::Json),
            "terminal" | "text" => Ok(Format::Terminal),
            _ => Err(format!("--format {s}: unsupported")),
        }
    }
}

pub fn check_writable(p: &Path, _fmt: Format, force: bool) -> Result<(), String> {
    if p.exists() && !force {
        return Err(format!(
            "{}: exists (pass --force to overwrite)",
            p.display()
        ));
    }
    Ok(())
}

pub fn write(report: &Report, fmt: Format, path: Option<&Path>) -> std::io::Result<()> {
    let mut out: Box<dyn std::io::Write> = match path {
        Some(p) => Box::new(std::fs::File::create(p)?),
        None => Box::new(std::io::stdout()),
    };
    match fmt {
        Format::Json => super::json::write(report, &mut out),
        Format::Terminal => super::terminal::write(report, &mut out, false, false),
    }
}
