//! Tunes `LAYOUT` in `src/rules/prefilter.rs`: the order the prefilter gives its patterns to
//! Teddy, which decides the patterns that share a bucket (see that constant's doc).
//!
//! ```text
//! cargo run --release --example prefilter_layout -- TEXT_FILE...
//! ```
//!
//! Each file is a sample of the text the scanner reads (plain or `.gz`); each weighs the same.
//! The layout of 2026-12-03 learnt from 96 MiB of `gen_syslog` busy output and the shared
//! corpus's plain-text logs concatenated into one file (slim Teddy: 32 patterns). The cost of an order is, per bucket, the 4-byte windows of the
//! samples that fit the bucket's nibble masks times the bucket's patterns (the verifications
//! Teddy would run); a local search swaps patterns between buckets while that falls, from the
//! current order and from a few shuffled ones. Prints the best order as Rust, and the search
//! time of both orders over the first file.

use std::collections::HashMap;
use std::io::Read;
use std::time::Instant;

/// How many buckets aho-corasick 1.1's Teddy uses for `n` patterns on AVX2: slim (8) up to
/// 32 patterns, fat (16) above.
fn bucket_count(n: usize) -> usize {
    if n > 32 {
        16
    } else {
        8
    }
}

/// aho-corasick 1.1's placement of patterns in buckets (four-byte fingerprints).
fn buckets(p: &[&str]) -> Vec<Vec<usize>> {
    let n = bucket_count(p.len());
    let mut by_low_nibbles: HashMap<Vec<u8>, usize> = HashMap::new();
    let mut b = vec![Vec::new(); n];
    for (id, s) in p.iter().enumerate() {
        let key: Vec<u8> = s.as_bytes()[..4].iter().map(|x| x & 0xf).collect();
        let k = *by_low_nibbles.entry(key).or_insert(n - 1 - id % n);
        b[k].push(id);
    }
    b
}

fn cost(p: &[&str], windows: &[(u32, u64)]) -> u64 {
    let mut total = 0;
    for bucket in buckets(p).iter().filter(|b| !b.is_empty()) {
        let (mut lo, mut hi) = ([0u16; 4], [0u16; 4]);
        for &i in bucket {
            for (j, &c) in p[i].as_bytes()[..4].iter().enumerate() {
                lo[j] |= 1 << (c & 0xf);
                hi[j] |= 1 << (c >> 4);
            }
        }
        let fits = |w: [u8; 4]| {
            (0..4).all(|j| lo[j] >> (w[j] & 0xf) & 1 == 1 && hi[j] >> (w[j] >> 4) & 1 == 1)
        };
        let n: u64 = windows
            .iter()
            .filter(|(w, _)| fits(w.to_le_bytes()))
            .map(|(_, c)| c)
            .sum();
        total += n * bucket.len() as u64;
    }
    total
}

fn descend<'a>(mut order: Vec<&'a str>, windows: &[(u32, u64)]) -> (u64, Vec<&'a str>) {
    let mut best = cost(&order, windows);
    let n = bucket_count(order.len());
    loop {
        let before = best;
        for i in 0..order.len() {
            for j in i + 1..order.len() {
                if i % n == j % n {
                    continue; // same bucket already
                }
                order.swap(i, j);
                let c = cost(&order, windows);
                if c < best {
                    best = c;
                } else {
                    order.swap(i, j);
                }
            }
        }
        if best == before {
            return (best, order);
        }
    }
}

fn search_time(order: &[&str], text: &[u8]) -> f64 {
    let t = aho_corasick::packed::Config::new()
        .match_kind(aho_corasick::packed::MatchKind::LeftmostFirst)
        .builder()
        .extend(order)
        .build()
        .expect("Teddy is available");
    (0..5)
        .map(|_| {
            let start = Instant::now();
            let mut n = 0u64;
            for c in text.chunks(256 * 1024) {
                let mut at = 0;
                while let Some(m) = t.find_in(c, aho_corasick::Span::from(at..c.len())) {
                    n += 1;
                    at = m.start() + 1;
                }
            }
            std::hint::black_box(n);
            start.elapsed().as_secs_f64()
        })
        .fold(f64::MAX, f64::min)
}

fn main() {
    let files: Vec<String> = std::env::args().skip(1).collect();
    if files.is_empty() {
        eprintln!("usage: prefilter_layout TEXT_FILE...");
        std::process::exit(2);
    }
    let texts: Vec<Vec<u8>> = files
        .iter()
        .map(|f| {
            let raw = std::fs::read(f).unwrap_or_else(|e| panic!("{f}: {e}"));
            if raw.starts_with(&[0x1f, 0x8b]) {
                let mut out = Vec::new();
                flate2::read::MultiGzDecoder::new(&raw[..])
                    .read_to_end(&mut out)
                    .unwrap_or_else(|e| panic!("{f}: {e}"));
                out
            } else {
                raw
            }
        })
        .collect();
    let largest = texts.iter().map(Vec::len).max().unwrap_or(1) as u64;
    let mut counts: HashMap<u32, u64> = HashMap::new();
    for t in &texts {
        let weight = largest / (t.len() as u64).max(1);
        for w in t.windows(4) {
            *counts
                .entry(u32::from_le_bytes([w[0], w[1], w[2], w[3]]))
                .or_default() += weight;
        }
    }
    let windows: Vec<(u32, u64)> = counts.into_iter().collect();

    let rules = logautopsy::rules::RuleSet::load(&[], &[]).expect("built-in rules");
    let current: Vec<&str> = rules.prefilter().searched().collect();
    let (mut best_cost, mut best) = descend(current.clone(), &windows);
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    for _ in 0..3 {
        let mut order = current.clone();
        for i in (1..order.len()).rev() {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            order.swap(i, (seed % (i as u64 + 1)) as usize);
        }
        let (c, o) = descend(order, &windows);
        if c < best_cost {
            (best_cost, best) = (c, o);
        }
    }
    println!(
        "cost: current order {}, best {best_cost}",
        cost(&current, &windows)
    );
    println!("const LAYOUT: &[&str] = &[");
    for p in &best {
        println!("    {p:?},");
    }
    println!("];");
    println!(
        "search time over {} (best of 5): current {:.4} s, best {:.4} s",
        files[0],
        search_time(&current, &texts[0]),
        search_time(&best, &texts[0])
    );
}
