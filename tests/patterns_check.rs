//! The rule checker's messages (what `logautopsy patterns check DIR` prints) and the loader's
//! override/backup behaviour, on rule files written to temporary directories.

use logautopsy::parse::parse_line_for_sample;
use logautopsy::rules::{self, RuleSet};
use std::path::PathBuf;

fn dir_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(d.path().join(name), text).unwrap();
    }
    d
}

fn user_problems(d: &tempfile::TempDir) -> Vec<String> {
    let dir = d.path().to_path_buf();
    rules::check(std::slice::from_ref(&dir))
        .into_iter()
        .filter(|p| p.file.starts_with(&dir.display().to_string()))
        .map(|p| p.to_string().replace(&dir.display().to_string(), "DIR"))
        .collect()
}

const GOOD: &str = r#"
schema = 1
[[rule]]
id = "local.app.crash"
event = "worker_killed"
hint = "crashed with signal "
regex = '^worker (?P<pid>\d+) crashed with signal (?P<signal>\w+)$'
fields = { pid = "u32", signal = "str" }

[[rule.sample]]
line = "Jul 05 12:56:02 ubuntu myapp[20957]: worker 42 crashed with signal SIGSEGV"
expect = { pid = 42, signal = "SIGSEGV" }
"#;

#[test]
fn builtin_rules_have_no_problems() {
    let problems: Vec<String> = rules::check(&[]).iter().map(|p| p.to_string()).collect();
    assert_eq!(problems, Vec::<String>::new());
}

#[test]
fn every_pattern_file_is_compiled_in() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("patterns");
    let mut on_disk: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".toml"))
        .collect();
    on_disk.sort();
    let mut built: Vec<String> = rules::builtin::names().map(str::to_string).collect();
    built.sort();
    assert_eq!(on_disk, built);
}

#[test]
fn a_good_user_rule_loads_and_applies() {
    let d = dir_with(&[("app.toml", GOOD)]);
    assert_eq!(user_problems(&d), Vec::<String>::new());
    let set = RuleSet::load(&[d.path().to_path_buf()], &[]).unwrap();
    let rec = parse_line_for_sample(
        "Jul 05 12:57:00 ubuntu myapp[20957]: worker 7 crashed with signal SIGBUS",
    )
    .unwrap();
    let mut out = Vec::new();
    assert_eq!(set.apply(&rec, &mut out), None);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].pid, Some(7));
    assert_eq!(out[0].attr_str("signal"), Some("SIGBUS"));
    assert_eq!(out[0].rule, "local.app.crash");
}

#[test]
fn unknown_key_is_named() {
    let d = dir_with(&[("bad.toml", &GOOD.replace("hint = ", "hnt = "))]);
    let p = user_problems(&d);
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(
        p[0].starts_with("DIR/bad.toml: TOML parse error at line 6, column 1"),
        "{}",
        p[0]
    );
    assert!(p[0].contains("unknown field `hnt`"), "{}", p[0]);
}

/// Loading only parses a regex; one that parses but is too big to compile must still stop a
/// run that loads user rules, before any scan, with the rule named.
#[test]
fn a_regex_too_big_to_compile_stops_loading_user_rules() {
    let d = dir_with(&[(
        "big.toml",
        &GOOD.replace("(?P<signal>\\w+)$", "(?P<signal>\\w{100}\\w{100}\\w{100})$"),
    )]);
    let p = user_problems(&d);
    assert!(
        p.iter().any(|p| p.starts_with(
            "DIR/big.toml: rule local.app.crash: regex does not compile:\nCompiled regex exceeds size limit"
        )),
        "{p:?}"
    );
    let err = RuleSet::load(&[d.path().to_path_buf()], &[])
        .err()
        .expect("load fails");
    assert!(
        err.to_string()
            .contains("rule local.app.crash: regex does not compile"),
        "{err}"
    );
}

#[test]
fn bad_regex_is_reported_with_the_rule_id() {
    let d = dir_with(&[(
        "bad.toml",
        &GOOD.replace("(?P<signal>\\w+)$", "(?P<signal>\\w+$"),
    )]);
    let p = user_problems(&d);
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(
        p[0].starts_with(
            "DIR/bad.toml: rule local.app.crash: regex does not compile:\nregex parse error:"
        ),
        "{}",
        p[0]
    );
}

#[test]
fn failing_sample_shows_a_caret_where_matching_stopped() {
    let text = GOOD.replace(
        "worker 42 crashed with signal SIGSEGV",
        "worker 42x crashed with signal SIGSEGV",
    );
    let d = dir_with(&[("bad.toml", &text)]);
    let p = user_problems(&d);
    assert_eq!(
        p,
        vec![
            "DIR/bad.toml: rule local.app.crash: sample 1 does not match the regex\n    worker 42x crashed with signal SIGSEGV\n             ^ regex stopped matching here"
                .to_string()
        ]
    );
}

#[test]
fn wrong_expected_field_points_at_its_capture() {
    let d = dir_with(&[(
        "bad.toml",
        &GOOD.replace("signal = \"SIGSEGV\" }", "signal = \"SIGBUS\" }"),
    )]);
    let p = user_problems(&d);
    assert_eq!(
        p,
        vec![
            "DIR/bad.toml: rule local.app.crash: sample 1: field `signal`: expected \"SIGBUS\", got \"SIGSEGV\" (capture `signal` = \"SIGSEGV\")\n    worker 42 crashed with signal SIGSEGV\n                                  ^ the capture starts here"
                .to_string()
        ]
    );
}

#[test]
fn missing_and_extra_fields_are_errors() {
    let d = dir_with(&[(
        "bad.toml",
        &GOOD.replace(
            "expect = { pid = 42, signal = \"SIGSEGV\" }",
            "expect = { pid = 42, user = \"x\" }",
        ),
    )]);
    let p = user_problems(&d);
    assert_eq!(p.len(), 2, "{p:?}");
    assert!(
        p[0].contains("field `signal` = \"SIGSEGV\" is yielded but not in `expect`"),
        "{}",
        p[0]
    );
    assert!(
        p[1].contains("field `user`: expected \"x\", but the rule yields none"),
        "{}",
        p[1]
    );
}

#[test]
fn hint_missing_from_a_positive_sample_is_an_error() {
    let d = dir_with(&[(
        "bad.toml",
        &GOOD.replace(
            "hint = \"crashed with signal \"",
            "hint = \"crashed with sig \"",
        ),
    )]);
    let p = user_problems(&d);
    assert_eq!(
        p,
        vec!["DIR/bad.toml: rule local.app.crash: hint \"crashed with sig \" is not in sample 1's message \"worker 42 crashed with signal SIGSEGV\": the prefilter would hide this line".to_string()]
    );
}

#[test]
fn rule_without_sample_and_unmapped_capture_do_not_load() {
    let text = r#"
schema = 1
[[rule]]
id = "local.x"
event = "log_loss"
hint = "lost"
regex = '(?P<count>\d+) lost (?P<what>\w+)'
fields = { count = "u64" }
"#;
    let d = dir_with(&[("x.toml", text)]);
    let p = user_problems(&d);
    assert_eq!(
        p,
        vec![
            "DIR/x.toml: rule local.x: capture `what` is not mapped to a field (add it under `fields`, or make the group non-capturing)".to_string(),
        ]
    );
    let fixed = text.replace(
        "fields = { count = \"u64\" }",
        "fields = { count = \"u64\", what = \"str\" }",
    );
    let d = dir_with(&[("x.toml", &fixed)]);
    assert_eq!(
        user_problems(&d),
        vec!["DIR/x.toml: rule local.x: no positive sample: a rule without a passing sample does not load; add [[rule.sample]] with a real line".to_string()]
    );
    let err = RuleSet::load(&[d.path().to_path_buf()], &[])
        .err()
        .expect("must not load");
    assert!(
        err.to_string()
            .contains("1 problem(s) in the pattern rules"),
        "{err}"
    );
}

#[test]
fn negative_sample_that_matches_is_an_error() {
    let text = GOOD.replace(
        "fields = { pid = \"u32\", signal = \"str\" }",
        "fields = { pid = \"u32\", signal = \"str\" }\nnegative = [\"worker 1 crashed with signal SIGTERM\"]",
    );
    let d = dir_with(&[("n.toml", &text)]);
    assert_eq!(
        user_problems(&d),
        vec!["DIR/n.toml: rule local.app.crash: negative sample 1 matches but must not: \"worker 1 crashed with signal SIGTERM\"".to_string()]
    );
}

#[test]
fn duplicate_ids_in_one_dir_are_errors() {
    let d = dir_with(&[("a.toml", GOOD), ("b.toml", GOOD)]);
    let p = user_problems(&d);
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(
        p[0].starts_with(
            "DIR/b.toml: rule local.app.crash: duplicate id (also defined in DIR/a.toml)"
        ),
        "{}",
        p[0]
    );
}

#[test]
fn user_rule_overrides_a_builtin_by_id() {
    // A stricter gunicorn rule that only accepts pids below 100.
    let text = r#"
schema = 1
[[rule]]
id = "gunicorn.worker_sigkill"
event = "worker_killed"
hint = "was sent SIGKILL! Perhaps out of memory?"
regex = 'Worker \(pid:(?P<pid>\d\d?)\) was sent SIGKILL! Perhaps out of memory\?'
fields = { pid = "u32" }
set = { process = "gunicorn", signal = "SIGKILL", local = true }

[[rule.sample]]
journal = { MESSAGE = "[2020-09-12 05:37:52 +0000] [18] [ERROR] Worker (pid:21) was sent SIGKILL! Perhaps out of memory?", SYSLOG_IDENTIFIER = "gunicorn" }
expect = { pid = 21, process = "gunicorn", signal = "SIGKILL", local = true }
"#;
    let d = dir_with(&[("g.toml", text)]);
    let set = RuleSet::load(&[d.path().to_path_buf()], &[]).unwrap();
    let infos = rules::list(&set);
    let g: Vec<_> = infos
        .iter()
        .filter(|r| r.id == "gunicorn.worker_sigkill")
        .collect();
    assert_eq!(g.len(), 1);
    assert_eq!(g[0].file, d.path().join("g.toml").display().to_string());
    let builtin_count = rules::list(&RuleSet::load(&[], &[]).unwrap()).len();
    assert_eq!(infos.len(), builtin_count);
}

#[test]
fn backup_match_adds_patterns_and_rejects_bad_regexes() {
    let line = "Jan 27 18:05:01 localhost CRON[26901]: (root) CMD (/opt/snap-db.sh)";
    let rec = parse_line_for_sample(line).unwrap();
    let mut out = Vec::new();
    RuleSet::load(&[], &[]).unwrap().apply(&rec, &mut out);
    assert_eq!(out[0].kind.as_str(), "cron_cmd");
    let mut out = Vec::new();
    RuleSet::load(&[], &["snap-db".to_string()])
        .unwrap()
        .apply(&rec, &mut out);
    assert_eq!(out[0].kind.as_str(), "backup_start");
    assert_eq!(out[0].attr_str("backup_pattern"), Some("snap-db"));
    let err = RuleSet::load(&[], &["(unclosed".to_string()])
        .err()
        .expect("bad regex");
    assert!(
        err.to_string()
            .contains("--backup-match: \"(unclosed\" is not a valid regex"),
        "{err}"
    );
}

#[test]
fn a_cron_rule_without_the_attrs_correlation_reads_is_rejected() {
    // The built-in Debian CMD rule with `via` renamed to `scheduler`: backup windows join cron
    // starts by `via`, so the rule must not load.
    let builtin = include_str!("../patterns/cron.toml");
    let start = builtin.find("[[rule]]\nid = \"cron.debian.cmd\"").unwrap();
    let end = start + builtin[start + 1..].find("[[rule]]").unwrap() + 1;
    let renamed = format!(
        "schema = 1\n\n{}",
        builtin[start..end]
            .replace("set = { via = \"cron\" }", "set = { scheduler = \"cron\" }")
            .replace("via = \"cron\"", "scheduler = \"cron\"")
    );
    let d = dir_with(&[("cron.toml", &renamed)]);
    let problems = user_problems(&d);
    assert!(
        problems.iter().any(|p| p.contains("cron.debian.cmd")
            && p.contains("a `cron_cmd` event must carry `via` (str)")),
        "{problems:#?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.contains("a `backup_start` event must carry `via` (str)")),
        "{problems:#?}"
    );
    assert!(RuleSet::load(&[d.path().to_path_buf()], &[]).is_err());
    // A declared attribute of the wrong type is an error too.
    let typed = GOOD
        .replace("event = \"worker_killed\"", "event = \"unit_oom\"")
        .replace(
            "signal = \"str\" }",
            "signal = \"str\" }\nset = { killer = 3 }",
        )
        .replace(
            "expect = { pid = 42, signal = \"SIGSEGV\" }",
            "expect = { pid = 42, signal = \"SIGSEGV\", killer = 3 }",
        );
    let d = dir_with(&[("t.toml", &typed)]);
    let problems = user_problems(&d);
    assert!(
        problems
            .iter()
            .any(|p| p.contains("`killer` of a `unit_oom` event must be str, not unsigned integer")),
        "{problems:#?}"
    );
}

#[test]
fn an_end_basis_the_report_does_not_know_is_rejected() {
    // Debian's END rule with a misspelt basis: the window would silently fall back to the
    // generic basis, so the rule must not load.
    let builtin = include_str!("../patterns/cron.toml");
    let start = builtin.find("[[rule]]\nid = \"cron.debian.end\"").unwrap();
    let end = start + builtin[start + 1..].find("[[rule]]").unwrap() + 1;
    let misspelt = format!(
        "schema = 1\n\n{}",
        builtin[start..end].replace("basis = \"cron-end\"", "basis = \"cron-ended\"")
    );
    let d = dir_with(&[("cron.toml", &misspelt)]);
    let problems = user_problems(&d);
    assert!(
        problems.iter().any(|p| p.contains("cron.debian.end")
            && p.contains("`basis` = \"cron-ended\" is not an end basis of the report")
            && p.contains("cron-end, cron-no-mta")),
        "{problems:#?}"
    );
}

/// Every file under `root`, recursively, in name order.
fn files_under(root: &std::path::Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(root) else {
        return;
    };
    let mut entries: Vec<PathBuf> = rd.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files_under(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// The scanner searches anchors rather than the literals themselves (`rules::prefilter`): a
/// line must still be a candidate exactly when it holds one of the rules' literals. Checked
/// line by line, against a plain substring search, on every text file of `sample-logs/` and of
/// the shared corpus (skipped without it; compressed and binary files are not text lines).
#[test]
fn the_prefilter_finds_exactly_the_lines_holding_a_literal() {
    let set = RuleSet::load(&[], &[]).unwrap();
    let literals: Vec<&str> = set.hints();
    let mut files = Vec::new();
    files_under(
        &PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("sample-logs"),
        &mut files,
    );
    if let Some(corpus) = crate::support::corpus() {
        files_under(&corpus, &mut files);
    }
    let (mut lines, mut holding) = (0usize, 0usize);
    for file in &files {
        let data = std::fs::read(file).unwrap();
        if data.contains(&0) || data.starts_with(&[0x1f, 0x8b]) {
            continue;
        }
        for line in data.split(|&b| b == b'\n') {
            let want = literals
                .iter()
                .any(|l| memchr::memmem::find(line, l.as_bytes()).is_some());
            let got = set.prefilter().find(line, 0).is_some();
            assert_eq!(
                got,
                want,
                "{}: {:?}",
                file.display(),
                String::from_utf8_lossy(line)
            );
            lines += 1;
            holding += usize::from(want);
        }
    }
    assert!(
        lines > 15_000 && holding > 1_000,
        "{lines} lines, {holding} holding a literal"
    );
}
