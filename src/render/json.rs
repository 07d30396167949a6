//! JSON renderer (stub).
