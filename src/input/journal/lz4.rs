//! A bounded LZ4 *block* decoder for journal objects written by systemd < 246's LZ4 mode.
//!
//! Our own ~50 lines instead of a crate because the reader needs a *prefix* of the output: it
//! stops after `cap` bytes, so a corrupt or hostile size field can neither make us allocate
//! the declared size nor spend time producing bytes nobody reads. Every read and back-reference
//! is bounds-checked; a malformed block returns what was decoded so far with `Err`.

/// Why a block could not be decoded completely.
#[derive(Debug, PartialEq, Eq)]
pub enum Lz4Error {
    /// Input ended inside a sequence.
    Truncated,
    /// A match points before the start of the output.
    BadOffset,
}

/// Decode the LZ4 block `input` into `out` (cleared first), stopping once `out` holds `cap`
/// bytes. `Ok(true)` when the block ended before the cap, `Ok(false)` when output was cut.
pub fn decompress_block(input: &[u8], out: &mut Vec<u8>, cap: usize) -> Result<bool, Lz4Error> {
    out.clear();
    let mut i = 0usize;
    let byte = |i: &mut usize| -> Result<u8, Lz4Error> {
        let b = *input.get(*i).ok_or(Lz4Error::Truncated)?;
        *i += 1;
        Ok(b)
    };
    let length = |i: &mut usize, base: usize| -> Result<usize, Lz4Error> {
        let mut n = base;
        if base == 15 {
            loop {
                let b = byte(i)?;
                n = n.saturating_add(b as usize);
                if b != 255 {
                    break;
                }
            }
        }
        Ok(n)
    };
    while i < input.len() {
        let token = byte(&mut i)?;
        let lit = length(&mut i, (token >> 4) as usize)?;
        let end = i
            .checked_add(lit)
            .filter(|e| *e <= input.len())
            .ok_or(Lz4Error::Truncated)?;
        let take = lit.min(cap - out.len());
        out.extend_from_slice(&input[i..i + take]);
        i = end;
        if out.len() >= cap {
            return Ok(false);
        }
        if i == input.len() {
            // The last sequence has literals only.
            return Ok(true);
        }
        let off = byte(&mut i)? as usize | (byte(&mut i)? as usize) << 8;
        if off == 0 || off > out.len() {
            return Err(Lz4Error::BadOffset);
        }
        let len = length(&mut i, (token & 15) as usize)?.saturating_add(4);
        let len = len.min(cap - out.len());
        // Byte by byte: a match may overlap the bytes it produces (run-length encoding).
        let start = out.len() - off;
        for k in 0..len {
            let b = out[start + k];
            out.push(b);
        }
        if out.len() >= cap {
            return Ok(false);
        }
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_literals_and_overlapping_match() {
        // "abc" then a match of offset 3, length 9 → "abcabcabcabc"; then literal "x".
        let block = [0x35, b'a', b'b', b'c', 3, 0, 0x10, b'x'];
        let mut out = Vec::new();
        assert_eq!(decompress_block(&block, &mut out, 1024), Ok(true));
        assert_eq!(out, b"abcabcabcabcx");
    }

    #[test]
    fn stops_at_the_cap() {
        let block = [0x3f, b'a', b'b', b'c', 3, 0, 255, 255, 10, 0x10, b'x'];
        let mut out = Vec::new();
        assert_eq!(decompress_block(&block, &mut out, 7), Ok(false));
        assert_eq!(out, b"abcabca");
    }

    #[test]
    fn rejects_bad_offsets_and_truncation() {
        let mut out = Vec::new();
        assert_eq!(
            decompress_block(&[0x10, b'a', 5, 0], &mut out, 64),
            Err(Lz4Error::BadOffset)
        );
        assert_eq!(
            decompress_block(&[0x50, b'a'], &mut out, 64),
            Err(Lz4Error::Truncated)
        );
        assert_eq!(
            decompress_block(&[0x10, b'a', 1], &mut out, 64),
            Err(Lz4Error::Truncated)
        );
    }
}
