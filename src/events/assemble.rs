//! OOM report assembly and unit-name normalisation (placeholder until the rules work lands).

use super::Event;

pub fn assemble(_events: &mut Vec<Event>) {}
