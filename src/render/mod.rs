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
pub fn evidence_list<'a>(ids: impl ExactSizeIterator<Item = &'a str>) -> String {
    const SHOWN: usize = 8;
    let n = ids.len();
    let mut s: Vec<&str> = ids.take(SHOWN).collect();
    let more = n.saturating_sub(SHOWN);
    let tail = format!("… {more} more");
    if more > 0 {
        s.push(&tail);
    }
    s.join(", ")
}
