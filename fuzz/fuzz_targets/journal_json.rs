//! Fuzz the `journalctl -o json` line parser.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::sync::Arc;

fuzz_target!(|data: &[u8]| {
    let display: Arc<str> = Arc::from("fuzz.json");
    let mut n = 0u64;
    if let Ok(s) = logautopsy::input::journal::read_json_lines(&mut &data[..], &display, &mut |_| n += 1) {
        assert_eq!(s.entries, n);
        assert!(s.warnings.len() <= 1);
    }
});
