//! Fuzz the text path end to end below the file layer: envelope parsing (every format), the
//! hint prefilter and all rules, block continuations (task tables), year/zone finishing and
//! OOM report assembly. The first byte picks the envelope format the bytes are read as.
#![no_main]
use libfuzzer_sys::fuzz_target;
use logautopsy::config::TzPolicy;
use logautopsy::parse::LineFormat;
use logautopsy::pipeline::scan::{finish, ChunkScan, FinishCtx, ScanCtx};
use logautopsy::rules::RuleSet;
use std::sync::{Arc, OnceLock};

static RULES: OnceLock<RuleSet> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let Some((&sel, body)) = data.split_first() else { return };
    let rules = RULES.get_or_init(|| RuleSet::load(&[], &[]).expect("built-in rules load"));
    let format = LineFormat::ALL[sel as usize % LineFormat::ALL.len()];
    let ctx = ScanCtx { rules, path: Arc::from("fuzz"), format, host: None, force_host: false, max_samples: 5 };
    let mut scan = ChunkScan::new();
    scan.scan(&ctx, body);
    // Every line is counted: newlines, plus a last line without one.
    let expected = bytecount_lines(body);
    assert_eq!(scan.lines, expected);
    let not_after = chrono::DateTime::from_timestamp(1_790_000_000, 0);
    let year = (sel & 0x80 != 0).then_some(2024);
    let fs = finish("fuzz", vec![scan], &FinishCtx { tz: &TzPolicy::default(), year, not_after });
    let mut events = fs.events;
    logautopsy::events::assemble::assemble(&mut events);
});

fn bytecount_lines(b: &[u8]) -> u64 {
    let n = b.iter().filter(|c| **c == b'\n').count() as u64;
    n + u64::from(!b.is_empty() && b.last() != Some(&b'\n'))
}
