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
            Box::new(flate2::read::MultiGzDecoder::new(raw)),
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
    let kind = sniff::kind(&head);
    let reader: Box<dyn Read + Send> = Box::new(io::Cursor::new(head.clone()).chain(reader));
    Ok(Opened {
        reader,
        kind,
        compression,
        file_bytes,
        mtime,
        gzip_mtime,
        head,
    })
}
