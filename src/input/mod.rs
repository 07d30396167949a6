//! Inputs: finding files (`discover`), sniffing their format from content (`sniff`),
//! decompressing, and reading them in bounded pieces of whole lines (`chunk`). Binary journals
//! and journalctl export/JSON are read by `journal`; event Parquet written by
//! `logautopsy extract` by `parquet`.

pub mod chunk;
pub mod discover;
pub mod journal;
pub mod parquet;
pub mod sniff;

use crate::model::{Error, Result};
use chrono::{DateTime, Utc};
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

pub use discover::{discover, Source};
pub use sniff::{Compression, Kind};

/// An opened input: its decompressed stream (starting with `head`) and what was learned
/// before reading it.
pub struct Opened {
    pub reader: Box<dyn Read + Send>,
    pub kind: Kind,
    pub compression: Compression,
    /// On-disk size (0 for stdin).
    pub file_bytes: u64,
    pub mtime: Option<DateTime<Utc>>,
    pub gzip_mtime: Option<DateTime<Utc>>,
    /// First decompressed bytes, for host sniffing.
    pub head: Vec<u8>,
    /// Lines end with CR alone; the stream reads them as LF.
    pub cr_only: bool,
}

/// Every member of a gzip stream, as `gzip -d` reads them, zero bytes after a member included:
/// a crash or a block device pads the end of a file with NULs, which `MultiGzDecoder` takes for
/// a broken next header and fails the whole stream on.
struct GzMembers<R: io::BufRead> {
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
            let mut r = self
                .member
                .take()
                .map(|m| m.into_inner())
                .expect("a member");
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

/// CR as LF, for files whose lines end with CR alone (`sniff::cr_only`).
struct CrAsLf<R>(R);

impl<R: Read> Read for CrAsLf<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.0.read(buf)?;
        for b in &mut buf[..n] {
            if *b == b'\r' {
                *b = b'\n';
            }
        }
        Ok(n)
    }
}

fn read_head(r: &mut dyn Read, n: usize) -> io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(n);
    r.take(n as u64).read_to_end(&mut head)?;
    Ok(head)
}

/// Open a source, decompress gzip (multi-member too), and sniff what it holds.
pub fn open(src: &Source) -> Result<Opened> {
    let (raw, file_bytes, mtime, path): (Box<dyn Read + Send>, u64, Option<DateTime<Utc>>, &Path) =
        match src {
            Source::Stdin => (Box::new(io::stdin()), 0, None, Path::new("-")),
            Source::File { path, .. } => {
                let f = File::open(path).map_err(|e| Error::io(path, e))?;
                let md = f.metadata().map_err(|e| Error::io(path, e))?;
                (
                    Box::new(f),
                    md.len(),
                    md.modified().ok().map(DateTime::<Utc>::from),
                    path.as_path(),
                )
            }
        };
    let mut raw = raw;
    let magic = read_head(&mut raw, 10).map_err(|e| Error::io(path, e))?;
    let compression = sniff::compression(&magic);
    let raw: Box<dyn Read + Send> = Box::new(io::Cursor::new(magic.clone()).chain(raw));
    let (mut reader, gzip_mtime): (Box<dyn Read + Send>, _) = match compression {
        Compression::Gzip => (
            Box::new(GzMembers::new(io::BufReader::new(raw))),
            sniff::gzip_mtime(&magic).and_then(|t| DateTime::<Utc>::from_timestamp(t, 0)),
        ),
        Compression::None => (raw, None),
    };
    // A gzip stream broken within its first bytes still gets sniffed on what was decoded.
    let mut head = Vec::new();
    let head_err = {
        let mut lim = (&mut reader).take(sniff::HEAD as u64);
        lim.read_to_end(&mut head).err()
    };
    if let Some(e) = head_err {
        if head.is_empty() {
            return Err(Error::Input {
                path: path.into(),
                msg: format!("cannot read: {e}"),
            });
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
    let reader: Box<dyn Read + Send> = if cr_only {
        Box::new(CrAsLf(reader))
    } else {
        reader
    };
    let reader: Box<dyn Read + Send> = Box::new(io::Cursor::new(head.clone()).chain(reader));
    Ok(Opened {
        reader,
        kind,
        compression,
        file_bytes,
        mtime,
        gzip_mtime,
        head,
        cr_only,
    })
}
