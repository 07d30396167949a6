//! One test per sample of every built-in rule (DESIGN.md §3): a positive sample must yield
//! exactly its `expect` fields, a negative sample must not match. Run with
//! `cargo test --test patterns_samples`; filter by rule id like any test name.

use libtest_mimic::{Arguments, Failed, Trial};

fn main() {
    let args = Arguments::from_args();
    let trials = logautopsy::rules::sample_results(&[])
        .into_iter()
        .map(|(name, problems)| {
            Trial::test(name, move || {
                if problems.is_empty() {
                    Ok(())
                } else {
                    let text: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
                    Err(Failed::from(text.join("\n")))
                }
            })
        })
        .collect();
    libtest_mimic::run(&args, trials).exit();
}
