//! The scanner's search for lines that may hold an event: a line is a candidate when it holds
//! one of the rules' literals (each rule's `scan_hint`, else its `hint`).
//!
//! The search runs over whole buffers with aho-corasick's packed Teddy searcher (SIMD; on a
//! busy host a fifth of the lines are candidates, and confirming each hit in an automaton once
//! cost 40 % of the scan). Teddy looks for the first three bytes of every pattern at once, then
//! verifies its hits, so its speed depends on how rare those first bytes are in the text: the
//! literals as written start with ` to`, ` in`, `: C`, `: D` or `) C`, which begin a good share
//! of all words and messages. So Teddy searches **anchors** instead: a literal that contains an
//! entry of `ANCHORS` is searched through that substring (chosen for a rare start: `Deactivated`
//! for `: Deactivated successfully.`, `nsumed ` for `: Consumed `), and several literals share
//! one (`led ` stands for nine of systemd's and the kernel's wordings). A hit of an anchor
//! is a candidate only when one of the literals it stands for is found around it, at the
//! offset the anchor has in that literal, so what a line must hold to be a candidate is exactly
//! what it was. A literal that contains no anchor (a user's rule, most often) is searched as
//! itself. Measured on 256 MiB of the busy profile, one thread, best of five: the 63 literals as
//! written took 0.092 s, the first anchors (41 patterns) 0.050 s; on the shared corpus and the
//! sample logs 0.011 s against 0.006 s. Fewer anchors, each standing for more literals, in a
//! tuned order (`LAYOUT`) took a quarter less again.
//!
//! Correctness needs one property of the pattern set: no pattern is a prefix of another. The
//! searcher reports the leftmost match and, where two patterns start at the same byte, only
//! one of them; after a failed check the search goes on from the next byte, so every start of
//! every pattern is visited — unless a second pattern starting at the same byte was hidden
//! behind the first. No anchor contains another (a test keeps `ANCHORS` so); no literal
//! contains another (`scan_literals` drops those); a literal searched as itself contains no
//! anchor; and an anchor in use is inside some literal, so it cannot contain a literal either.

use aho_corasick::{AhoCorasick, MatchKind};

/// Substrings searched in place of the literals that contain them, in order of preference (a
/// literal goes to the first it contains). Each is at least four bytes long (Teddy
/// fingerprints as many leading bytes, up to four, as the shortest pattern has, and three-byte
/// fingerprints cost a third more time here than four), starts with bytes that are rare in real
/// logs, and most stand for several literals: fewer patterns make narrower buckets (see
/// `LAYOUT`), and 32 or fewer let aho-corasick use slim Teddy, which reads 32 bytes a step
/// instead of 16. The set came from a greedy cover of the built-in literals by their
/// substrings, weighing each by how often it occurs in the busy profile and the shared corpus;
/// a literal whose best anchor would be its own first bytes is searched as itself.
const ANCHORS: &[&str] = &[
    // The routine lifecycle: most hits on a busy host.
    "Start",       // Started, Starting
    "Stopp",       // Stopped, Stopping
    "inished ",    // Finished, cronie's `) finished `
    "nsumed ",     // `: Consumed `
    "Deactivated", // `: Deactivated successfully.`
    "(cron",       // `(cron:session): session `, `(crond:session): session `
    // Everything else.
    "led ",      // Failed …, Killed process, killed …, entered failed state, Scheduled restart
    " process ", // Kill(ing) process, Found left-over process, process exited
    " sta", // entered RUNNING state, supervisord `' started`, `started with pid`, `) starting `
    " SIG", // with SIGKILL, sending SIG…, was sent SIGKILL!
    "kill", // invoked oom-killer, oom-kill:constraint=, no killable processes
    "sage", // memory: usage, kernel messages, messages lost due to rate-limiting
    "ed: ", // supervisord's exited:, spawned:, stopped:
    ") CM", // cron's CMD, CMDEND, CMDOUT
    "omm:", // the tasks table's Comm:, `, comm: `
    "oom_", // oom_reaper:, oom_score_adj name
    " mem", // due to memory, mems_allowed=
    "g af", // remains running after unit stopped
    "N) e", // (CRON) error (grandchild #
    "No M", // (No MTA installed, discarding output)
    "eded.", // : Succeeded.
    "y exit", // is already exiting
    " up:", // supervisord's gave up:
    "dicati", // indicating
    "ix)[", // (pam_unix)[
];

/// The order in which the searcher is given its patterns. Teddy keeps buckets of patterns (8
/// in slim Teddy, for up to 32 patterns; 16 in fat Teddy) and checks a bucket's patterns one
/// by one wherever the first four bytes of the text fit the bucket's nibble masks, which are
/// the union of its patterns': patterns that share a bucket widen its masks, and each false fit
/// costs a verification. aho-corasick 1.1 puts the pattern numbered `k` in bucket
/// `buckets - 1 - k % buckets` (or with an earlier pattern whose first four low nibbles are the
/// same), so this order decides which patterns share a bucket. It was chosen by
/// `examples/prefilter_layout.rs` (a local search over that placement, counting the 4-byte
/// windows of real text that fit each bucket). Measured with the anchors above, one thread,
/// best of seven, against the 41 patterns and fat Teddy of the anchors before: the whole
/// prefilter over 96 MiB of the busy profile 0.0155 s against 0.0205 s (and 0.030 s before
/// any layout), 96 MiB of the sparse profile 0.008 s against 0.014 s, the corpus's plain logs
/// 30 % less; an evidence-dense file (every line an OOM kill, each holding several anchors)
/// 0.045 s against 0.036 s per 80 MiB, a small part of that file's 3.5 s. A pattern missing
/// here goes after these (correct, only maybe slower, and a user's rules past the 32nd pattern
/// bring fat Teddy back); a test keeps the built-in rules' patterns all here.
const LAYOUT: &[&str] = &[
    "oom_",
    "eded.",
    "N) e",
    "' terminated",
    "dicati",
    "DAMN ! worker ",
    ") CM",
    "omm:",
    "inished ",
    "ed: ",
    "(cron",
    "' timed out. ",
    "g af",
    "nsumed ",
    " up:",
    "kill",
    "Start",
    "y exit",
    "No M",
    "Shut down",
    "Deactivated",
    ") END (",
    " process ",
    " SIG",
    "ix)[",
    "led ",
    "sage",
    "Stopp",
    " mem",
    " sta",
    "Suppressed ",
    "waiting for ",
];

/// Teddy where the CPU has the SIMD it needs, else an automaton (built only then: its DFA
/// took a millisecond of every run's start).
enum Searcher {
    Teddy(aho_corasick::packed::Searcher),
    Automaton(AhoCorasick),
}

pub struct Prefilter {
    searcher: Searcher,
    /// Per pattern: each literal it stands for, with the anchor's offset in it. Empty when the
    /// pattern is a literal standing for itself alone: a hit needs no check.
    stands_for: Vec<Vec<(Box<[u8]>, usize)>>,
    shortest: usize,
    /// The patterns, in the order the searcher was given them.
    searched: Vec<Box<str>>,
}

impl Prefilter {
    /// The searcher for `literals` (each non-empty, none containing another).
    pub fn new(literals: &[&str]) -> Result<Prefilter, String> {
        // Anchor of each literal: the first entry of ANCHORS it contains, else itself.
        let mut patterns: Vec<&str> = Vec::new();
        let mut of: Vec<usize> = Vec::with_capacity(literals.len());
        for lit in literals {
            let p = ANCHORS
                .iter()
                .copied()
                .find(|a| lit.contains(a))
                .unwrap_or(lit);
            of.push(match patterns.iter().position(|q| *q == p) {
                Some(i) => i,
                None => {
                    patterns.push(p);
                    patterns.len() - 1
                }
            });
        }
        // The tuned order (see `LAYOUT`); patterns it lacks keep their order after it.
        let rank = |p: &str| LAYOUT.iter().position(|l| *l == p).unwrap_or(usize::MAX);
        let mut order: Vec<usize> = (0..patterns.len()).collect();
        order.sort_by_key(|&i| (rank(patterns[i]), i));
        let mut new_id = vec![0; patterns.len()];
        for (new, &old) in order.iter().enumerate() {
            new_id[old] = new;
        }
        let patterns: Vec<&str> = order.iter().map(|&i| patterns[i]).collect();
        for p in of.iter_mut() {
            *p = new_id[*p];
        }
        let mut stands_for: Vec<Vec<(Box<[u8]>, usize)>> = vec![Vec::new(); patterns.len()];
        for (lit, &p) in literals.iter().zip(&of) {
            let anchor = patterns[p];
            if anchor == *lit && literals.iter().zip(&of).filter(|(_, &q)| q == p).count() == 1 {
                continue; // a literal alone on its own pattern
            }
            for (off, _) in lit.match_indices(anchor) {
                stands_for[p].push((lit.as_bytes().into(), off));
            }
        }
        let teddy = aho_corasick::packed::Config::new()
            .match_kind(aho_corasick::packed::MatchKind::LeftmostFirst)
            .builder()
            .extend(&patterns)
            .build();
        let searcher = match teddy {
            Some(t) => Searcher::Teddy(t),
            None => Searcher::Automaton(
                AhoCorasick::builder()
                    .match_kind(MatchKind::LeftmostFirst)
                    .build(&patterns)
                    .map_err(|e| format!("cannot build the hint prefilter: {e}"))?,
            ),
        };
        Ok(Prefilter {
            searcher,
            stands_for,
            shortest: patterns.iter().map(|p| p.len()).min().unwrap_or(0),
            searched: patterns.iter().map(|&p| p.into()).collect(),
        })
    }

    /// The start of a literal in the first line, at or after `from`, that holds one.
    #[inline]
    pub fn find(&self, hay: &[u8], from: usize) -> Option<usize> {
        let mut at = from;
        while at < hay.len() {
            let (start, p) = self.next_pattern(hay, at)?;
            let stands_for = &self.stands_for[p];
            if stands_for.is_empty() {
                return Some(start);
            }
            let hit = stands_for.iter().find_map(|(lit, off)| {
                let s = start.checked_sub(*off).filter(|&s| s >= from)?;
                hay[s..].starts_with(lit).then_some(s)
            });
            if hit.is_some() {
                return hit;
            }
            at = start + 1;
        }
        None
    }

    #[inline]
    fn next_pattern(&self, hay: &[u8], from: usize) -> Option<(usize, usize)> {
        let m = match &self.searcher {
            Searcher::Teddy(t) => t.find_in(hay, aho_corasick::Span::from(from..hay.len()))?,
            Searcher::Automaton(ac) => {
                ac.find(aho_corasick::Input::new(hay).span(from..hay.len()))?
            }
        };
        Some((m.start(), m.pattern().as_usize()))
    }

    /// Whether the SIMD searcher is in use (a test keeps the built-in rules within its limit).
    pub fn is_packed(&self) -> bool {
        matches!(self.searcher, Searcher::Teddy(_))
    }

    /// How many patterns the searcher looks for.
    pub fn patterns(&self) -> usize {
        self.stands_for.len()
    }

    /// The patterns, in the order the searcher was given them (`LAYOUT`'s tuner reads them).
    pub fn searched(&self) -> impl Iterator<Item = &str> {
        self.searched.iter().map(|p| &**p)
    }

    /// The length of the shortest pattern (Teddy's fingerprint is at most this long).
    pub fn shortest(&self) -> usize {
        self.shortest
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The naive answer: the start of the leftmost literal in the first line holding one.
    fn naive(literals: &[&str], hay: &[u8], from: usize) -> Option<usize> {
        let mut line_start = from;
        for line in hay[from..].split_inclusive(|&b| b == b'\n') {
            let hit = literals
                .iter()
                .filter_map(|l| memchr::memmem::find(line, l.as_bytes()))
                .min();
            if let Some(h) = hit {
                return Some(line_start + h);
            }
            line_start += line.len();
        }
        None
    }

    fn line_of(hay: &[u8], at: usize) -> usize {
        hay[..at].iter().filter(|&&b| b == b'\n').count()
    }

    #[test]
    fn anchors_find_exactly_the_lines_that_hold_a_literal() {
        let literals = [
            "Started ",
            "Starting ",
            ": Consumed ",
            " invoked oom-killer: ",
            "oom-kill:constraint=",
            "The kernel OOM killer killed some processes in this unit",
            ": Killing process ",
            "Killed process ",
            " to die",
            "spawned: '",
            "my app crashed ",
        ];
        let p = Prefilter::new(&literals).unwrap();
        assert!(p.patterns() < literals.len(), "{} patterns", p.patterns());
        let text = "\
Dec 1 a systemd[1]: Start of nothing, Startled, kill -0, skill
Dec 1 b systemd[1]: Started session-1.scope - Session 1 of User root.
Dec 1 c kernel: python3 invoked oom-killer: gfp_mask=0x100cca
Dec 1 d kernel: Killing is not Killed process, nor Kill
Dec 1 e kernel: oom-kill:constraint=CONSTRAINT_NONE
Dec 1 f supervisord: waiting for web to die
Dec 1 g sshd: Connection closed; diet; died
Dec 1 h systemd[1]: foo.service: The kernel OOM killer killed some processes in this unit.
Dec 1 i app: my app crashed hard
Dec 1 j x: Killed process 12 (a) and Killed process 13 (b)
Dec 1 k systemd[1]: session-1.scope: Consumed 1.2s CPU time.
Dec 1 l x: kill kill kill
";
        let hay = text.as_bytes();
        let mut from = 0;
        let mut lines = Vec::new();
        while let Some(at) = p.find(hay, from) {
            assert_eq!(
                line_of(hay, at),
                line_of(hay, naive(&literals, hay, from).unwrap()),
                "from {from}"
            );
            let l = line_of(hay, at);
            lines.push(l);
            from = at + memchr::memchr(b'\n', &hay[at..]).unwrap() + 1;
        }
        assert_eq!(naive(&literals, hay, from), None);
        assert_eq!(lines, [1, 2, 4, 5, 7, 8, 9, 10]);
    }

    #[test]
    fn the_built_in_patterns_are_searched_in_the_tuned_layout() {
        let rules = crate::rules::RuleSet::load(&[], &[]).unwrap();
        let got: Vec<&str> = rules.prefilter().searched().collect();
        let missing: Vec<&&str> = got.iter().filter(|p| !LAYOUT.contains(p)).collect();
        assert!(
            missing.is_empty(),
            "not in LAYOUT (run examples/prefilter_layout.rs and paste its order): {missing:?}"
        );
        let want: Vec<&str> = LAYOUT.iter().copied().filter(|l| got.contains(l)).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn no_anchor_contains_another() {
        for a in ANCHORS {
            for b in ANCHORS {
                assert!(a == b || !a.contains(b), "{a:?} contains {b:?}");
            }
        }
    }

    #[test]
    fn a_hit_is_checked_at_the_anchors_offset_in_its_literal() {
        // " process " stands in the middle of these literals; the returned start is the
        // literal's.
        let literals = ["Kill process ", ": Killing process "];
        let p = Prefilter::new(&literals).unwrap();
        assert_eq!(p.patterns(), 1);
        let line = b"kernel: Kill process 7 (python3)";
        assert_eq!(p.find(line, 0), Some(8));
        assert_eq!(
            p.find(b"x: Kill a process, y: Killing process 9", 0),
            Some(20)
        );
        assert_eq!(p.find(b"Kill: process 7; Killing  process", 0), None);
        // A literal that starts before `from` is not in the searched text.
        assert_eq!(p.find(line, 9), None);
    }
}
