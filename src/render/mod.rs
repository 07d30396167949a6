//! Renderers: each a view of the same `Report` (DESIGN.md §1); none of them parses logs.
//! One file per format; `output` picks the format from a path and dispatches.

pub mod charts;
pub mod events;
pub mod html;
pub mod json;
pub mod markdown;
pub mod output;
pub mod tables;
pub mod terminal;
