//! Rules: `patterns/*.toml` loaded, validated and compiled; the literal-hint prefilter and the
//! regexes that turn a `Record` into typed `Event`s. (Being written: see issue 4.)
//!
//! API the pipeline relies on (keep these signatures):
//! * `RuleSet::load(extra_dirs, backup_match) -> Result<RuleSet>`: built-in rules (compiled into
//!   the binary) plus user directories overriding by id; every sample is checked at load.
//! * `RuleSet::prefilter() -> &AhoCorasick`: automaton over every rule's literal hint, run by the
//!   scanner over whole buffers; a line without a hit can hold no event.
//! * `RuleSet::apply(&Record, &mut Vec<Event>) -> Option<Follow>`: run the rules whose hint is in
//!   the message (or whose `message_id` equals the journal MESSAGE_ID); push events. `Some` when
//!   the matched rule declares `follow` lines (e.g. the OOM task table rows after its header).
//! * `RuleSet::apply_follow(Follow, &Record, &mut Vec<Event>) -> bool`: a line right after a
//!   block start; false ends the block.

use crate::events::Event;
use crate::model::Result;
use crate::parse::Record;
use std::path::PathBuf;

/// Continuation token for block rules (task tables).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Follow(pub usize);

pub struct RuleSet {
    prefilter: aho_corasick::AhoCorasick,
}

impl RuleSet {
    pub fn load(_extra_dirs: &[PathBuf], _backup_match: &[String]) -> Result<RuleSet> {
        let prefilter = aho_corasick::AhoCorasick::new([
            "invoked oom-killer",
            "Killed process",
            "OOM killer",
            " CMD (",
        ])
        .unwrap();
        Ok(RuleSet { prefilter })
    }
    pub fn prefilter(&self) -> &aho_corasick::AhoCorasick {
        &self.prefilter
    }
    pub fn apply(&self, _rec: &Record, _out: &mut Vec<Event>) -> Option<Follow> {
        None
    }
    pub fn apply_follow(&self, _f: Follow, _rec: &Record, _out: &mut Vec<Event>) -> bool {
        false
    }
}
