//! output renderer (being written).
