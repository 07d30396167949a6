//! Bounded reading in pieces of whole lines. `LineChunker` turns any reader (a file, a range of
//! a file, a gzip stream, stdin) into buffers of complete lines of about `READ` bytes, so memory
//! never grows with the input. `READ` is small enough that a buffer is still in cache when the
//! scanner searches it (measured: 4 MiB buffers spent more time copying than searching). A
//! buffer grows only for a long line, up to `MAX_LINE`; a longer line is cut: its first
//! `MAX_LINE` bytes are scanned as one line, the rest is skipped and counted in `overlong`.
//!
//! Ranges make big plain files parallel: the range `[start, end)` owns exactly the lines that
//! *start* inside it, so the ranges of a file together see every line once.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;

/// Size of one read: a buffer of lines.
pub const READ: usize = 256 * 1024;
/// The longest line that is scanned whole.
pub const MAX_LINE: usize = 4 * 1024 * 1024;

pub struct LineChunker<R: Read> {
    r: R,
    buf: Vec<u8>,
    /// Valid, not yet returned data is `buf[start..end]`.
    start: usize,
    end: usize,
    eof: bool,
    done: bool,
    /// Offset (from where reading began) of `buf[start]`.
    pos: u64,
    /// Only lines starting before this offset are returned.
    limit: u64,
    /// Discarding the rest of an overlong line (or, for a range, the line owned by the range
    /// before) up to and including the next newline.
    skipping: bool,
    /// Lines longer than `MAX_LINE`, cut.
    pub overlong: u64,
    /// A read error met; the data before it was returned.
    pub error: Option<io::Error>,
    /// Bytes read from `r`.
    pub bytes_read: u64,
}

impl<R: Read> LineChunker<R> {
    pub fn new(r: R) -> Self {
        LineChunker {
            r,
            buf: vec![0; READ],
            start: 0,
            end: 0,
            eof: false,
            done: false,
            pos: 0,
            limit: u64::MAX,
            skipping: false,
            overlong: 0,
            error: None,
            bytes_read: 0,
        }
    }

    fn fill(&mut self) {
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        while self.end < self.buf.len() && !self.eof {
            match self.r.read(&mut self.buf[self.end..]) {
                Ok(0) => self.eof = true,
                Ok(n) => {
                    self.end += n;
                    self.bytes_read += n as u64;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.error = Some(e);
                    self.eof = true;
                }
            }
        }
    }

    fn advance(&mut self, n: usize) {
        self.start += n;
        self.pos += n as u64;
    }

    /// The next buffer of whole lines (the last may lack its newline), or `None` at the end.
    pub fn next_chunk(&mut self) -> Option<&[u8]> {
        loop {
            if self.done {
                return None;
            }
            if self.start == self.end || self.skipping || !self.has_newline() {
                self.fill();
            }
            if self.skipping {
                match memchr::memchr(b'\n', &self.buf[self.start..self.end]) {
                    Some(i) => {
                        self.advance(i + 1);
                        self.skipping = false;
                    }
                    None => {
                        let n = self.end - self.start;
                        self.advance(n);
                        if self.eof {
                            self.done = true;
                        }
                        continue;
                    }
                }
            }
            if self.pos >= self.limit || (self.start == self.end && self.eof) {
                self.done = true;
                return None;
            }
            let data = &self.buf[self.start..self.end];
            // Past the range's end: stop after the line holding byte `limit - 1`.
            let cut = if self.pos + data.len() as u64 >= self.limit {
                let from = (self.limit - 1 - self.pos) as usize;
                memchr::memchr(b'\n', &data[from..]).map(|i| from + i + 1)
            } else {
                None
            };
            let (take, finished) = match cut {
                Some(n) => (n, true),
                None => match memchr::memrchr(b'\n', data) {
                    Some(i) if self.pos + (data.len() as u64) < self.limit => (i + 1, false),
                    _ if self.eof => (data.len(), true),
                    _ if self.start > 0 || self.end < self.buf.len() => {
                        // Room left: read more before deciding.
                        self.fill();
                        continue;
                    }
                    _ if self.buf.len() < MAX_LINE => {
                        // A long line: grow the buffer (up to MAX_LINE) and read on.
                        let n = (self.buf.len() * 2).min(MAX_LINE);
                        self.buf.resize(n, 0);
                        self.fill();
                        continue;
                    }
                    _ => {
                        // A full buffer without a newline: an overlong line.
                        self.overlong += 1;
                        self.skipping = true;
                        (data.len(), false)
                    }
                },
            };
            if finished {
                self.done = true;
            }
            let s = self.start;
            self.advance(take);
            return Some(&self.buf[s..s + take]);
        }
    }

    fn has_newline(&self) -> bool {
        memchr::memchr(b'\n', &self.buf[self.start..self.end]).is_some()
    }
}

/// A chunker over the lines of `path` that start in `[start, end)`.
pub fn range_chunker(path: &Path, start: u64, end: u64) -> io::Result<LineChunker<io::Take<File>>> {
    let mut f = File::open(path)?;
    let from = start.saturating_sub(1);
    f.seek(SeekFrom::Start(from))?;
    // Read a little past `end` so the last line can be completed; overlong tails are cut anyway.
    let mut c = LineChunker::new(f.take(end - from + MAX_LINE as u64));
    c.limit = end - from;
    // The line holding byte `start - 1` belongs to the range before (or, when that byte is a
    // newline, ends there): skip through the first newline.
    c.skipping = start > 0;
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_lines<R: Read>(mut c: LineChunker<R>) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        while let Some(chunk) = c.next_chunk() {
            let mut rest = chunk;
            while !rest.is_empty() {
                let n = memchr::memchr(b'\n', rest)
                    .map(|i| i + 1)
                    .unwrap_or(rest.len());
                out.push(rest[..n].to_vec());
                rest = &rest[n..];
            }
        }
        out
    }

    #[test]
    fn ranges_partition_lines_exactly() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("f");
        let mut text = String::new();
        for i in 0..5000 {
            text.push_str(&format!("line {i} {}\n", "x".repeat(i % 37)));
        }
        text.push_str("last line without newline");
        std::fs::write(&p, &text).unwrap();
        let len = text.len() as u64;
        for parts in [1u64, 2, 3, 7, 64, 999] {
            let mut got = Vec::new();
            for k in 0..parts {
                let (s, e) = (len * k / parts, len * (k + 1) / parts);
                got.extend(all_lines(range_chunker(&p, s, e).unwrap()));
            }
            let joined: Vec<u8> = got.concat();
            assert_eq!(joined, text.as_bytes(), "parts={parts}");
            assert_eq!(got.len(), 5001);
        }
    }

    #[test]
    fn overlong_lines_are_cut_and_counted() {
        let mut data = vec![b'a'; MAX_LINE * 2 + 10];
        data.push(b'\n');
        data.extend_from_slice(b"next\n");
        let mut c = LineChunker::new(&data[..]);
        let first = c.next_chunk().unwrap().to_vec();
        assert_eq!(first.len(), MAX_LINE);
        let second = c.next_chunk().unwrap().to_vec();
        assert_eq!(second, b"next\n");
        assert!(c.next_chunk().is_none());
        assert_eq!(c.overlong, 1);
    }

    #[test]
    fn crlf_and_missing_final_newline_survive() {
        let lines = all_lines(LineChunker::new(&b"a\r\nb\r\nc"[..]));
        assert_eq!(
            lines,
            vec![b"a\r\n".to_vec(), b"b\r\n".to_vec(), b"c".to_vec()]
        );
        assert!(all_lines(LineChunker::new(&b""[..])).is_empty());
    }
}
