//! Inputs: finding files (`discover`), sniffing their format from content (`sniff`),
//! decompressing, and reading them in bounded pieces of whole lines (`chunk`). Binary journals
//! and journalctl export/JSON are read by `journal`; event Parquet written by
//! `logautopsy extract` by `parquet`.

pub mod archive;
pub mod chunk;
pub mod discover;
pub mod journal;
pub mod parquet;
pub mod sniff;
pub mod stream;

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

/// Open a source, decompress it (gzip, xz, zstd, bzip2; multi-member too), and sniff what it
/// holds. `max_expand` bounds the decompressed size (`stream::open`).
pub fn open(src: &Source, max_expand: u64) -> Result<Opened> {
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
            Source::Member { .. } => {
                return Err(Error::Input {
                    path: src.display().into(),
                    msg: "an archive member is read with its archive (input::archive)".into(),
                })
            }
        };
    let len = (file_bytes > 0).then_some(file_bytes);
    let (reader, sn) = stream::open(raw, len, max_expand).map_err(|e| Error::Input {
        path: path.into(),
        msg: format!("cannot read: {e}"),
    })?;
    Ok(Opened {
        reader: Box::new(reader),
        kind: sn.kind,
        compression: sn.compression,
        file_bytes,
        mtime,
        gzip_mtime: sn
            .gzip_mtime
            .and_then(|t| DateTime::<Utc>::from_timestamp(t, 0)),
        head: sn.head,
        cr_only: sn.cr_only,
    })
}
