//! Shared test support: a builder for hand-made event sequences shaped like real log lines
//! (`events`) and a seeded generator of copied-log trees with known truth (`gen`).
#![allow(dead_code)]

pub mod events;
pub mod gen;
