//! logautopsy: post-mortems of Linux servers from copied logs.
//!
//! Data flows one way (see `DESIGN.md` §1–2 in the team's shared notes):
//! `model` → `input` → `parse` → `events` → `rules` → `correlate` → `report` → `render`,
//! with `pipeline` tying the stages together and the binary (`main.rs`, `cli.rs`) a thin shell.
//! A module only imports from layers to its left; `tests/layers.rs` enforces it.

pub mod config;
pub mod correlate;
pub mod events;
pub mod input;
pub mod model;
pub mod parse;
pub mod pipeline;
pub mod render;
pub mod report;
pub mod rules;
