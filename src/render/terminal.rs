//! Terminal summary renderer (stub).
