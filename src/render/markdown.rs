//! markdown renderer (being written).
