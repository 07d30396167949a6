//! One way to turn raw bytes into a log stream, for a file, stdin, a pipe or an archive member:
//! detect the compression by magic bytes (gzip, xz, zstd, bzip2), decompress, stop at a bound
//! on how much a small input may expand to, sniff the first decompressed bytes, and read CR-only
//! line endings as LF. Generic over the raw reader, so a file's stream stays `Send` while an
//! archive member's borrows its archive.

use super::sniff::{self, Compression, Kind};
use std::io::{self, BufReader, Chain, Cursor, Read};

/// Decompressed output is allowed at least this much, whatever the ratio.
pub const EXPAND_FLOOR: u64 = 64 << 20;
pub use crate::config::DEFAULT_MAX_EXPAND;

/// What the first bytes of a stream said.
#[derive(Clone, Debug)]
pub struct Sniffed {
    pub kind: Kind,
    pub compression: Compression,
    /// A gzip header's MTIME.
    pub gzip_mtime: Option<i64>,
    /// The first decompressed bytes (CR-only endings already read as LF).
    pub head: Vec<u8>,
    /// Lines end with CR alone; the stream reads them as LF.
    pub cr_only: bool,
}

/// The decompressed stream: `head`, then the rest, as one reader.
pub type Stream<R> = Chain<Cursor<Vec<u8>>, CrAsLf<Limited<Decoded<Chain<Cursor<Vec<u8>>, R>>>>>;

/// Open `raw` as a log stream. `compressed_len` (a file's size, a member's size) bounds the
/// expansion at `max_expand` times it; `None` (stdin) does not bound it: a stream is read in
/// bounded memory anyway, and only a stored copy (a spooled journal) could fill a disk.
pub fn open<R: Read>(
    mut raw: R,
    compressed_len: Option<u64>,
    max_expand: u64,
) -> io::Result<(Stream<R>, Sniffed)> {
    let mut magic = Vec::with_capacity(16);
    (&mut raw).take(16).read_to_end(&mut magic)?;
    let compression = sniff::compression(&magic);
    let gzip_mtime = sniff::gzip_mtime(&magic);
    let raw = Cursor::new(magic).chain(raw);
    let decoded = match compression {
        Compression::None => Decoded::Plain(raw),
        Compression::Gzip => Decoded::Gzip(GzMembers::new(BufReader::new(raw))),
        Compression::Xz => Decoded::Xz(xz2::bufread::XzDecoder::new_multi_decoder(BufReader::new(
            raw,
        ))),
        Compression::Zstd => Decoded::Zstd(zstd::stream::read::Decoder::new(raw)?),
        Compression::Bzip2 => Decoded::Bzip2(bzip2::read::MultiBzDecoder::new(raw)),
    };
    let cap = match (compression, compressed_len) {
        (Compression::None, _) | (_, None) => None,
        (_, Some(n)) => Some(EXPAND_FLOOR.max(n.saturating_mul(max_expand))),
    };
    let mut reader = Limited {
        inner: decoded,
        left: cap.unwrap_or(u64::MAX),
        cap,
        ratio: max_expand,
    };
    // A stream broken within its first bytes still gets sniffed on what was decoded.
    let mut head = Vec::new();
    let head_err = (&mut reader)
        .take(sniff::HEAD as u64)
        .read_to_end(&mut head)
        .err();
    if let Some(e) = head_err {
        if head.is_empty() {
            return Err(e);
        }
    }
    let mut kind = sniff::kind(&head);
    // Text whose lines end with CR alone reads as one long line; read CR as LF when that makes
    // it a log this tool knows (never for a binary journal or Parquet, whose bytes hold CRs).
    let mut cr_only = false;
    if matches!(kind, Kind::Text(_) | Kind::Unsupported(_)) && sniff::cr_only(&head) {
        let lf: Vec<u8> = head
            .iter()
            .map(|&b| if b == b'\r' { b'\n' } else { b })
            .collect();
        if let k @ Kind::Text(_) = sniff::kind(&lf) {
            (kind, head, cr_only) = (k, lf, true);
        }
    }
    let stream = Cursor::new(head.clone()).chain(CrAsLf {
        inner: reader,
        on: cr_only,
    });
    Ok((
        stream,
        Sniffed {
            kind,
            compression,
            gzip_mtime,
            head,
            cr_only,
        },
    ))
}

/// The decompressor for one compression.
pub enum Decoded<R: Read> {
    Plain(R),
    Gzip(GzMembers<BufReader<R>>),
    Xz(xz2::bufread::XzDecoder<BufReader<R>>),
    Zstd(zstd::stream::read::Decoder<'static, BufReader<R>>),
    Bzip2(bzip2::read::MultiBzDecoder<R>),
}

impl<R: Read> Read for Decoded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Decoded::Plain(r) => r.read(buf),
            Decoded::Gzip(r) => r.read(buf),
            Decoded::Xz(r) => r.read(buf),
            Decoded::Zstd(r) => r.read(buf),
            Decoded::Bzip2(r) => r.read(buf),
        }
    }
}

/// `inner` bounded at `max_expand` times `compressed_len` (at least `EXPAND_FLOOR`), and at
/// most `budget`: for a reader that decompresses by itself (a zip member, whose archive has a
/// budget of its own).
pub fn limited<R: Read>(inner: R, compressed_len: u64, max_expand: u64, budget: u64) -> Limited<R> {
    let cap = EXPAND_FLOOR
        .max(compressed_len.saturating_mul(max_expand))
        .min(budget);
    Limited {
        inner,
        left: cap,
        cap: Some(cap),
        ratio: max_expand,
    }
}

/// Output past the expansion bound is an error that says so (the data before it is kept).
pub struct Limited<R> {
    inner: R,
    left: u64,
    cap: Option<u64>,
    ratio: u64,
}

impl<R> Limited<R> {
    /// Bytes let through so far.
    pub fn used(&self) -> u64 {
        self.cap.map_or(0, |c| c - self.left)
    }
}

impl<R: Read> Read for Limited<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.left == 0 && !buf.is_empty() {
            // Past the bound only if there is more: a stream that ends exactly there is whole.
            let mut probe = [0u8; 1];
            if self.inner.read(&mut probe)? == 0 {
                return Ok(0);
            }
            return Err(io::Error::other(format!(
                "decompressed past {} MiB, more than {}× its compressed size (a decompression bomb?): stopped there; pass --max-expand to read on",
                self.cap.unwrap_or(0) >> 20,
                self.ratio
            )));
        }
        let want = buf.len().min(self.left.min(usize::MAX as u64) as usize);
        let n = self.inner.read(&mut buf[..want])?;
        self.left -= n as u64;
        Ok(n)
    }
}

/// CR as LF, for files whose lines end with CR alone (`sniff::cr_only`).
pub struct CrAsLf<R> {
    inner: R,
    on: bool,
}

impl<R: Read> Read for CrAsLf<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if self.on {
            for b in &mut buf[..n] {
                if *b == b'\r' {
                    *b = b'\n';
                }
            }
        }
        Ok(n)
    }
}

/// Every member of a gzip stream, as `gzip -d` reads them, zero bytes after a member included:
/// a crash or a block device pads the end of a file with NULs, which `MultiGzDecoder` takes for
/// a broken next header and fails the whole stream on.
pub struct GzMembers<R: io::BufRead> {
    member: Option<flate2::bufread::GzDecoder<R>>,
}

impl<R: io::BufRead> GzMembers<R> {
    fn new(r: R) -> Self {
        GzMembers {
            member: Some(flate2::bufread::GzDecoder::new(r)),
        }
    }
}

impl<R: io::BufRead> Read for GzMembers<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let Some(m) = self.member.as_mut() else {
                return Ok(0);
            };
            let n = m.read(buf)?;
            if n > 0 || buf.is_empty() {
                return Ok(n);
            }
            // The member ended: skip zero padding, then start the next member, if any.
            let Some(mut r) = self.member.take().map(|m| m.into_inner()) else {
                return Ok(0);
            };
            loop {
                let rest = r.fill_buf()?;
                if rest.is_empty() {
                    return Ok(0);
                }
                let zeros = rest.iter().take_while(|&&b| b == 0).count();
                let all = zeros == rest.len();
                r.consume(zeros);
                if !all {
                    break;
                }
            }
            self.member = Some(flate2::bufread::GzDecoder::new(r));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(bytes: &[u8]) -> (Sniffed, io::Result<Vec<u8>>) {
        let (mut s, sn) = open(bytes, Some(bytes.len() as u64), DEFAULT_MAX_EXPAND).unwrap();
        let mut out = Vec::new();
        let r = s.read_to_end(&mut out).map(|_| out);
        (sn, r)
    }

    const LOG: &[u8] =
        b"Sep 27 09:47:12 web3 kernel: [1.0] hello\nSep 27 09:47:13 web3 kernel: [2.0] again\n";

    #[test]
    fn every_compression_reads_like_plain_text() {
        let gz = {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            io::Write::write_all(&mut e, LOG).unwrap();
            e.finish().unwrap()
        };
        let xz = {
            let mut e = xz2::write::XzEncoder::new(Vec::new(), 6);
            io::Write::write_all(&mut e, LOG).unwrap();
            e.finish().unwrap()
        };
        let zst = zstd::encode_all(LOG, 3).unwrap();
        let bz = {
            let mut e = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
            io::Write::write_all(&mut e, LOG).unwrap();
            e.finish().unwrap()
        };
        for (name, c, bytes) in [
            ("plain", Compression::None, LOG.to_vec()),
            ("gzip", Compression::Gzip, gz),
            ("xz", Compression::Xz, xz),
            ("zstd", Compression::Zstd, zst),
            ("bzip2", Compression::Bzip2, bz),
        ] {
            let (sn, out) = read_all(&bytes);
            assert_eq!(sn.compression, c, "{name}");
            assert!(matches!(sn.kind, Kind::Text(_)), "{name}: {:?}", sn.kind);
            assert_eq!(out.unwrap(), LOG, "{name}");
        }
    }

    #[test]
    fn a_bomb_stops_at_the_bound_with_what_was_read() {
        let mut body = LOG.to_vec();
        body.resize(100 << 20, b'\n');
        let gz = {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
            io::Write::write_all(&mut e, &body).unwrap();
            e.finish().unwrap()
        };
        assert!(gz.len() * 500 < body.len());
        let (mut s, _) = open(&gz[..], Some(gz.len() as u64), DEFAULT_MAX_EXPAND).unwrap();
        let mut out = Vec::new();
        let e = s.read_to_end(&mut out).unwrap_err();
        assert!(e.to_string().contains("decompression bomb"), "{e}");
        assert_eq!(out.len() as u64, EXPAND_FLOOR);
        assert!(out.starts_with(LOG));
        // Raised bound: read whole.
        let (mut s, _) = open(&gz[..], Some(gz.len() as u64), 1_000_000).unwrap();
        let mut out = Vec::new();
        s.read_to_end(&mut out).unwrap();
        assert_eq!(out.len(), body.len());
    }
}
