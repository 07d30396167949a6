//! html renderer (being written).
