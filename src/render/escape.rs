//! One escaping rule for untrusted text in every text output. Log lines, journal fields and
//! file names are written by whoever controlled the server; shown raw, ESC starts terminal
//! commands (clear the screen, OSC 52 writes the clipboard, OSC 8 makes links) and U+202E
//! reorders what the reader sees. Every such character is shown as a visible escape instead:
//! C0 controls, DEL and C1 controls as `\x1b`, bidirectional and other invisible formatting
//! characters as `\u{202e}`. Text that is not affected is borrowed, not copied.

use std::borrow::Cow;
use std::io::{self, Write};

/// Characters never emitted raw.
pub fn hidden(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        // Bidi embeddings, overrides, isolates and marks: they reorder the text around them.
        | '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        // Zero-width characters that make two different names look the same.
        | '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}'
        // The private-use character the terminal's colour marker starts with (see `Visible`).
        | '\u{e000}')
}

pub fn push_escaped(o: &mut String, c: char) {
    if (c as u32) < 0x80 {
        o.push_str(&format!("\\x{:02x}", c as u32));
    } else {
        o.push_str(&format!("\\u{{{:x}}}", c as u32));
    }
}

/// `s` with every hidden character shown as an escape, line breaks included (for a field: a
/// table cell, a name, one message).
pub fn visible(s: &str) -> Cow<'_, str> {
    escape(s, false)
}

/// [`visible`] for multi-line text that is ours: line feeds stay line feeds.
pub fn visible_lines(s: &str) -> Cow<'_, str> {
    escape(s, true)
}

fn escape(s: &str, keep_lf: bool) -> Cow<'_, str> {
    let bad = |c: char| hidden(c) && !(keep_lf && c == '\n');
    if !s.chars().any(bad) {
        return Cow::Borrowed(s);
    }
    let mut o = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if bad(c) {
            push_escaped(&mut o, c);
        } else {
            o.push(c);
        }
    }
    Cow::Owned(o)
}

/// A CSV cell that a spreadsheet cannot run: a cell starting with `=`, `+`, `-`, `@`, tab or CR
/// is a formula to Excel and LibreOffice (`=HYPERLINK(…)` as a process name), so it gets a
/// leading `'`, OWASP's rule. Everything else is left as it is.
pub fn csv_cell(s: &str) -> Cow<'_, str> {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

/// A writer for text made of our layout and untrusted values (the terminal summary, the event
/// table): everything written is escaped like [`visible_lines`], except colour codes made by
/// [`Visible::sgr`]. Those start with U+E000 and a key drawn at random for each writer, so log
/// text cannot forge one: a U+E000 without the key is escaped like any hidden character.
pub struct Visible<W: Write> {
    inner: W,
    key: String,
}

impl<W: Write> Visible<W> {
    pub fn new(inner: W) -> Self {
        use std::hash::{BuildHasher, Hasher};
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(std::process::id() as u64);
        Visible {
            inner,
            key: format!("{:016x}", h.finish()),
        }
    }

    /// What this writer turns into `ESC [`: a colour code is `marker + "31m"`.
    pub fn marker(&self) -> String {
        format!("\u{e000}{}", self.key)
    }
}

impl<W: Write> Write for Visible<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        let mut out = String::with_capacity(text.len() + 8);
        let mut parts = text.split('\u{e000}');
        out.push_str(&visible_lines(parts.next().unwrap_or("")));
        for part in parts {
            match part.strip_prefix(self.key.as_str()) {
                Some(rest) => {
                    out.push_str("\x1b[");
                    out.push_str(&visible_lines(rest));
                }
                None => {
                    push_escaped(&mut out, '\u{e000}');
                    out.push_str(&visible_lines(part));
                }
            }
        }
        self.inner.write_all(out.as_bytes())?;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_characters_are_shown_not_obeyed() {
        assert_eq!(visible("plain text"), "plain text");
        assert!(matches!(visible("plain"), Cow::Borrowed(_)));
        assert_eq!(visible("a\x1b[2Jb"), "a\\x1b[2Jb");
        assert_eq!(visible("\x1b]52;c;aGk=\x07"), "\\x1b]52;c;aGk=\\x07");
        assert_eq!(visible("evil\u{202e}txt.exe"), "evil\\u{202e}txt.exe");
        assert_eq!(visible("a\nb\tc\r"), "a\\x0ab\\x09c\\x0d");
        assert_eq!(visible_lines("a\nb\u{9b}"), "a\nb\\u{9b}");
        assert_eq!(visible("zero\u{200b}width"), "zero\\u{200b}width");
    }

    #[test]
    fn csv_cells_never_start_a_formula() {
        for f in [
            "=HYPERLINK(\"http://x\")",
            "+1",
            "-2+3",
            "@SUM(A1)",
            "\tx",
            "\rx",
        ] {
            assert_eq!(csv_cell(f), format!("'{f}"));
        }
        assert_eq!(csv_cell("gunicorn"), "gunicorn");
        assert_eq!(csv_cell("a=b"), "a=b");
    }

    #[test]
    fn only_the_writers_own_colour_codes_pass() {
        let mut v = Visible::new(Vec::new());
        let red = format!("{}31m", v.marker());
        let reset = format!("{}0m", v.marker());
        let forged = "\u{e000}0000000000000000[31m";
        writeln!(v, "{red}CRITICAL{reset} host\x1b[2J {forged}").unwrap();
        let out = String::from_utf8(v.inner).unwrap();
        assert_eq!(
            out,
            "\x1b[31mCRITICAL\x1b[0m host\\x1b[2J \\u{e000}0000000000000000[31m\n"
        );
    }
}
