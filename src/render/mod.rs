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

/// Evidence ids for reading: the first few, then how many more (an incident of 400 k OOM kills
/// cites them all in the JSON report; a person needs the first ones and the count).
pub fn evidence_list<T: std::fmt::Display>(ids: &[T]) -> String {
    const SHOWN: usize = 8;
    let mut s: Vec<String> = ids.iter().take(SHOWN).map(|i| i.to_string()).collect();
    if ids.len() > SHOWN {
        s.push(format!("… {} more", ids.len() - SHOWN));
    }
    s.join(", ")
}
