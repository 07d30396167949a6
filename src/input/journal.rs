//! Binary systemd journals and journalctl export/JSON (being written).
