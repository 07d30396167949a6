//! DESIGN.md §2: a module imports only from layers to its left. The order the code settled on
//! differs from the design's first sketch in two places, for reasons of data, not taste:
//! `parse` comes before `input` (the journal reader yields `parse::Record`s and the sniffer
//! recognises envelopes), and `events`/`report` come before `input`/`correlate` (Parquet input
//! yields `Event`s; correlation *builds* the `Report`, a plain data contract). So:
//! `model` → `config` → `parse` → `events` → `report` → `input` → `rules` → `correlate` → `render`.
//! `pipeline` ties them together; no layer may use it.

use std::path::Path;

const ORDER: &[&str] = &[
    "model",
    "format",
    "config",
    "parse",
    "events",
    "report",
    "input",
    "rules",
    "correlate",
    "render",
];

fn layer_of(rel: &str) -> Option<&'static str> {
    let first = rel.split('/').next()?.trim_end_matches(".rs");
    ORDER.iter().copied().find(|l| *l == first)
}

fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            walk(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn no_module_imports_a_layer_to_its_right() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    walk(&src, &mut files);
    let mut bad = Vec::new();
    for f in files {
        let rel = f
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let Some(layer) = layer_of(&rel) else {
            continue;
        };
        let my = ORDER.iter().position(|l| *l == layer).unwrap();
        let text = std::fs::read_to_string(&f).unwrap();
        for (n, line) in text.lines().enumerate() {
            let mut rest = line;
            while let Some(i) = rest.find("crate::") {
                let after = &rest[i + 7..];
                let name: String = after
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if name == "pipeline" {
                    bad.push(format!("src/{rel}:{}: uses crate::pipeline", n + 1));
                }
                if let Some(their) = ORDER.iter().position(|l| *l == name) {
                    if their > my {
                        bad.push(format!(
                            "src/{rel}:{}: layer `{layer}` uses `{name}`, a layer to its right",
                            n + 1
                        ));
                    }
                }
                rest = after;
            }
        }
    }
    assert!(bad.is_empty(), "upward imports:\n{}", bad.join("\n"));
}
