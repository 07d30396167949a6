//! Renderer tests on the Frappe fixture (`support::fixture`: the real pipeline over
//! sample-logs): Markdown and JSON snapshots, tables read back with polars, the Parquet
//! directory read back into Events, charts with their text, the HTML's static guarantees,
//! output path rules, and byte-identical output across runs.
//!
//! Snapshots live in `tests/snapshots/`; after an intended change, `cargo insta review` (or
//! `INSTA_UPDATE=always cargo test --test tests render_outputs`) and read the diff.

use crate::support::fixture;

use fixture::{frappe_report, XSS_COMMAND};
use logautopsy::input::parquet::read_events;
use logautopsy::render::charts::{self, Chart};
use logautopsy::render::output::{self, Format};
use logautopsy::render::{html, markdown, tables};
use polars::prelude::*;
use std::path::{Path, PathBuf};

fn out_dir(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/test-output")
        .join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn render(fmt: Format, path: &Path) -> Vec<u8> {
    output::write(&frappe_report(), fmt, Some(path)).unwrap();
    std::fs::read(path).unwrap()
}

#[test]
fn markdown_post_mortem_matches_golden() {
    let dir = out_dir("markdown");
    let md = String::from_utf8(render(Format::Markdown, &dir.join("postmortem.md"))).unwrap();
    for section in [
        "## Summary",
        "## Impact",
        "## Timeline",
        "## Root cause",
        "## Backups",
        "## Recommendations",
        "## Appendix: inputs and warnings",
    ] {
        assert!(md.contains(section), "missing {section}");
    }
    // Impact: frappe-prod-1 lost its twelve programs; the outage runs from the kill to the
    // manual restart next morning.
    assert!(md.contains("| frappe-prod-1 | 1 | 1 | **yes** | frappe-bench-frappe-build-worker, frappe-bench-frappe-default-worker-0, frappe-bench-frappe-default-worker-1, frappe-bench-frappe-long-worker-0, frappe-bench-frappe-long-worker-1, frappe-bench-frappe-schedule, frappe-bench-frappe-short-worker-0, frappe-bench-frappe-short-worker-1, frappe-bench-frappe-web, frappe-bench-node-socketio, frappe-bench-redis-cache, frappe-bench-redis-queue | 14 | 7h 58m 53s |"), "{md}");
    // What held the memory, with a share.
    assert!(md.contains("| mariadbd | 1 | 26.0 GiB | 44 % |"), "{md}");
    // Hostile text: no raw HTML outside code (blocks and spans, which render as text), no
    // table row broken by a `|`, and no stray backslash in a span outside a table.
    let outside_code: String = md.split('`').step_by(2).collect();
    assert!(
        !outside_code.contains("<script"),
        "raw <script> outside a code block"
    );
    assert!(
        md.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "escaped in the timeline table"
    );
    assert!(
        md.contains("- **i1** · high · `oom-kill` on **edge-7**")
            && md.contains("</b>' | tee -a /tmp/a*b*` (while it ran)"),
        "a command in a bullet is a code span, copied as it ran: {md}"
    );
    // Every row keeps its table's cells: 6 in the timeline, 3 in each chain.
    let (timeline, root_cause) = md.split_once("## Root cause").unwrap();
    for (part, pipes) in [(timeline, 7), (root_cause, 4)] {
        for line in part.lines().filter(|l| l.starts_with("| 20")) {
            let cells = line.replace("\\|", "").matches('|').count();
            assert_eq!(cells, pipes, "row with the wrong number of cells: {line}");
        }
    }
    // The chain is one table: each step's time, words and `file:line` on one row.
    assert!(
        root_cause.contains("**Chain**\n\n| Time (UTC) | Step | Evidence |\n|---|---|---|\n| 20"),
        "{root_cause}"
    );
    insta::assert_snapshot!("frappe_md", md);
}

#[test]
fn json_report_matches_golden() {
    let dir = out_dir("json");
    let j = String::from_utf8(render(Format::Json, &dir.join("report.json"))).unwrap();
    let v: serde_json::Value = serde_json::from_str(&j).unwrap();
    assert_eq!(v["schema"], "logautopsy/report/v1");
    assert_eq!(v["incidents"][3]["kind"], "oom-cascade");
    assert_eq!(v["incidents"][3]["host"], "frappe-prod-1");
    insta::assert_snapshot!("frappe_json", j);
}

#[test]
fn outputs_are_byte_identical_across_runs() {
    let dir = out_dir("determinism");
    for (fmt, name) in [
        (Format::Html, "r.html"),
        (Format::Markdown, "r.md"),
        (Format::Csv, "r.csv"),
        (Format::Parquet, "r.parquet"),
        (Format::Svg, "timeline.svg"),
        (Format::Png, "memory.png"),
    ] {
        let a = render(fmt, &dir.join(format!("a-{name}")));
        let b = render(fmt, &dir.join(format!("b-{name}")));
        assert!(a == b, "{name}: two renders of the same report differ");
        assert!(!a.is_empty());
    }
}

#[test]
fn csv_reads_back_with_typed_values() {
    let dir = out_dir("csv");
    let path = dir.join("events.csv");
    render(Format::Csv, &path);
    let r = frappe_report();
    let df = CsvReadOptions::default()
        .with_has_header(true)
        .with_infer_schema_length(None)
        .try_into_reader_with_file_path(Some(path))
        .unwrap()
        .finish()
        .unwrap();
    assert_eq!(df.height(), r.events.len());
    for col in [
        "id", "time", "offset_s", "host", "kind", "pid", "process", "unit", "program", "message",
        "sources", "attrs", "raw",
    ] {
        assert!(df.column(col).is_ok(), "events.csv lacks {col}");
    }
    let kill = r
        .events
        .iter()
        .position(|e| e.kind.as_str() == "oom_kill" && e.pid == Some(1121))
        .unwrap();
    let ids = df.column("id").unwrap().str().unwrap().clone();
    assert_eq!(ids.get(kill), Some(r.events[kill].id.to_string().as_str()));
    let time = df.column("time").unwrap().str().unwrap().clone();
    assert_eq!(time.get(kill), Some(r.events[kill].time.rfc3339().as_str()));
    let pid = df.column("pid").unwrap().cast(&DataType::Int64).unwrap();
    assert_eq!(pid.i64().unwrap().get(kill), Some(1121));
    // The hostile command survives CSV quoting intact.
    let msgs = df.column("message").unwrap().str().unwrap().clone();
    assert!(msgs.iter().flatten().any(|m| m.contains(XSS_COMMAND)));
}

#[test]
fn parquet_has_typed_columns_and_round_trips_events() {
    let dir = out_dir("parquet");
    let path = dir.join("events.parquet");
    render(Format::Parquet, &path);
    let r = frappe_report();
    let df = ParquetReader::new(std::fs::File::open(&path).unwrap())
        .finish()
        .unwrap();
    assert_eq!(df.height(), r.events.len());
    assert!(
        matches!(df.column("time").unwrap().dtype(), DataType::Datetime(TimeUnit::Microseconds, Some(tz)) if tz.as_str() == "UTC"),
        "time is {:?}",
        df.column("time").unwrap().dtype()
    );
    assert!(
        matches!(
            df.column("host").unwrap().dtype(),
            DataType::Categorical(..)
        ),
        "host is {:?}",
        df.column("host").unwrap().dtype()
    );
    assert!(matches!(
        df.column("kind").unwrap().dtype(),
        DataType::Categorical(..)
    ));
    assert_eq!(df.column("pid").unwrap().dtype(), &DataType::UInt32);
    assert_eq!(df.column("offset_s").unwrap().dtype(), &DataType::Int32);

    let back = read_events(&path).unwrap();
    assert_eq!(
        back, r.events,
        "events.parquet must round-trip losslessly (ids, offsets, sources, attrs, raw)"
    );
}

#[test]
fn parquet_dir_is_hive_partitioned_and_reads_back() {
    let dir = out_dir("pqdir");
    let target = dir.join("fleet/");
    output::check_writable(&target, false).unwrap();
    output::write(
        &frappe_report(),
        Format::from_path(&target).unwrap(),
        Some(&target),
    )
    .unwrap();
    let r = frappe_report();
    for table in ["events", "incidents", "backup_windows"] {
        for host in ["ap-app1", "edge-7", "eu-web1", "frappe-prod-1"] {
            let p = target
                .join(table)
                .join(format!("host={host}"))
                .join("part-0.parquet");
            assert!(p.is_file(), "{} missing", p.display());
        }
    }
    let prod = ParquetReader::new(
        std::fs::File::open(target.join("events/host=frappe-prod-1/part-0.parquet")).unwrap(),
    )
    .finish()
    .unwrap();
    assert_eq!(
        prod.height(),
        r.events
            .iter()
            .filter(|e| &*e.host == "frappe-prod-1")
            .count()
    );
    assert!(
        prod.column("host").is_err(),
        "the partition column lives in the path, Hive style"
    );
    let inc = ParquetReader::new(
        std::fs::File::open(target.join("incidents/host=frappe-prod-1/part-0.parquet")).unwrap(),
    )
    .finish()
    .unwrap();
    assert_eq!(inc.height(), 1);
    assert_eq!(
        inc.column("supervisor_stopped")
            .unwrap()
            .bool()
            .unwrap()
            .get(0),
        Some(true)
    );
    let bw = ParquetReader::new(
        std::fs::File::open(target.join("backup_windows/host=frappe-prod-1/part-0.parquet"))
            .unwrap(),
    )
    .finish()
    .unwrap();
    assert_eq!(bw.height(), 14);
    assert!(matches!(
        bw.column("end").unwrap().dtype(),
        DataType::Datetime(..)
    ));

    // analyze DIR/: events come back whole, sorted by time, host from the path.
    let mut back = read_events(&target).unwrap();
    let mut want = r.events.clone();
    let key = |e: &logautopsy::events::Event| (e.time.micros, e.id);
    back.sort_by_key(key);
    want.sort_by_key(key);
    assert_eq!(back, want);

    // The directory is a dataset: another host's extract adds its partition, and a rewrite of
    // frappe-prod-1 replaces only its own partitions.
    let mut other = frappe_report();
    other.events.retain(|e| &*e.host == "frappe-prod-1");
    other.events.truncate(5);
    other.hosts.retain(|h| h.name == "frappe-prod-1");
    other.incidents.clear();
    other.backup_windows.clear();
    output::check_writable(&target, false).unwrap();
    tables::write_parquet_dir(&other, &target).unwrap();
    let back = read_events(&target).unwrap();
    assert_eq!(
        back.iter().filter(|e| &*e.host == "frappe-prod-1").count(),
        5
    );
    assert_eq!(
        back.iter().filter(|e| &*e.host == "ap-app1").count(),
        r.events.iter().filter(|e| &*e.host == "ap-app1").count()
    );
    assert!(
        !target
            .join("incidents/host=frappe-prod-1/part-0.parquet")
            .exists()
            || {
                let df = ParquetReader::new(
                    std::fs::File::open(target.join("incidents/host=frappe-prod-1/part-0.parquet"))
                        .unwrap(),
                )
                .finish()
                .unwrap();
                df.height() == 0
            }
    );
}

#[test]
fn hostile_host_names_stay_inside_the_parquet_dir() {
    let dir = out_dir("pqdir-hostile");
    let mut r = frappe_report();
    for e in r.events.iter_mut().filter(|e| &*e.host == "ap-app1") {
        e.host = "../../escape".into();
    }
    r.hosts.retain(|h| h.name != "ap-app1");
    let target = dir.join("out/");
    tables::write_parquet_dir(&r, &target).unwrap();
    assert!(!dir.join("escape").exists() && !dir.parent().unwrap().join("escape").exists());
    let back = read_events(&target).unwrap();
    assert!(
        back.iter().any(|e| &*e.host == "../../escape"),
        "the host name is restored from the encoded partition"
    );
}

#[test]
fn aggregates_count_hours_and_backups() {
    let r = frappe_report();
    let a = tables::aggregates(&r).unwrap();
    let total: u64 = a.events_per_hour.iter().map(|h| h.events).sum();
    assert_eq!(total as usize, r.events.len());
    // frappe-prod-1's fourteen six-hourly runs, all with an end (sample-logs EXPECTED.md): the
    // longest is the night of the incident, 1h 58m 45s.
    let prod = a
        .backups
        .iter()
        .find(|b| b.host == "frappe-prod-1")
        .unwrap();
    assert_eq!((prod.runs, prod.ended), (14, 14));
    assert_eq!(prod.max_s, Some(7125.0));
    assert_eq!(prod.median_s, Some((2117.0 + 2286.0) / 2.0));
    assert_eq!(prod.last_s, Some(2438.0));
    let eu = a.backups.iter().find(|b| b.host == "eu-web1").unwrap();
    assert_eq!(eu.mean_s, Some((1692.0 + 1899.0) / 2.0));
}

#[test]
fn svg_charts_carry_their_text() {
    let r = frappe_report();
    let t = charts::svg(&r, Chart::Timeline).unwrap();
    for label in [
        "ap-app1",
        "edge-7",
        "frappe-prod-1",
        "OOM kill",
        "backup window",
        "Timeline",
    ] {
        assert!(t.contains(label), "timeline.svg lacks {label}");
    }
    assert!(
        t.contains("1h 58m 45s") && t.contains("24m 18s"),
        "backup durations are labelled"
    );
    // Incidents are shaded and named on their lane.
    for label in ["i1 HIGH", "i4 CRITICAL", "incident (id, severity)"] {
        assert!(t.contains(label), "timeline.svg lacks {label}");
    }
    let m = charts::svg(&r, Chart::Memory).unwrap();
    // GiB past 2 GiB, each bar with its size, the victim's row marked.
    for label in [
        "gunicorn",
        "mariadbd",
        "i4 frappe-prod-1",
        "resident memory (GiB)",
        "14.2 GiB · victim",
        "6.0 GiB · backup?",
    ] {
        assert!(m.contains(label), "memory.svg lacks {label}");
    }
    let b = charts::svg(&r, Chart::Backups).unwrap();
    for label in [
        "frappe-prod-1: cd",
        "/home/frappe",
        "run during an incident",
        "&apos;&lt;script&gt;alert(1)&lt;/script&gt;",
    ] {
        assert!(b.contains(label), "backups.svg lacks {label}");
    }
    assert!(
        !t.contains("http://www.w3.org/1999/xlink\" href=\"http"),
        "no external references"
    );
}

/// Counts pixels that are not (nearly) white inside a rectangle.
fn ink(img: &image::RgbImage, x0: u32, y0: u32, x1: u32, y1: u32) -> usize {
    let mut n = 0;
    for y in y0..y1.min(img.height()) {
        for x in x0..x1.min(img.width()) {
            let p = img.get_pixel(x, y).0;
            if p.iter().any(|c| *c < 200) {
                n += 1;
            }
        }
    }
    n
}

#[test]
fn png_charts_draw_text_with_the_embedded_font() {
    let r = frappe_report();
    for chart in [Chart::Timeline, Chart::Memory, Chart::Backups] {
        let png = charts::png(&r, chart).unwrap();
        let img = image::load_from_memory_with_format(&png, image::ImageFormat::Png)
            .unwrap()
            .to_rgb8();
        assert_eq!((img.width(), img.height()), chart.size(&r));
        // The caption band at the top holds only the title text: ink there means glyphs rendered.
        let w = img.width();
        assert!(
            ink(&img, w / 4, 0, 3 * w / 4, 40) > 200,
            "{chart:?}: no caption text drawn"
        );
    }
    // Lane labels (host names) sit in the left label area of the timeline.
    let img = image::load_from_memory(&charts::png(&r, Chart::Timeline).unwrap())
        .unwrap()
        .to_rgb8();
    assert!(
        ink(&img, 15, 60, 120, img.height() - 60) > 100,
        "no host labels drawn"
    );
}

#[test]
fn html_is_self_contained_and_safe() {
    let dir = out_dir("html-static");
    let html = String::from_utf8(render(Format::Html, &dir.join("report.html"))).unwrap();
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "no URL anywhere"
    );
    for attr in ["src=", "href=", "@import", "url("] {
        assert!(!html.contains(attr), "no {attr} in a self-contained report");
    }
    assert!(html.contains(
        "http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'sha256-"
    ));
    // Exactly two script blocks: the data and the app. The hostile command cannot add one.
    assert_eq!(html.matches("<script").count(), 2);
    assert_eq!(html.matches("</script>").count(), 2);
    assert!(html.contains("\\u003cscript\\u003ealert(1)\\u003c/script\\u003e"));
    // The data block parses back to the original text.
    let start = html.find("id=\"logautopsy-data\">").unwrap() + "id=\"logautopsy-data\">".len();
    let end = start + html[start..].find("</script>").unwrap();
    let v: serde_json::Value = serde_json::from_str(&html[start..end]).unwrap();
    assert!(v["ev"]["msg"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m.as_str().unwrap().contains(XSS_COMMAND)));
    assert_eq!(v["incidents"].as_array().unwrap().len(), 4);
    assert_eq!(html::render(&frappe_report()), html);
}

/// An OOM storm's report has more events than a page can draw: the page draws `MAX_DRAWN`,
/// every chain step among them, and says how many there are.
#[test]
fn html_draws_a_sample_of_a_storm_with_every_cited_event() {
    let mut r = frappe_report();
    let base = r.events.len();
    let last = r.events.last().unwrap().clone();
    for k in 0..(html::MAX_DRAWN + 5_000) {
        let mut e = last.clone();
        e.id = logautopsy::events::EventId((base + k + 1) as u32);
        e.time.micros += 1_000 * k as i64;
        r.events.push(e);
    }
    let h = html::render(&r);
    let start = h.find("id=\"logautopsy-data\">").unwrap() + "id=\"logautopsy-data\">".len();
    let end = start + h[start..].find("</script>").unwrap();
    let v: serde_json::Value = serde_json::from_str(&h[start..end]).unwrap();
    let ids: Vec<&str> = v["ev"]["id"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect();
    assert_eq!(v["ev_total"], serde_json::json!(r.events.len()));
    assert!(ids.len() <= html::MAX_DRAWN, "{} drawn", ids.len());
    assert!(ids.len() > html::MAX_DRAWN * 9 / 10, "{} drawn", ids.len());
    for i in &r.incidents {
        for c in &i.chain {
            let id = c.event.to_string();
            assert!(
                ids.contains(&id.as_str()),
                "chain step {id} of {} drawn",
                i.id
            );
        }
    }
    // In time order, as the whole list is.
    let times: Vec<f64> = v["ev"]["t"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_f64().unwrap())
        .collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]));
    // A report that fits is drawn whole.
    let small = frappe_report();
    let h = html::render(&small);
    assert!(h.contains(&format!("\"ev_total\":{}", small.events.len())));
}

#[test]
fn output_paths_are_checked_before_analysis() {
    let dir = out_dir("paths");
    let existing = dir.join("report.md");
    std::fs::write(&existing, "old").unwrap();
    let err = output::check_writable(&existing, false)
        .unwrap_err()
        .to_string();
    assert!(err.contains("--force"), "{err}");
    output::check_writable(&existing, true).unwrap();
    assert_eq!(
        std::fs::read_to_string(&existing).unwrap(),
        "old",
        "the check never truncates"
    );
    let new = dir.join("new.html");
    output::check_writable(&new, false).unwrap();
    assert!(!new.exists(), "the probe file is removed");
    let missing = dir.join("no/such/dir/r.html");
    assert!(output::check_writable(&missing, false)
        .unwrap_err()
        .to_string()
        .contains("does not exist"));
    assert!(output::check_writable(&dir.join("r.docx"), false).is_err());
    // Writing replaces the file whole.
    output::write(&frappe_report(), Format::Markdown, Some(&existing)).unwrap();
    assert!(std::fs::read_to_string(&existing)
        .unwrap()
        .starts_with("# Post-mortem"));
    // Written through a temporary file, yet readable like any report: a new file is rw-r--r--,
    // a replaced one keeps its mode; no temporary file stays behind.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let fresh = dir.join("fresh.md");
        output::write(&frappe_report(), Format::Markdown, Some(&fresh)).unwrap();
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&fresh), 0o644);
        std::fs::set_permissions(&fresh, std::fs::Permissions::from_mode(0o640)).unwrap();
        output::write(&frappe_report(), Format::Markdown, Some(&fresh)).unwrap();
        assert_eq!(mode(&fresh), 0o640);
        let left: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().ends_with(".logautopsy-tmp"))
            .collect();
        assert!(left.is_empty(), "{left:?}");
    }
}

#[test]
fn markdown_and_charts_cope_with_an_empty_report() {
    let mut r = frappe_report();
    r.events.clear();
    r.incidents.clear();
    r.backup_windows.clear();
    r.backup_jobs.clear();
    r.fleet.clear();
    let md = markdown::render(&r, &tables::aggregates(&r).unwrap());
    assert!(md.contains("No incidents found"));
    for c in [Chart::Timeline, Chart::Memory, Chart::Backups] {
        assert!(
            charts::svg(&r, c).unwrap().contains("No "),
            "{c:?} says why it is empty"
        );
        charts::png(&r, c).unwrap();
    }
    let h = html::render(&r);
    assert!(h.contains("\"incidents\":[]"));
}

/// A recommendation two incidents share is stated once, naming both and the evidence of both.
#[test]
fn markdown_states_a_shared_recommendation_once() {
    let mut r = frappe_report();
    let shared = r.incidents[0].recommendations[0].clone();
    let mut copy = shared.clone();
    copy.id = "i2-copy".into();
    copy.evidence = r.incidents[1].evidence[..1].to_vec();
    r.incidents[1].recommendations.push(copy);
    let md = logautopsy::render::markdown::render(&r, &Default::default());
    let items: Vec<&str> = md
        .lines()
        .filter(|l| l.contains(&logautopsy::render::markdown::rich(&shared.text)))
        .collect();
    assert_eq!(items.len(), 1, "{items:#?}");
    assert!(
        items[0].contains("_(from i1, i2; evidence: "),
        "{}",
        items[0]
    );
    assert!(
        items[0].contains(&r.incidents[1].evidence[0].to_string()),
        "{}",
        items[0]
    );
}
