//! charts renderer (being written).
