//! Parsing a line's envelope into a `Record`: RFC 3164, RFC 3339, RFC 5424, journalctl's short
//! family, supervisord.log and dmesg; year and zone policy for lines that lack them.

mod record;
pub use record::{JournalFields, Record};
