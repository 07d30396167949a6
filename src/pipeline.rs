//! The pipeline: discover → decode → parse → match (in parallel) → merge+dedup → correlate.
