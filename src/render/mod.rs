//! Renderers: each a view of the same `Report` (DESIGN.md §1); none of them parses logs.
//! One file per format.

pub mod json;
pub mod terminal;
