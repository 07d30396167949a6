//! Fuzz the `journalctl -o export` parser (seeded with systemd's fuzz-journal-remote corpus).
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::sync::Arc;

fuzz_target!(|data: &[u8]| {
    let display: Arc<str> = Arc::from("fuzz.export");
    let mut n = 0u64;
    if let Ok(s) = logautopsy::input::journal::read_export(&mut &data[..], &display, &mut |_| n += 1) {
        assert_eq!(s.entries, n);
        assert_eq!(s.bytes, data.len() as u64);
        assert!(s.warnings.len() <= 1);
    }
});
