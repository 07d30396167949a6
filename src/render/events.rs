//! The event listing of `logautopsy events`: one event per line in UTC time order, as an
//! aligned table, JSON lines, or CSV. A view of the events only (no correlation).

use crate::events::Event;
use std::io::{self, Write};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum EventFormat {
    Table,
    Jsonl,
    Csv,
}

fn sources(e: &Event) -> String {
    e.sources
        .iter()
        .map(|s| s.to_string())
        .collect::<Vec<_>>()
        .join(" ")
}

fn csv_field(s: &str) -> String {
    let s = super::escape::csv_cell(s);
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

pub fn write(events: &[Event], fmt: EventFormat, w: &mut dyn Write) -> io::Result<()> {
    match fmt {
        EventFormat::Jsonl => {
            for e in events {
                serde_json::to_writer(&mut *w, e)?;
                writeln!(w)?;
            }
        }
        EventFormat::Csv => {
            writeln!(
                w,
                "id,time,host,kind,pid,process,unit,program,message,sources,attrs"
            )?;
            for e in events {
                let row = [
                    e.id.to_string(),
                    e.time.rfc3339(),
                    e.host.to_string(),
                    e.kind.to_string(),
                    e.pid.map(|p| p.to_string()).unwrap_or_default(),
                    e.process.as_deref().unwrap_or_default().to_string(),
                    e.unit.as_deref().unwrap_or_default().to_string(),
                    e.program.as_deref().unwrap_or_default().to_string(),
                    e.message.clone(),
                    sources(e),
                    serde_json::to_string(&e.attrs).unwrap_or_default(),
                ];
                writeln!(
                    w,
                    "{}",
                    row.iter()
                        .map(|f| csv_field(f))
                        .collect::<Vec<_>>()
                        .join(",")
                )?;
            }
        }
        EventFormat::Table => {
            // Names and paths come from the logs: shown, never obeyed, by the terminal.
            let mut w = super::escape::Visible::new(w);
            for e in events {
                let who = [
                    e.pid.map(|p| format!("pid={p}")),
                    e.process.as_ref().map(|p| format!("process={p}")),
                    e.unit.as_ref().map(|u| format!("unit={u}")),
                    e.program.as_ref().map(|p| format!("program={p}")),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
                writeln!(
                    w,
                    "{}  {:<14} {:<24} {:<40} {}",
                    e.time.utc().format("%Y-%m-%d %H:%M:%S%.6fZ"),
                    e.host,
                    e.kind.as_str(),
                    who,
                    sources(e)
                )?;
            }
        }
    }
    Ok(())
}
