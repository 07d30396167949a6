//! Reads binary journal files with logautopsy's reader, for the benchmark
//! (`scripts/bench-journal.sh`) and for comparing with journalctl by hand.
//!
//! `journal_read [--dump] FILE...`: files are read in parallel (rayon); prints, per file, the
//! summary on stderr and, with `--dump`, one line per entry (`realtime<TAB>cursor<TAB>message`)
//! on stdout. The last line is the total entry count and how many messages contain "oom" —
//! the cheap per-entry work a real analysis does at least.

use logautopsy::input::journal::read_journal_file;
use rayon::prelude::*;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

fn main() {
    let mut dump = false;
    let mut files = Vec::new();
    for a in std::env::args().skip(1) {
        if a == "--dump" {
            dump = true;
        } else {
            files.push(PathBuf::from(a));
        }
    }
    let results: Vec<(u64, u64, Vec<String>)> = files
        .par_iter()
        .map(|p| {
            let display: Arc<str> = Arc::from(p.display().to_string());
            let (mut n, mut oom, mut lines) = (0u64, 0u64, Vec::new());
            let res = read_journal_file(p, &display, &mut |r| {
                n += 1;
                if r.message.contains("oom") {
                    oom += 1;
                }
                if dump {
                    lines.push(format!(
                        "{}\t{}\t{}",
                        r.time.micros,
                        r.source,
                        r.message.escape_debug()
                    ));
                }
            });
            match res {
                Ok(s) => eprintln!(
                    "{}: {} entries, {} unreadable, state {:?}, compression {:?}, warnings {:?}",
                    display, s.entries, s.unreadable, s.state, s.compression, s.warnings
                ),
                Err(e) => eprintln!("error: {e}"),
            }
            (n, oom, lines)
        })
        .collect();
    let out = std::io::stdout();
    let mut out = out.lock();
    let (mut total, mut oom) = (0, 0);
    for (n, o, lines) in results {
        total += n;
        oom += o;
        for l in lines {
            let _ = writeln!(out, "{l}");
        }
    }
    let _ = writeln!(out, "total {total} entries, {oom} mention oom");
}
