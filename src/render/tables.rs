//! tables renderer (being written).
