//! The integration tests, as one binary: each module was its own test crate, and every crate
//! linked polars and the rest again (most of `cargo test`'s time was linking). Modules are named
//! for what they test; `support*` and `browser` are shared helpers. `patterns_samples` stays a
//! separate, harness-less runner (one test per rule sample, generated at run time).

mod bad_input;
mod browser;
mod support;

mod archives;
mod association;
mod containers;
mod corpus_events;
mod corpus_inputs;
mod correlate;
mod correlate_accuracy;
mod correlate_gen;
mod fleet;
mod golden;
mod inputs;
mod journal;
mod layers;
mod pasted_formats;
mod patterns_assemble;
mod patterns_check;
mod render_browser;
mod render_outputs;
mod schema;
