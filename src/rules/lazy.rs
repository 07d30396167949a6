//! A rule's regex, compiled on its first use.
//!
//! Compiling the ~100 built-in regexes took 60 ms of every run — more than ripgrep needs for a
//! whole 1 GiB syslog — most of it in regex's UTF-8 compiler tables, for rules that a given
//! host never triggers (RHEL 6 task tables, cronie, anacron …). Loading now only parses each
//! pattern (`regex_syntax`: syntax errors and capture names, cheap) and the scanner compiles
//! a regex the first time a line reaches its rule. A pattern that parses but cannot compile
//! (only the size limit is left) is checked eagerly whenever samples are checked: user rule
//! directories and `patterns check` always, the built-ins by the test suite.

use regex::Regex;
use regex_syntax::hir::{Hir, HirKind};
use std::fmt;
use std::sync::OnceLock;

#[derive(Clone)]
pub(crate) struct LazyRegex {
    src: Box<str>,
    names: Box<[Box<str>]>,
    re: OnceLock<Regex>,
}

impl LazyRegex {
    /// Parse `src`; the error reads like `Regex::new`'s.
    pub fn new(src: &str) -> Result<LazyRegex, String> {
        let hir = regex_syntax::Parser::new()
            .parse(src)
            .map_err(|e| regex::Error::Syntax(e.to_string()).to_string())?;
        let mut names = Vec::new();
        capture_names(&hir, &mut names);
        Ok(LazyRegex {
            src: src.into(),
            names: names.into(),
            re: OnceLock::new(),
        })
    }

    /// Compile now (what the sample checks run first, so that every problem is reported at
    /// load time rather than met in the middle of a scan).
    pub fn compile(&self) -> Result<&Regex, String> {
        if let Some(re) = self.re.get() {
            return Ok(re);
        }
        let re = Regex::new(&self.src).map_err(|e| e.to_string())?;
        Ok(self.re.get_or_init(|| re))
    }

    pub fn as_str(&self) -> &str {
        &self.src
    }

    /// The named groups, in order.
    pub fn capture_names(&self) -> impl Iterator<Item = &str> {
        self.names.iter().map(|n| &**n)
    }
}

impl std::ops::Deref for LazyRegex {
    type Target = Regex;

    /// The compiled regex. A built-in pattern always compiles (the test suite compiles every
    /// one) and a user's is compiled by the load-time check before a scan, so the fallback —
    /// a regex that matches nothing — is never reached in practice; it exists so that this
    /// can never panic in the middle of a scan.
    fn deref(&self) -> &Regex {
        self.re.get_or_init(|| {
            Regex::new(&self.src).unwrap_or_else(|_| Regex::new(r"[^\s\S]").expect("constant"))
        })
    }
}

impl fmt::Debug for LazyRegex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.src, f)
    }
}

fn capture_names(h: &Hir, out: &mut Vec<Box<str>>) {
    match h.kind() {
        HirKind::Capture(c) => {
            if let Some(n) = &c.name {
                out.push(n.clone());
            }
            capture_names(&c.sub, out);
        }
        HirKind::Repetition(r) => capture_names(&r.sub, out),
        HirKind::Concat(hs) | HirKind::Alternation(hs) => {
            for h in hs {
                capture_names(h, out);
            }
        }
        HirKind::Empty | HirKind::Literal(_) | HirKind::Class(_) | HirKind::Look(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_errors_are_regexs_own() {
        let src = r"(?P<a>\d+) (x|(?P<b>y))* (?:z)";
        let lazy = LazyRegex::new(src).unwrap();
        let eager = Regex::new(src).unwrap();
        assert_eq!(
            lazy.capture_names().collect::<Vec<_>>(),
            eager.capture_names().flatten().collect::<Vec<_>>()
        );
        assert_eq!(lazy.captures("12 y z").unwrap()["a"].to_string(), "12");
        let bad = String::from("(unclosed"); // not a literal: clippy would reject it
        assert_eq!(
            LazyRegex::new(&bad).unwrap_err(),
            Regex::new(&bad).unwrap_err().to_string()
        );
    }

    #[test]
    fn a_pattern_too_big_to_compile_is_an_error_from_compile() {
        let lazy = LazyRegex::new(r"\w{100}\w{100}\w{100}").unwrap();
        assert!(lazy.compile().unwrap_err().contains("size limit"));
        assert!(!lazy.is_match("anything"));
    }
}
