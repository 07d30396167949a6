//! logautopsy: post-mortems of Linux servers from copied logs.
//!
//! Data flows one way (see `DESIGN.md` §1–2 in the team's shared notes):
//! `model` → `config` → `parse` → `events` → `report` → `input` → `rules` → `correlate` →
//! `render`, with `pipeline` tying the stages together and the binary (`main.rs`, `cli.rs`) a
//! thin shell. A module only imports from layers to its left; `tests/layers.rs` enforces it.
//!
//! The library can be used on its own, e.g. to read one line and run the rules on it:
//!
//! ```
//! use logautopsy::{events::EventKind, parse, rules::RuleSet};
//!
//! let line = "Sep 27 19:15:18 web1 systemd[1]: supervisor.service: Failed with result 'oom-kill'.";
//! let record = parse::parse_line_for_sample(line).expect("an RFC 3164 line");
//! assert_eq!(record.host.as_deref(), Some("web1"));
//!
//! let rules = RuleSet::load(&[], &[]).expect("the built-in rules load");
//! let mut events = Vec::new();
//! rules.apply(&record, &mut events);
//! assert_eq!(events[0].kind, EventKind::UnitFailed);
//! assert_eq!(events[0].unit.as_deref(), Some("supervisor.service"));
//! assert_eq!(events[0].attr_str("result"), Some("oom-kill"));
//! ```

pub mod cleanup;
pub mod config;
pub mod correlate;
pub mod events;
pub mod format;
pub mod input;
pub mod model;
pub mod parse;
pub mod pipeline;
pub mod render;
pub mod report;
pub mod rules;
