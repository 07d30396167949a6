//! (generator: being written)
