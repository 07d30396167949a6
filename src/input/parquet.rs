//! Reading events back from Parquet written by `logautopsy extract` (being written).
