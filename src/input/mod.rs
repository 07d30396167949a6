//! Inputs: finding files, sniffing their format, decompressing and reading them in bounded
//! pieces. Text inputs are scanned by `text`; binary journals and journalctl export/JSON by
//! `journal`; event Parquet files written by `logautopsy extract` by `parquet`.

pub mod journal;
pub mod parquet;
