//! Lines that fit the terminal: a writer that breaks every line longer than the width at
//! spaces, continuing with a hanging indent (the line's own indent plus four), so a chain step
//! or a recommendation stays one readable block at 80 columns. Colour codes (`ESC [ … m`, the
//! only raw ESC `escape::Visible` lets through) take no width. A word longer than the line —
//! a path, a command — is never cut: it keeps its own line, so it can still be copied.

use std::io::{self, Write};

pub struct Wrap<W: Write> {
    inner: W,
    width: usize,
    line: Vec<u8>,
}

impl<W: Write> Wrap<W> {
    /// `width` 0 means no wrapping.
    pub fn new(inner: W, width: usize) -> Self {
        Wrap {
            inner,
            width,
            line: Vec::new(),
        }
    }

    fn emit(&mut self) -> io::Result<()> {
        let line = String::from_utf8_lossy(&self.line).into_owned();
        self.line.clear();
        for l in wrap(&line, self.width) {
            self.inner.write_all(l.as_bytes())?;
            self.inner.write_all(b"\n")?;
        }
        Ok(())
    }
}

impl<W: Write> Write for Wrap<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut rest = buf;
        while let Some(i) = memchr::memchr(b'\n', rest) {
            self.line.extend_from_slice(&rest[..i]);
            self.emit()?;
            rest = &rest[i + 1..];
        }
        self.line.extend_from_slice(rest);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        if !self.line.is_empty() {
            let line = String::from_utf8_lossy(&self.line).into_owned();
            self.line.clear();
            let out = wrap(&line, self.width).join("\n");
            self.inner.write_all(out.as_bytes())?;
        }
        self.inner.flush()
    }
}

/// Display width: characters, without colour codes.
fn width_of(s: &str) -> usize {
    let mut n = 0;
    let mut in_code = false;
    for c in s.chars() {
        match (in_code, c) {
            (false, '\x1b') => in_code = true,
            (true, 'm') => in_code = false,
            (true, _) => {}
            (false, _) => n += 1,
        }
    }
    n
}

/// `line` as lines of at most `width` (words permitting).
pub fn wrap(line: &str, width: usize) -> Vec<String> {
    if width == 0 || width_of(line) <= width {
        return vec![line.to_string()];
    }
    let indent = line.len() - line.trim_start_matches(' ').len();
    let hang = " ".repeat((indent + 4).min(width / 2));
    let mut out = Vec::new();
    let mut cur = line[..indent].to_string();
    let mut cur_w = indent;
    let mut fresh = true;
    // Runs of spaces inside a line are layout (aligned columns): kept while they fit.
    for word in line[indent..].split(' ') {
        let w = width_of(word);
        if !fresh && cur_w + 1 + w > width {
            out.push(cur.trim_end().to_string());
            cur = hang.clone();
            cur_w = hang.len();
            fresh = true;
            if word.is_empty() {
                continue;
            }
        }
        if !fresh {
            cur.push(' ');
            cur_w += 1;
        }
        cur.push_str(word);
        cur_w += w;
        fresh = false;
    }
    out.push(cur.trim_end().to_string());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_wrap_with_a_hanging_indent_and_paths_stay_whole() {
        let l = "    OOM killer killed python3 1512 (frappe-bench-frappe-short-worker-0) at 2025-09-26 21:14:09 UTC";
        let w = wrap(l, 48);
        assert!(w.iter().all(|x| width_of(x) <= 48), "{w:#?}");
        assert_eq!(w[0], "    OOM killer killed python3 1512");
        assert!(w[1].starts_with("        (frappe"), "{w:#?}");
        assert_eq!(
            w.join(" ").split_whitespace().collect::<Vec<_>>(),
            l.split_whitespace().collect::<Vec<_>>()
        );
        let path = "  x /a/very/long/path/that/does/not/fit/in/twenty/columns.log:12";
        let w = wrap(path, 20);
        assert_eq!(
            w,
            [
                "  x",
                "      /a/very/long/path/that/does/not/fit/in/twenty/columns.log:12"
            ]
        );
        assert_eq!(wrap("short", 80), ["short"]);
        // Colour codes take no width.
        let red = "\x1b[31mCRITICAL\x1b[0m i1";
        assert_eq!(wrap(red, 11), [red]);
    }
}
