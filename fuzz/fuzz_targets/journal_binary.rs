//! Fuzz the binary journal reader: any bytes must end in `Ok` or `Err`, never a panic, hang or
//! large allocation (run with `-malloc_limit_mb` and `-timeout`, see docs/journal.md), and the
//! summary must agree with what reached the sink.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::sync::Arc;

fuzz_target!(|data: &[u8]| {
    let display: Arc<str> = Arc::from("fuzz.journal");
    let mut n = 0u64;
    if let Ok(s) = logautopsy::input::journal::read_journal_bytes(data, &display, &mut |r| {
        n += 1;
        assert!(r.message.len() <= 3 * logautopsy::input::journal::MAX_FIELD);
    }) {
        assert_eq!(s.entries, n);
        assert!(s.warnings.len() <= 1);
    }
});
