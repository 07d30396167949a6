//! Reader of binary journal files (`*.journal`, `*.journal~`), written from the documented
//! format (<https://systemd.io/JOURNAL_FILE_FORMAT/>) rather than wrapped from a crate, so that
//! every read is bounds-checked against the real file size, memory is a fixed block cache, a
//! bounded memo of shared data objects and one capped field, work per file is budgeted, and
//! damage degrades to "fewer entries and a warning".
//!
//! How entries are found: first the way journalctl does, by walking the chain of entry arrays
//! from the header (entry offsets must strictly increase, which also makes a looping chain
//! impossible); then, if that chain breaks or yields fewer entries than the header counts, by
//! scanning the objects that follow the last good entry, which recovers the entries of
//! truncated copies and of files whose arrays were never written. Hash tables are never used,
//! so keyed (siphash) and old (jenkins) files read alike. Both walks move strictly forward
//! through a file of known size: a corrupt file ends, it cannot loop.

use super::{kept_name, lz4, wanted, EntryFields, JournalSummary, Notes, MAX_FIELD};
use crate::model::{Error, Result};
use crate::parse::Record;
use std::collections::HashMap;
use std::fs::File;
use std::hash::{BuildHasherDefault, Hasher};
use std::io;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

const SIGNATURE: &[u8; 8] = b"LPKSHHRH";
/// Header bytes this reader needs (through `tail_entry_monotonic`); older files have exactly these.
const HEADER_MIN: u64 = 208;

const INCOMPAT_XZ: u32 = 1 << 0;
const INCOMPAT_LZ4: u32 = 1 << 1;
// KEYED_HASH (1 << 2) only changes how hash tables are keyed; this reader never uses them.
#[allow(dead_code)]
const INCOMPAT_KEYED_HASH: u32 = 1 << 2;
const INCOMPAT_ZSTD: u32 = 1 << 3;
const INCOMPAT_COMPACT: u32 = 1 << 4;
const INCOMPAT_KNOWN: u32 = 0x1f;

const OBJ_XZ: u8 = 1 << 0;
const OBJ_LZ4: u8 = 1 << 1;
const OBJ_ZSTD: u8 = 1 << 2;

const OBJ_DATA: u8 = 1;
const OBJ_ENTRY: u8 = 3;
const OBJ_ENTRY_ARRAY: u8 = 6;
const OBJ_MAX: u8 = 7;

/// An entry with more items than this is treated as damaged: real entries have tens of
/// fields, and the bound keeps one corrupt size from costing seconds.
const MAX_ITEMS: u64 = 16 * 1024;
/// Compressed bytes of one object fed to a decompressor: plenty for [`MAX_FIELD`] of output.
const MAX_COMPRESSED_IN: usize = 1 << 20;
/// Compressed bytes read to learn a compressed field's name.
const PROBE_IN: usize = 132 * 1024;
/// Work budget per file, in bytes copied or decompressed for large and compressed fields:
/// `BUDGET_PER_BYTE` × file size + `BUDGET_BASE`. Entries may reference the same big object
/// again and again, so without it a small hostile file could cost minutes (journalctl has no
/// such bound). Real journals use a fraction: a compressed object is referenced by few
/// entries and its output is capped at [`MAX_FIELD`].
const BUDGET_PER_BYTE: u64 = 8;
const BUDGET_BASE: u64 = 64 << 20;
/// XZ decodes ~20× slower than zstd; its output is charged accordingly.
const XZ_COST: u64 = 16;
/// liblzma's memory limit for one XZ object (systemd's presets need ~9 MiB).
const XZ_MEMLIMIT: u64 = 64 << 20;
/// zstd window limit (2^27 = 128 MiB is far above what journald's per-field frames use,
/// 2^24 keeps one corrupt frame from asking for more than 16 MiB).
const ZSTD_WINDOW_LOG_MAX: u32 = 24;

/// Random access to a journal's bytes: a file, or a byte slice in tests and fuzzing.
pub trait ReadAt {
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize>;
}

impl ReadAt for File {
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        FileExt::read_at(self, buf, offset)
    }
}

/// A journal held in memory.
pub struct Bytes<'a>(pub &'a [u8]);

impl ReadAt for Bytes<'_> {
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        let b = self.0;
        let start = usize::try_from(offset).unwrap_or(usize::MAX).min(b.len());
        let n = buf.len().min(b.len() - start);
        buf[..n].copy_from_slice(&b[start..start + n]);
        Ok(n)
    }
}

fn read_full(src: &dyn ReadAt, buf: &mut [u8], mut off: u64) -> io::Result<()> {
    let mut done = 0;
    while done < buf.len() {
        match src.read_at(&mut buf[done..], off) {
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => {
                done += n;
                off += n as u64;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

const BLOCK: usize = 64 * 1024;
const SLOTS: usize = 128;

/// A direct-mapped cache of 64 KiB blocks (8 MiB per file being read). Entries point at data
/// objects written shortly before them, and hot objects (`_HOSTNAME=`, `_BOOT_ID=`) are reused
/// constantly, so nearly every lookup hits while memory stays fixed whatever the file size.
struct Cache<'a> {
    src: &'a dyn ReadAt,
    len: u64,
    tags: Vec<u64>,
    data: Vec<u8>,
    scratch: Vec<u8>,
    io_error: Option<io::Error>,
}

impl<'a> Cache<'a> {
    fn new(src: &'a dyn ReadAt, len: u64) -> Self {
        let slots = (len as usize).div_ceil(BLOCK).clamp(1, SLOTS);
        Cache {
            src,
            len,
            tags: vec![u64::MAX; slots],
            data: vec![0; slots * BLOCK],
            scratch: Vec::new(),
            io_error: None,
        }
    }

    /// `n` bytes at `off`, or `None` when they lie (partly) outside the file or cannot be read.
    fn get(&mut self, off: u64, n: usize) -> Option<&[u8]> {
        let end = off.checked_add(n as u64)?;
        if end > self.len {
            return None;
        }
        let block = off / BLOCK as u64;
        let inner = (off % BLOCK as u64) as usize;
        if inner + n <= BLOCK {
            let slot = (block % self.tags.len() as u64) as usize;
            let base = slot * BLOCK;
            if self.tags[slot] != block {
                let start = block * BLOCK as u64;
                let blen = (self.len - start).min(BLOCK as u64) as usize;
                if let Err(e) = read_full(self.src, &mut self.data[base..base + blen], start) {
                    self.tags[slot] = u64::MAX;
                    self.io_error.get_or_insert(e);
                    return None;
                }
                self.tags[slot] = block;
            }
            return Some(&self.data[base + inner..base + inner + n]);
        }
        // Spans blocks: rare (objects are small), read it directly.
        self.scratch.resize(n, 0);
        if let Err(e) = read_full(self.src, &mut self.scratch, off) {
            self.io_error.get_or_insert(e);
            return None;
        }
        Some(&self.scratch)
    }
}

fn le64(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"))
}
fn le32(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().expect("4 bytes"))
}
fn hex(b: &[u8]) -> String {
    const D: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(b.len() * 2);
    for &x in b {
        s.push(D[(x >> 4) as usize] as char);
        s.push(D[(x & 15) as usize] as char);
    }
    s
}
/// `n` in lowercase hex without leading zeros, as `{:x}` writes it.
fn push_hex(s: &mut String, n: u64) {
    const D: &[u8; 16] = b"0123456789abcdef";
    let digits = (64 - n.leading_zeros()).div_ceil(4).max(1);
    for i in (0..digits).rev() {
        s.push(D[((n >> (i * 4)) & 15) as usize] as char);
    }
}
fn align8(n: u64) -> Option<u64> {
    n.checked_add(7).map(|n| n & !7)
}

/// Decompressors, reused across objects of one file.
struct Decomp {
    zstd: Option<zstd::zstd_safe::DCtx<'static>>,
    out: Vec<u8>,
}

impl Decomp {
    /// Decompress at most `cap` bytes of `input` (compressed with `flags`) into `self.out`.
    /// Returns false when nothing usable came out.
    fn run(&mut self, flags: u8, input: &[u8], cap: usize) -> bool {
        self.out.clear();
        if flags & OBJ_ZSTD != 0 {
            use zstd::zstd_safe::{DCtx, DParameter, InBuffer, OutBuffer, ResetDirective};
            let dctx = self.zstd.get_or_insert_with(|| {
                let mut d = DCtx::create();
                let _ = d.set_parameter(DParameter::WindowLogMax(ZSTD_WINDOW_LOG_MAX));
                d
            });
            if dctx.reset(ResetDirective::SessionOnly).is_err() {
                return false;
            }
            self.out.resize(cap, 0);
            let mut inb = InBuffer::around(input);
            let mut produced = 0;
            // Each call consumes input or fills output; stop when neither moves.
            loop {
                let (before_in, before_out) = (inb.pos(), produced);
                let mut outb = OutBuffer::around_pos(&mut self.out[..], produced);
                let r = dctx.decompress_stream(&mut outb, &mut inb);
                produced = outb.pos();
                match r {
                    Ok(0) => break,
                    Ok(_) if produced >= cap => break,
                    Ok(_) if inb.pos() == before_in && produced == before_out => break,
                    Ok(_) => {}
                    Err(_) => break,
                }
            }
            self.out.truncate(produced);
            !self.out.is_empty()
        } else if flags & OBJ_LZ4 != 0 {
            // systemd prefixes the LZ4 block with the decompressed size (le64); we bound by cap.
            if input.len() < 8 {
                return false;
            }
            let _ = lz4::decompress_block(&input[8..], &mut self.out, cap);
            !self.out.is_empty()
        } else if flags & OBJ_XZ != 0 {
            let Ok(mut s) = xz2::stream::Stream::new_stream_decoder(XZ_MEMLIMIT, 0) else {
                return false;
            };
            self.out.resize(cap, 0);
            let mut consumed = 0usize;
            let mut produced = 0usize;
            loop {
                let (ti, to) = (s.total_in(), s.total_out());
                let r = s.process(
                    &input[consumed..],
                    &mut self.out[produced..],
                    xz2::stream::Action::Finish,
                );
                consumed = s.total_in() as usize;
                produced = s.total_out() as usize;
                match r {
                    Ok(xz2::stream::Status::StreamEnd) => break,
                    Ok(_) if produced >= cap => break,
                    Ok(_) if s.total_in() == ti && s.total_out() == to => break,
                    Ok(_) => {}
                    Err(_) => break,
                }
            }
            self.out.truncate(produced);
            !self.out.is_empty()
        } else {
            false
        }
    }
}

/// What a data object, by offset, turned out to hold. Entries share data objects (`_HOSTNAME=`,
/// `_SYSTEMD_UNIT=`, `_PID=…` of a long-running daemon, and the ~15 fields nobody keeps), so
/// remembering this skips most object reads, and the random reads to objects written long
/// before the entry are what a block cache cannot serve. Bounded by [`MEMO_MAX`].
enum Memo {
    /// A field we do not keep.
    Skip,
    /// A short kept field other than MESSAGE (messages are rarely shared).
    Field(&'static [u8], Box<[u8]>),
}

/// Entries in the memo before it is cleared (~10 MiB at most).
const MEMO_MAX: usize = 1 << 17;
/// Longest value remembered.
const MEMO_VALUE_MAX: usize = 256;

/// Hash for object offsets (multiples of 8): a multiply mixes them well enough, at a fraction
/// of SipHash's cost. Offsets come from the file, but a collision only costs time, bounded by
/// the memo's size.
#[derive(Default)]
struct OffsetHasher(u64);

impl Hasher for OffsetHasher {
    fn finish(&self) -> u64 {
        self.0 ^ (self.0 >> 29)
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ b as u64).wrapping_mul(0x100_0000_01b3);
        }
    }
    fn write_u64(&mut self, x: u64) {
        self.0 = x.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

type MemoMap = HashMap<u64, Memo, BuildHasherDefault<OffsetHasher>>;

/// Header facts the reader uses.
struct Header {
    incompat: u32,
    state: u8,
    seqnum_id: [u8; 16],
    header_size: u64,
    arena_size: u64,
    n_entries: u64,
    entry_array_offset: u64,
}

fn parse_header(h: &[u8]) -> Header {
    Header {
        incompat: le32(h, 12),
        state: h[16],
        seqnum_id: h[72..88].try_into().expect("16 bytes"),
        header_size: le64(h, 88),
        arena_size: le64(h, 96),
        n_entries: le64(h, 152),
        entry_array_offset: le64(h, 176),
    }
}

fn state_name(s: u8) -> String {
    match s {
        0 => "offline".into(),
        1 => "online".into(),
        2 => "archived".into(),
        n => format!("unknown ({n})"),
    }
}

fn compression_name(incompat: u32) -> Option<String> {
    let names: Vec<&str> = [
        (INCOMPAT_ZSTD, "zstd"),
        (INCOMPAT_LZ4, "lz4"),
        (INCOMPAT_XZ, "xz"),
    ]
    .iter()
    .filter(|(f, _)| incompat & f != 0)
    .map(|(_, n)| *n)
    .collect();
    (!names.is_empty()).then(|| names.join("+"))
}

/// Read one binary journal file; see the module doc for how damage is handled.
pub fn read_journal_file(
    path: &Path,
    display: &Arc<str>,
    sink: &mut dyn FnMut(Record),
) -> Result<JournalSummary> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let len = file.metadata().map_err(|e| Error::io(path, e))?.len();
    read_source(&file, len, path, display, sink)
}

/// [`read_journal_file`] over bytes in memory (tests, fuzzing, journals inside archives).
pub fn read_journal_bytes(
    bytes: &[u8],
    display: &Arc<str>,
    sink: &mut dyn FnMut(Record),
) -> Result<JournalSummary> {
    read_source(
        &Bytes(bytes),
        bytes.len() as u64,
        Path::new(&**display),
        display,
        sink,
    )
}

fn read_source(
    src: &dyn ReadAt,
    len: u64,
    path: &Path,
    display: &Arc<str>,
    sink: &mut dyn FnMut(Record),
) -> Result<JournalSummary> {
    let bad = |msg: String| Error::Input {
        path: PathBuf::from(path),
        msg,
    };
    let mut head = [0u8; HEADER_MIN as usize];
    if len < HEADER_MIN {
        let mut sig = [0u8; 8];
        if len >= 8 && read_full(src, &mut sig, 0).is_ok() && &sig == SIGNATURE {
            return Err(bad(format!(
                "journal file truncated inside its header ({len} bytes)"
            )));
        }
        return Err(bad("not a systemd journal file (too short)".into()));
    }
    read_full(src, &mut head, 0).map_err(|e| Error::io(path, e))?;
    if &head[..8] != SIGNATURE {
        return Err(bad(
            "not a systemd journal file (no LPKSHHRH signature)".into()
        ));
    }
    let h = parse_header(&head);
    if h.header_size < HEADER_MIN || h.header_size > len {
        return Err(bad(format!(
            "journal header is unreadable (header size {} in a file of {len} bytes)",
            h.header_size
        )));
    }
    let compact = h.incompat & INCOMPAT_COMPACT != 0;
    let mut r = Reader {
        cache: Cache::new(src, len),
        decomp: Decomp {
            zstd: None,
            out: Vec::new(),
        },
        notes: Notes::default(),
        compact,
        seqnum_id: hex(&h.seqnum_id),
        display,
        items: Vec::new(),
        memo: MemoMap::default(),
        delivered: 0,
        unreadable: 0,
        last_entry: 0,
        last_entry_end: h.header_size,
        damaged_fields: 0,
        budget: len
            .saturating_mul(BUDGET_PER_BYTE)
            .saturating_add(BUDGET_BASE),
        budget_spent: false,
    };
    if h.incompat & !INCOMPAT_KNOWN != 0 {
        r.notes.add(format!(
            "unknown incompatible flags {:#x} (a newer systemd?): read with the known layout",
            h.incompat & !INCOMPAT_KNOWN
        ));
    }
    let declared_end = h.header_size.saturating_add(h.arena_size);
    if declared_end > len {
        r.notes.add(format!("file is shorter than its header says ({len} of {declared_end} bytes; a truncated copy?)"));
    }
    // Objects are bounded by the file, not the header's arena: journalctl reads the same way,
    // and a stale arena size must not hide entries. Past the arena lies zeroed preallocation,
    // where the object scan stops by itself.
    let limit = len;

    let chain_ok = r.walk_arrays(h.entry_array_offset, limit, sink);
    // Entries beyond the chain: after damage, or when the header counts more than it reached.
    if !chain_ok || r.delivered + r.unreadable < h.n_entries {
        let before = r.delivered;
        r.scan_objects(limit, sink);
        if r.delivered > before && chain_ok {
            r.notes.add(format!(
                "{} entries were found only by scanning objects",
                r.delivered - before
            ));
        }
    }
    let seen = r.delivered + r.unreadable;
    // Each entry takes at least 64 bytes, so larger counts are themselves damage.
    if h.n_entries > seen && h.n_entries <= len / 64 {
        let missing = h.n_entries - seen;
        r.notes.add(format!(
            "the header counts {} entries, {missing} could not be read",
            h.n_entries
        ));
        r.unreadable += missing;
    } else if h.n_entries > len / 64 {
        r.notes.add(format!(
            "implausible entry count {} in the header",
            h.n_entries
        ));
    }
    if r.damaged_fields > 0 {
        r.notes.add(format!(
            "{} fields of readable entries were damaged and left out",
            r.damaged_fields
        ));
    }
    if let Some(e) = r.cache.io_error.take() {
        r.notes.add(format!("read error: {e}"));
    }
    let (delivered, unreadable) = (r.delivered, r.unreadable);
    let warnings = r.notes.into_warnings(display);
    Ok(JournalSummary {
        format: "journal",
        entries: delivered,
        unreadable,
        state: Some(state_name(h.state)),
        compression: compression_name(h.incompat),
        warnings,
        bytes: len,
    })
}

struct Reader<'a, 'd> {
    cache: Cache<'a>,
    decomp: Decomp,
    notes: Notes,
    compact: bool,
    seqnum_id: String,
    display: &'d Arc<str>,
    items: Vec<u64>,
    memo: MemoMap,
    delivered: u64,
    unreadable: u64,
    /// Offset of the last entry handled (delivered or counted unreadable); entries must come
    /// after it, which is what makes every walk finite.
    last_entry: u64,
    last_entry_end: u64,
    damaged_fields: u64,
    /// What is left of the work budget (see [`BUDGET_PER_BYTE`]).
    budget: u64,
    budget_spent: bool,
}

impl Reader<'_, '_> {
    /// Walk the entry-array chain. Returns false when it ended on damage.
    fn walk_arrays(&mut self, mut arr: u64, limit: u64, sink: &mut dyn FnMut(Record)) -> bool {
        let item = if self.compact { 4u64 } else { 8 };
        let mut prev_arr = 0u64;
        while arr != 0 {
            if arr <= prev_arr || !arr.is_multiple_of(8) || arr >= limit {
                self.notes.add(format!(
                    "entry array chain points to {arr:#x}, outside the readable file"
                ));
                return false;
            }
            let Some(hdr) = self.cache.get(arr, 24) else {
                self.notes
                    .add(format!("entry array at {arr:#x} cannot be read"));
                return false;
            };
            let (ty, size, next) = (hdr[0], le64(hdr, 8), le64(hdr, 16));
            if ty != OBJ_ENTRY_ARRAY || size < 24 || size > limit - arr {
                self.notes
                    .add(format!("object at {arr:#x} is not a valid entry array"));
                return false;
            }
            let n = (size - 24) / item;
            for i in 0..n {
                let at = arr + 24 + i * item;
                let Some(b) = self.cache.get(at, item as usize) else {
                    self.notes
                        .add(format!("entry array at {arr:#x} cannot be read"));
                    return false;
                };
                let off = if self.compact {
                    le32(b, 0) as u64
                } else {
                    le64(b, 0)
                };
                if off == 0 {
                    // Unused slots at the end of the newest array.
                    break;
                }
                if off <= self.last_entry || off >= limit {
                    self.notes.add(format!(
                        "entry array at {arr:#x} holds a bad entry offset {off:#x}"
                    ));
                    return false;
                }
                if !self.entry(off, limit, sink) {
                    return false;
                }
            }
            prev_arr = arr;
            arr = next;
        }
        true
    }

    /// Scan objects after the last handled entry and read every entry object found.
    fn scan_objects(&mut self, limit: u64, sink: &mut dyn FnMut(Record)) {
        let Some(mut pos) = align8(self.last_entry_end) else {
            return;
        };
        while pos.saturating_add(16) <= limit {
            let Some(h) = self.cache.get(pos, 16) else {
                return;
            };
            let (ty, size) = (h[0], le64(h, 8));
            if ty == 0 && size == 0 {
                // Preallocated, never-written space: the end of what journald wrote.
                return;
            }
            if ty == 0 || ty > OBJ_MAX || size < 16 || size > limit - pos {
                self.notes.add(format!(
                    "object at {pos:#x} is damaged; nothing after it can be read"
                ));
                return;
            }
            if ty == OBJ_ENTRY && pos > self.last_entry && !self.entry(pos, limit, sink) {
                return;
            }
            match align8(size).and_then(|s| pos.checked_add(s)) {
                Some(p) => pos = p,
                None => return,
            }
        }
    }

    /// Read the entry object at `off` and hand it to the sink. Returns false when the object
    /// is not an entry at all (the structure that led here is damaged).
    fn entry(&mut self, off: u64, limit: u64, sink: &mut dyn FnMut(Record)) -> bool {
        let Some(h) = self.cache.get(off, 64) else {
            self.notes.add(format!("entry at {off:#x} cannot be read"));
            return false;
        };
        let (ty, size) = (h[0], le64(h, 8));
        let item = if self.compact { 4u64 } else { 16 };
        if ty != OBJ_ENTRY || size < 64 || size > limit - off || (size - 64) / item > MAX_ITEMS {
            self.notes
                .add(format!("object at {off:#x} is not a valid entry"));
            return false;
        }
        let seqnum = le64(h, 16);
        let realtime = le64(h, 24);
        let monotonic = le64(h, 32);
        let boot = hex(&h[40..56]);
        let xor = le64(h, 56);
        self.last_entry = off;
        self.last_entry_end = off + size;
        let n = (size - 64) / item;
        self.items.clear();
        if n > 0 {
            let Some(b) = self.cache.get(off + 64, (n * item) as usize) else {
                self.unreadable += 1;
                return true;
            };
            for k in 0..n as usize {
                let o = if self.compact {
                    le32(b, k * 4) as u64
                } else {
                    le64(b, k * 16)
                };
                self.items.push(o);
            }
        }
        let mut f = EntryFields {
            realtime: Some(realtime),
            monotonic: Some(monotonic),
            ..Default::default()
        };
        let items = std::mem::take(&mut self.items);
        for &d in &items {
            match self.memo.get(&d) {
                Some(Memo::Skip) => continue,
                Some(Memo::Field(name, value)) => {
                    f.set(name, value);
                    continue;
                }
                None => {}
            }
            if self.memo.len() >= MEMO_MAX {
                self.memo.clear();
            }
            if !self.data(d, limit, &mut f) {
                self.damaged_fields += 1;
            }
        }
        self.items = items;
        // journalctl's cursor, built by hand: format! was ~4 % of the reader's time.
        let mut cursor = String::with_capacity(48 + self.seqnum_id.len() + boot.len());
        cursor.push_str("s=");
        cursor.push_str(&self.seqnum_id);
        cursor.push_str(";i=");
        push_hex(&mut cursor, seqnum);
        cursor.push_str(";b=");
        cursor.push_str(&boot);
        cursor.push_str(";m=");
        push_hex(&mut cursor, monotonic);
        cursor.push_str(";t=");
        push_hex(&mut cursor, realtime);
        cursor.push_str(";x=");
        push_hex(&mut cursor, xor);
        // After the fields: a data object posing as __CURSOR must not replace the real one.
        f.cursor = Some(cursor);
        f.boot_id = Some(boot);
        match f.into_record(self.display, String::new) {
            Some(rec) => {
                self.delivered += 1;
                sink(rec);
            }
            None => {
                self.unreadable += 1;
                self.notes
                    .add(format!("entry at {off:#x} has no valid timestamp"));
            }
        }
        true
    }

    /// Read the data object at `d` into `f` if it is a field we keep. False when damaged.
    fn data(&mut self, d: u64, limit: u64, f: &mut EntryFields) -> bool {
        let payload_at: u64 = if self.compact { 72 } else { 64 };
        let Some(h) = self.cache.get(d, 16) else {
            return false;
        };
        let (ty, flags, size) = (h[0], h[1], le64(h, 8));
        if ty != OBJ_DATA
            || !d.is_multiple_of(8)
            || size < payload_at
            || size > limit.saturating_sub(d)
        {
            return false;
        }
        let plen = size - payload_at;
        let compressed = flags & (OBJ_XZ | OBJ_LZ4 | OBJ_ZSTD);
        if compressed == 0 {
            // The name is in the first bytes: look at those, and read the value (at most what a
            // kept value can use) only for fields we keep.
            let Some(p) = self.cache.get(d + payload_at, plen.min(64) as usize) else {
                return false;
            };
            let Some(eq) = p.iter().position(|&c| c == b'=') else {
                return false;
            };
            let Some(name) = kept_name(&p[..eq]) else {
                self.memo.insert(d, Memo::Skip);
                return true;
            };
            let n = plen.min((eq + 1 + MAX_FIELD) as u64) as usize;
            if n > 64 && !self.spend(n as u64) {
                return false;
            }
            let Some(p) = self.cache.get(d + payload_at, n) else {
                return false;
            };
            let value = &p[eq + 1..];
            if name != b"MESSAGE" && value.len() <= MEMO_VALUE_MAX {
                self.memo.insert(d, Memo::Field(name, value.into()));
            }
            f.set(name, value);
            return true;
        }
        // Probe with the first block's worth of input (a zstd block is at most 128 KiB), and
        // decompress just enough to see the name; only kept fields are decompressed fully.
        let probe = plen.min(PROBE_IN as u64) as usize;
        let xz = compressed & OBJ_XZ != 0;
        if !self.spend(probe as u64 + if xz { 64 * XZ_COST } else { 64 }) {
            return false;
        }
        let Some(p) = self.cache.get(d + payload_at, probe) else {
            return false;
        };
        if !self.decomp.run(compressed, p, 64) {
            return false;
        }
        let Some(eq) = self.decomp.out.iter().position(|&c| c == b'=') else {
            return false;
        };
        if !wanted(&self.decomp.out[..eq]) {
            self.memo.insert(d, Memo::Skip);
            return true;
        }
        let n = plen.min(MAX_COMPRESSED_IN as u64) as usize;
        let out_cap = MAX_FIELD + eq + 1;
        if !self.spend(
            n as u64
                + if xz {
                    out_cap as u64 * XZ_COST
                } else {
                    out_cap as u64
                },
        ) {
            return false;
        }
        let Some(p) = self.cache.get(d + payload_at, n) else {
            return false;
        };
        if !self.decomp.run(compressed, p, out_cap) {
            return false;
        }
        let out = &self.decomp.out;
        f.set(&out[..eq], &out[eq + 1..]);
        true
    }

    /// Take `n` from the work budget; false (with one note) once it is spent.
    fn spend(&mut self, n: u64) -> bool {
        if self.budget >= n {
            self.budget -= n;
            return true;
        }
        if !self.budget_spent {
            self.budget_spent = true;
            self.notes.add(
                "too many large or compressed field references for the file's size (a damaged \
                 file?): the remaining ones were skipped"
                    .into(),
            );
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(bytes: &[u8]) -> Result<(JournalSummary, Vec<Record>)> {
        let mut recs = Vec::new();
        let s = read_journal_bytes(bytes, &Arc::from("t.journal"), &mut |r| recs.push(r))?;
        Ok((s, recs))
    }

    /// (object flags, payload `NAME=value`) of one field.
    type Field = (u8, Vec<u8>);

    /// A minimal journal as journald lays it out: header, data objects, entries, one array.
    fn build(compact: bool, incompat: u32, entries: &[(u64, Vec<Field>)]) -> Vec<u8> {
        let mut b = vec![0u8; 272];
        let payload_at = if compact { 72 } else { 64 };
        let push = |b: &mut Vec<u8>, obj: Vec<u8>| {
            let at = b.len() as u64;
            b.extend_from_slice(&obj);
            b.resize(b.len().div_ceil(8) * 8, 0);
            at
        };
        let object = |ty: u8, flags: u8, body: &[u8]| {
            let mut o = vec![ty, flags, 0, 0, 0, 0, 0, 0];
            o.extend_from_slice(&(16 + body.len() as u64).to_le_bytes());
            o.extend_from_slice(body);
            o
        };
        let mut entry_offsets = Vec::new();
        for (i, (rt, fields)) in entries.iter().enumerate() {
            let mut items = Vec::new();
            for (flags, payload) in fields {
                let mut body = vec![0u8; payload_at - 16];
                body.extend_from_slice(payload);
                items.push(push(&mut b, object(1, *flags, &body)));
            }
            let mut body = Vec::new();
            body.extend_from_slice(&(i as u64 + 1).to_le_bytes());
            body.extend_from_slice(&rt.to_le_bytes());
            body.extend_from_slice(&7u64.to_le_bytes());
            body.extend_from_slice(&[0xab; 16]);
            body.extend_from_slice(&0u64.to_le_bytes());
            for it in items {
                if compact {
                    body.extend_from_slice(&(it as u32).to_le_bytes());
                } else {
                    body.extend_from_slice(&it.to_le_bytes());
                    body.extend_from_slice(&0u64.to_le_bytes());
                }
            }
            entry_offsets.push(push(&mut b, object(3, 0, &body)));
        }
        let mut body = 0u64.to_le_bytes().to_vec();
        for o in &entry_offsets {
            if compact {
                body.extend_from_slice(&(*o as u32).to_le_bytes());
            } else {
                body.extend_from_slice(&o.to_le_bytes());
            }
        }
        let arr = push(&mut b, object(6, 0, &body));
        let len = b.len() as u64;
        b[..8].copy_from_slice(SIGNATURE);
        let flags = incompat | if compact { INCOMPAT_COMPACT } else { 0 };
        b[12..16].copy_from_slice(&flags.to_le_bytes());
        b[16] = 1;
        b[88..96].copy_from_slice(&272u64.to_le_bytes());
        b[96..104].copy_from_slice(&(len - 272).to_le_bytes());
        b[152..160].copy_from_slice(&(entries.len() as u64).to_le_bytes());
        b[176..184].copy_from_slice(&arr.to_le_bytes());
        b
    }

    /// LZ4 as systemd stored it: le64 decompressed size, then one block (literals only here).
    fn lz4_literals(data: &[u8]) -> Vec<u8> {
        let mut out = (data.len() as u64).to_le_bytes().to_vec();
        out.push(0xf0);
        let mut n = data.len() - 15;
        while n >= 255 {
            out.push(255);
            n -= 255;
        }
        out.push(n as u8);
        out.extend_from_slice(data);
        out
    }

    #[test]
    fn lz4_objects_in_old_and_compact_layouts() {
        let msg = format!(
            "MESSAGE={}",
            "kernel: Out of memory: Killed process 42 (java) ".repeat(20)
        );
        for compact in [false, true] {
            let j = build(
                compact,
                INCOMPAT_LZ4,
                &[(
                    1_700_000_000_000_000,
                    vec![
                        (0, b"_PID=42".to_vec()),
                        (OBJ_LZ4, lz4_literals(msg.as_bytes())),
                    ],
                )],
            );
            let (s, recs) = read(&j).unwrap();
            assert_eq!(
                (s.entries, s.compression.as_deref(), s.state.as_deref()),
                (1, Some("lz4"), Some("online"))
            );
            assert!(s.warnings.is_empty(), "{:?}", s.warnings);
            assert_eq!(recs[0].message, msg["MESSAGE=".len()..]);
            assert_eq!(recs[0].pid, Some(42));
            let want = "s=00000000000000000000000000000000;i=1;b=abababababababababababababababab;m=7;t=60a24181e4000;x=0";
            assert_eq!(recs[0].source.to_string(), format!("t.journal@{want}"));
        }
    }

    #[test]
    fn work_on_repeatedly_referenced_big_fields_is_bounded() {
        // 3000 entries all pointing at one 60 KiB MESSAGE: the budget (8 × file size + 64 MiB)
        // covers about 1100 of them; later entries arrive without the message and one warning.
        let big = [b"MESSAGE=".as_slice(), &[b'x'; 60 * 1024]].concat();
        let mut j = build(false, 0, &[(1, vec![(0, big)])]);
        // Re-point: an entry array of 3000 entries, each referencing the first data object.
        let data_at = 272u64;
        let mut arr_items = Vec::new();
        for i in 0..3000u64 {
            let at = j.len() as u64;
            let mut e = vec![3u8, 0, 0, 0, 0, 0, 0, 0];
            e.extend_from_slice(&80u64.to_le_bytes());
            for v in [i + 1, 1_000_000 + i, 7] {
                e.extend_from_slice(&v.to_le_bytes());
            }
            e.extend_from_slice(&[0; 24]);
            e.extend_from_slice(&data_at.to_le_bytes());
            e.extend_from_slice(&0u64.to_le_bytes());
            j.extend_from_slice(&e);
            arr_items.push(at);
        }
        let arr = j.len() as u64;
        j.extend_from_slice(&[6, 0, 0, 0, 0, 0, 0, 0]);
        j.extend_from_slice(&(24 + 8 * 3000u64).to_le_bytes());
        j.extend_from_slice(&0u64.to_le_bytes());
        for a in arr_items {
            j.extend_from_slice(&a.to_le_bytes());
        }
        let len = j.len() as u64;
        j[96..104].copy_from_slice(&(len - 272).to_le_bytes());
        j[152..160].copy_from_slice(&3000u64.to_le_bytes());
        j[176..184].copy_from_slice(&arr.to_le_bytes());
        let (s, recs) = read(&j).unwrap();
        assert_eq!(s.entries, 3000);
        let with_message = recs.iter().filter(|r| !r.message.is_empty()).count() as u64;
        // Each reference reads the whole payload, "MESSAGE=" and 60 KiB (under MAX_FIELD).
        let per_ref = 8 + 60 * 1024;
        let budget = len * BUDGET_PER_BYTE + BUDGET_BASE;
        assert_eq!(with_message, budget / per_ref);
        assert_eq!(s.warnings.len(), 1);
        assert!(
            s.warnings[0].contains("too many large or compressed field references"),
            "{:?}",
            s.warnings
        );
    }

    #[test]
    fn hex_like_format() {
        for n in [0u64, 1, 15, 16, 0x63fc889e8ac00, u64::MAX] {
            let mut s = String::new();
            push_hex(&mut s, n);
            assert_eq!(s, format!("{n:x}"));
        }
    }

    #[test]
    fn rejects_what_is_not_a_journal() {
        let e = read(b"hello").unwrap_err().to_string();
        assert_eq!(e, "t.journal: not a systemd journal file (too short)");
        let e = read(&[b'x'; 300]).unwrap_err().to_string();
        assert_eq!(
            e,
            "t.journal: not a systemd journal file (no LPKSHHRH signature)"
        );
        let mut h = vec![0u8; 300];
        h[..8].copy_from_slice(SIGNATURE);
        h[88..96].copy_from_slice(&4096u64.to_le_bytes());
        let e = read(&h).unwrap_err().to_string();
        assert_eq!(
            e,
            "t.journal: journal header is unreadable (header size 4096 in a file of 300 bytes)"
        );
    }

    #[test]
    fn empty_journal_reads_zero_entries_with_state() {
        let mut h = vec![0u8; 272];
        h[..8].copy_from_slice(SIGNATURE);
        h[12..16].copy_from_slice(&(INCOMPAT_ZSTD | INCOMPAT_KEYED_HASH).to_le_bytes());
        h[16] = 2;
        h[88..96].copy_from_slice(&272u64.to_le_bytes());
        let (s, recs) = read(&h).unwrap();
        assert!(recs.is_empty());
        assert_eq!(s.state.as_deref(), Some("archived"));
        assert_eq!(s.compression.as_deref(), Some("zstd"));
        assert_eq!((s.entries, s.unreadable, s.bytes), (0, 0, 272));
        assert!(s.warnings.is_empty(), "{:?}", s.warnings);
    }
}
