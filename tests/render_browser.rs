//! The HTML timeline in a real headless Chromium (Debian `chromium` + `chromium-driver`, driven
//! over WebDriver by `tests/browser/`): it loads with no console errors and no network requests,
//! draws lanes and incidents, shows evidence for a clicked incident and a clicked marker, shows
//! hostile log text as text without running it, switches to host-local time, and stays usable
//! with 100,000 events. Screenshots go to `target/test-output/browser/`.
//!
//! Without the browser the tests print `SKIPPED: …` and pass — unless `CI` is set, where they fail.
//! Both scenarios run in one test function so the (slow) browser starts once.

use crate::browser;
use crate::support::fixture;

use fixture::{big_report, frappe_report, XSS_COMMAND};
use logautopsy::render::html;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::Duration;

fn out_dir() -> PathBuf {
    let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-output/browser");
    std::fs::create_dir_all(&d).unwrap();
    d
}

const READY: &str = "return document.body.dataset.ready === '1'";

/// Writes `report` as `name` in the test's output folder, opens it and waits until the page has
/// drawn.
fn open(d: &browser::Driver, name: &str, report: &logautopsy::report::Report) {
    let page = out_dir().join(name);
    std::fs::write(&page, html::render(report)).unwrap();
    d.goto(&page).unwrap();
    d.wait_for(READY, Duration::from_secs(60)).unwrap();
}

fn no_console_errors(d: &browser::Driver, when: &str) {
    let logs = d.console().unwrap();
    let bad: Vec<&Value> = logs
        .iter()
        .filter(|l| l["level"] == "SEVERE" || l["level"] == "WARNING")
        .collect();
    assert!(bad.is_empty(), "{when}: console errors: {bad:#?}");
}

fn only_local_requests(d: &browser::Driver, when: &str) {
    let reqs = d.requests().unwrap();
    // Requests the report page made: only the page itself (file://) is allowed.
    let ours: Vec<&(String, String)> = reqs
        .iter()
        .filter(|(doc, _)| doc.starts_with("file://"))
        .collect();
    assert!(
        !ours.is_empty(),
        "{when}: the performance log saw the page load"
    );
    let bad: Vec<&String> = ours
        .iter()
        .map(|(_, u)| u)
        .filter(|u| !u.starts_with("file://"))
        .collect();
    assert!(
        bad.is_empty(),
        "{when}: the report made network requests: {bad:?}"
    );
    // And nothing anywhere left the machine.
    let remote: Vec<&String> = reqs
        .iter()
        .map(|(_, u)| u)
        .filter(|u| u.starts_with("http:") || u.starts_with("https:") || u.starts_with("ws"))
        .collect();
    assert!(remote.is_empty(), "{when}: remote requests: {remote:?}");
}

#[test]
fn html_report_in_headless_chromium() {
    let Some(d) = browser::require_browser() else {
        return;
    };
    let dir = out_dir();

    // ---- the Frappe cascade report ----
    open(&d, "report.html", &frappe_report());
    no_console_errors(&d, "load");
    assert_eq!(d.alert_text(), None, "no dialog may open");

    // Lanes: one per host plus its units/programs, labelled.
    let lanes: Vec<String> = serde_json::from_value(
        d.exec("return Array.from(document.querySelectorAll('.lane-label.host')).map(function (n) { return n.textContent; })").unwrap(),
    )
    .unwrap();
    assert_eq!(
        lanes,
        ["ap-app1", "edge-7", "eu-web1", "frappe-prod-1", "us-db1"]
    );
    let sub = d
        .exec("return document.querySelectorAll('.lane-label.sub').length")
        .unwrap()
        .as_u64()
        .unwrap();
    assert!(sub >= 3, "unit/program lanes drawn ({sub})");
    let markers = d
        .exec("return +document.getElementById('timeline').dataset.markers")
        .unwrap()
        .as_u64()
        .unwrap();
    assert!(markers > 10, "markers drawn: {markers}");
    let inked = d
        .exec(
            "var c = document.getElementById('timeline'), x = c.getContext('2d').getImageData(0, 0, c.width, c.height).data, n = 0;\
             for (var i = 0; i < x.length; i += 4) if (x[i + 3] > 0 && (x[i] < 200 || x[i + 1] < 200 || x[i + 2] < 200)) n++; return n;",
        )
        .unwrap()
        .as_u64()
        .unwrap();
    assert!(
        inked > 1000,
        "the canvas is drawn on ({inked} coloured pixels)"
    );
    assert_eq!(
        d.exec("return document.querySelectorAll('.incident').length")
            .unwrap(),
        4
    );
    // Is it the backup? The same sentences as the terminal and Markdown, above the list.
    let linked: Vec<String> = serde_json::from_value(
        d.exec("return Array.from(document.querySelectorAll('#incidents > .association > p')).map(function (n) { return n.textContent; })").unwrap(),
    )
    .unwrap();
    let report = frappe_report();
    let want: Vec<&str> = logautopsy::render::association_rows(&report)
        .iter()
        .map(|a| a.summary.as_str())
        .collect();
    assert!(!want.is_empty());
    assert_eq!(linked, want);
    assert_eq!(
        d.exec("return document.querySelector('#incidents').firstElementChild.className")
            .unwrap(),
        "association"
    );

    // Clicking the cascade shows its chain with path:line and the raw lines.
    d.click(".incident[data-id='i4']").unwrap();
    let ev = d.text("#evidence").unwrap();
    assert!(ev.contains("oom-cascade on frappe-prod-1"), "{ev}");
    assert!(
        ev.contains("frappe-oom-cascade/logs/var/log/kern.log:34"),
        "evidence names path:line: {ev}"
    );
    assert!(
        ev.contains("OOM killer killed pid 1121 (python3)"),
        "the chain in words: {ev}"
    );
    assert!(ev.contains("remains running after the unit stopped (and 13 more like it)"));
    assert!(ev.contains("OOMPolicy=continue"), "recommendations shown");
    assert!(ev.contains("mariadbd"), "memory table shown");
    d.screenshot(&dir.join("incident-i4.png")).unwrap();
    // Opening an incident puts it in the URL: a link to paste into the incident channel.
    assert_eq!(d.exec("return location.hash").unwrap(), "#i4");

    // Clicking a marker on the canvas: the OOM kill of python3 in eu-web1's supervisor.service
    // lane (i3, a host at +02:00), with i3 opened so the view frames it.
    d.click(".incident[data-id='i3']").unwrap();
    let pos = d
        .exec(
            "var D = JSON.parse(document.getElementById('logautopsy-data').textContent);\
             var i = D.ev.id.indexOf(D.incidents[2].oom_kills[0].event);\
             var v = document.getElementById('timeline').dataset.view.split(',').map(Number), t0 = v[0], t1 = v[1];\
             var c = document.getElementById('timeline'), w = c.clientWidth, h = c.clientHeight;\
             var lab = document.querySelector('.lane-label[data-lane=\"' + D.ev.lane[i] + '\"]');\
             return [(D.ev.t[i] - t0) / (t1 - t0) * w, lab.offsetTop + lab.offsetHeight / 2, w, h];",
        )
        .unwrap();
    let p: Vec<f64> = serde_json::from_value(pos).unwrap();
    d.exec("document.getElementById('canvas-wrap').scrollIntoView({block: 'center'}); return true")
        .unwrap();
    d.click_at("#timeline", p[0], p[1]).unwrap();
    let ev = d.text("#evidence").unwrap();
    assert!(
        ev.contains("oom_kill"),
        "clicked marker shows its event: {ev}"
    );
    assert!(ev.contains("Killed process 5106 (python3)"), "{ev}");
    assert!(
        ev.contains("host local") && ev.contains("+02:00"),
        "local time with offset: {ev}"
    );

    // Hostile log text: shown as text, nothing runs, nothing is parsed as HTML.
    d.click(".incident[data-id='i1']").unwrap();
    let ev = d.text("#evidence").unwrap();
    assert!(
        ev.contains(XSS_COMMAND),
        "the hostile command is shown verbatim: {ev}"
    );
    assert_eq!(d.alert_text(), None, "alert(1) must not run");
    assert_eq!(
        d.exec("return document.scripts.length").unwrap(),
        2,
        "no script element was injected"
    );
    assert_eq!(
        d.exec("return document.querySelectorAll('#evidence b, #incidents b').length")
            .unwrap(),
        0,
        "<b> from a log stays text"
    );

    // Host-local time switch.
    d.exec("var s = document.getElementById('tz'); s.value = 'local'; s.dispatchEvent(new Event('change')); return true").unwrap();
    let incs = d.text("#incidents").unwrap();
    assert!(
        incs.contains("+05:30") && incs.contains("+02:00"),
        "incident times in each host's zone: {incs}"
    );
    assert!(d.text("#axis-note").unwrap().contains("local"));

    // Filters and zoom keep working without errors.
    d.click("input[data-host='1']").unwrap();
    assert_eq!(
        d.exec("return document.querySelectorAll('.lane-label.host').length")
            .unwrap(),
        4
    );
    d.click("#zoom-in").unwrap();
    d.click("#zoom-reset").unwrap();
    d.click("input[data-kind='cron']").unwrap();
    d.screenshot(&dir.join("report.png")).unwrap();
    no_console_errors(&d, "after interaction");
    only_local_requests(&d, "frappe report");
    assert_eq!(d.alert_text(), None);

    // ---- 100,000 events ----
    let big = big_report(100_000);
    assert!(
        (95_000..110_000).contains(&big.events.len()),
        "{} events",
        big.events.len()
    );
    let page = dir.join("big.html");
    std::fs::write(&page, html::render(&big)).unwrap();
    let started = std::time::Instant::now();
    d.goto(&page).unwrap();
    // Generous bound: a laptop loads it in ~1-2 s; this guards against quadratic blow-ups,
    // not against a slow CI machine.
    let took = d.wait_for(READY, Duration::from_secs(120)).unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(120),
        "load took {:?}",
        started.elapsed()
    );
    eprintln!(
        "100k-event report: navigation {:?}, then ready after {took:?}",
        started.elapsed() - took
    );
    let n = d
        .exec(
            "return JSON.parse(document.getElementById('logautopsy-data').textContent).ev.t.length",
        )
        .unwrap();
    assert_eq!(n.as_u64().unwrap() as usize, big.events.len());
    let markers = d
        .exec("return +document.getElementById('timeline').dataset.markers")
        .unwrap()
        .as_u64()
        .unwrap();
    assert!(
        markers > 0 && markers < 200_000,
        "pixel de-duplication keeps drawing bounded: {markers}"
    );
    // Zooming, enabling the densest class and redrawing: each step must finish (bounded, generous).
    let step = d
        .exec(
            "var t = performance.now(); document.querySelector(\"input[data-kind='cron']\").click();\
             for (var k = 0; k < 5; k++) document.getElementById('zoom-in').click();\
             document.getElementById('zoom-reset').click(); return performance.now() - t;",
        )
        .unwrap()
        .as_f64()
        .unwrap();
    eprintln!("100k: cron filter + 6 redraws in {step:.0} ms");
    assert!(step < 30_000.0, "redraws took {step} ms");
    d.click(".incident[data-id='i1']").unwrap();
    assert!(d
        .text("#evidence")
        .unwrap()
        .contains("OOM killer killed pid 5120 (python3)"));
    d.screenshot(&dir.join("big.png")).unwrap();
    no_console_errors(&d, "100k events");
    only_local_requests(&d, "100k events");
}

/// `report.html#iN` opens the page framed on incident N: selected, its host shown, the view
/// from just before its backup's start to just after its last line — on load and on a hash
/// change.
#[test]
fn deep_links_frame_their_incident() {
    let Some(d) = browser::require_browser() else {
        return;
    };
    let report = frappe_report();
    open(&d, "deep-link.html", &report);
    let framed = |id: &str| {
        let selected = d
            .exec("var n = document.querySelector('.incident.selected'); return n ? n.dataset.id : null")
            .unwrap();
        assert_eq!(selected, id, "selected incident");
        let view: Vec<f64> = d
            .exec("return document.getElementById('timeline').dataset.view.split(',').map(Number)")
            .map(|v| serde_json::from_value(v).unwrap())
            .unwrap();
        let inc = report.incidents.iter().find(|i| i.id == id).unwrap();
        let (s, e) = (inc.start.micros as f64 / 1e3, inc.end.micros as f64 / 1e3);
        let from = inc
            .backup_window
            .and_then(|b| report.backup_windows.iter().find(|w| w.id == b))
            .map_or(s, |w| (w.start.micros as f64 / 1e3).min(s));
        assert!(view[0] < from && view[1] > e, "{view:?} frames {from}…{e}");
        // Framed, not the whole range: at most the incident and its backup, plus margins.
        assert!(
            view[1] - view[0] <= (e - from).max(600e3) * 1.25,
            "{view:?}"
        );
    };
    d.exec("location.hash = '#i2'; return true").unwrap();
    d.wait_for(
        "var n = document.querySelector('.incident.selected'); return !!n && n.dataset.id === 'i2'",
        Duration::from_secs(10),
    )
    .unwrap();
    framed("i2");
    // On load, as when the link is opened from a chat message.
    d.exec(
        "document.body.dataset.ready = '0'; location.hash = '#i1'; location.reload(); return true",
    )
    .unwrap();
    d.wait_for(READY, Duration::from_secs(60)).unwrap();
    framed("i1");
    no_console_errors(&d, "deep link");

    // The page formats durations and sizes as the report does (src/format.rs): one rule
    // everywhere.
    let js = |f: &str, probes: String| -> Vec<String> {
        serde_json::from_value(
            d.exec(&format!("return {probes}.map(window.logautopsyFormat.{f})"))
                .unwrap(),
        )
        .unwrap()
    };
    let durations = logautopsy::format::DURATION_PROBES;
    let want: Vec<String> = durations
        .iter()
        .map(|&s| logautopsy::format::duration(s))
        .collect();
    assert_eq!(js("duration", format!("{durations:?}")), want);
    let sizes = logautopsy::format::SIZE_PROBES;
    let want: Vec<String> = sizes
        .iter()
        .map(|&k| logautopsy::format::size_kb(k))
        .collect();
    assert_eq!(js("size", format!("{sizes:?}")), want);
}

/// Finding one's way on the page: the overview strip and the timeline zoom to a dragged
/// range (shift+drag pans), previous/next step through the incidents, the search dims what
/// does not match and Enter opens the next match, a host's lanes fold, routine lanes stay
/// hidden until their kind is shown, recommendations link their evidence, and the page
/// follows a dark colour scheme.
#[test]
fn timeline_navigation_in_headless_chromium() {
    let Some(d) = browser::require_browser() else {
        return;
    };
    let report = frappe_report();
    open(&d, "navigation.html", &report);
    let view =
        || -> Vec<f64> {
            serde_json::from_value(
            d.exec("return document.getElementById('timeline').dataset.view.split(',').map(Number)")
                .unwrap(),
        )
        .unwrap()
        };
    // On load: the whole range, and the worst incident's evidence (never an empty panel).
    let full = view();
    // The worst incident: critical, the earlier of the two cascades.
    assert!(d
        .text("#evidence")
        .unwrap()
        .contains("oom-cascade on ap-app1"));

    // Drag on the timeline: the view becomes the dragged range (a tenth of the width here).
    let w = d
        .exec("return document.getElementById('timeline').clientWidth")
        .unwrap()
        .as_f64()
        .unwrap();
    d.drag("#timeline", w * 0.40, w * 0.50, 40.0, false)
        .unwrap();
    let z = view();
    let (span, zspan) = (full[1] - full[0], z[1] - z[0]);
    assert!(
        (zspan / span - 0.10).abs() < 0.02,
        "dragged a tenth: {zspan} of {span}"
    );
    assert!(
        (z[0] - (full[0] + span * 0.40)).abs() < span * 0.02,
        "{z:?} from {full:?}"
    );
    // Shift+drag pans: same span, moved.
    d.drag("#timeline", w * 0.50, w * 0.25, 40.0, true).unwrap();
    let p = view();
    assert!(((p[1] - p[0]) - zspan).abs() < 2.0, "pan keeps the span");
    assert!(
        p[0] > z[0] + zspan * 0.2,
        "panned later in time: {p:?} after {z:?}"
    );
    // The overview: drag the first half of the whole range.
    let ow = d
        .exec("return document.getElementById('overview').clientWidth")
        .unwrap()
        .as_f64()
        .unwrap();
    d.drag("#overview", 0.0, ow * 0.5, 18.0, false).unwrap();
    let o = view();
    assert!(
        (o[0] - full[0]).abs() < span * 0.02 && ((o[1] - o[0]) / span - 0.5).abs() < 0.02,
        "{o:?}"
    );

    // Previous/next incident: i1, then i2, framed and in the URL.
    d.exec("history.replaceState(null, '', location.pathname); return true")
        .unwrap();
    d.click("#zoom-reset").unwrap();
    d.click("#inc-prev").unwrap();
    d.click("#inc-prev").unwrap();
    let sel = || {
        d.exec(
            "var n = document.querySelector('.incident.selected'); return n ? n.dataset.id : null",
        )
        .unwrap()
    };
    assert_eq!(sel(), "i1", "previous stops at the first");
    d.click("#inc-next").unwrap();
    assert_eq!(sel(), "i2", "next moves on");
    assert_eq!(
        d.exec("return location.hash").unwrap(),
        format!("#{}", sel().as_str().unwrap())
    );

    // Search: matches counted, misses drawn faint, Enter opens the next match.
    d.exec("var s = document.getElementById('search'); s.value = 'Killed process'; s.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter'})); return true").unwrap();
    let n: usize = d
        .exec("return document.getElementById('search').dataset.matches")
        .unwrap()
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let want = report
        .events
        .iter()
        .filter(|e| e.message.contains("Killed process"))
        .count();
    assert_eq!(n, want);
    let ev = d.text("#evidence").unwrap();
    assert!(ev.contains("Killed process"), "Enter opened a match: {ev}");
    assert!(d.text("#events-count").unwrap().contains("matching"));
    d.exec("var s = document.getElementById('search'); s.value = ''; s.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter'})); return true").unwrap();

    // Folding a host: its sub-lanes go, its events stay drawn in its own row.
    let subs = || {
        d.exec("return document.querySelectorAll('.lane-label.sub').length")
            .unwrap()
            .as_u64()
            .unwrap()
    };
    let before = subs();
    d.click(".lane-label.host.expanded").unwrap();
    assert!(subs() < before, "folded: {} of {before}", subs());
    assert_eq!(
        d.exec("return document.querySelectorAll('.lane-label.host.collapsed').length")
            .unwrap(),
        1
    );
    d.click(".lane-label.host.collapsed").unwrap();
    assert_eq!(subs(), before);
    // A lane whose every event is of a hidden kind is not drawn (cron is hidden by default):
    // hiding supervisord's kinds takes the program lanes away, showing them brings them back.
    d.click("input[data-kind='sup']").unwrap();
    d.click("input[data-kind='other']").unwrap();
    let without = subs();
    assert!(without < before, "{without} lanes left of {before}");
    assert!(
        d.text("#lane-labels")
            .unwrap()
            .contains("supervisor.service"),
        "units stay"
    );
    d.click("input[data-kind='sup']").unwrap();
    d.click("input[data-kind='other']").unwrap();
    assert_eq!(subs(), before);

    // A recommendation's evidence chip opens that event.
    d.click(".incident[data-id='i1']").unwrap();
    let chip = d.exec("var c = document.querySelector('#evidence ul.recs .evlink.chip'); return c ? c.textContent : null").unwrap();
    let id = chip
        .as_str()
        .expect("recommendations cite their evidence")
        .to_string();
    d.click("#evidence ul.recs .evlink.chip").unwrap();
    let ev = d.text("#evidence").unwrap();
    assert!(ev.contains(&id), "the chip opened {id}: {ev}");

    no_console_errors(&d, "navigation");
    only_local_requests(&d, "navigation");
}

/// The page follows `prefers-color-scheme: dark` (the canvas reads its colours from the
/// stylesheet, so the lanes go dark with the rest), and prints the answer without controls.
#[test]
fn dark_colour_scheme_and_print() {
    let Some(d) = browser::require_browser() else {
        return;
    };
    open(&d, "dark.html", &frappe_report());
    // Emulated through the DevTools protocol Chromium's driver exposes.
    d.http(
        "POST",
        &d.s("/goog/cdp/execute"),
        Some(serde_json::json!({"cmd": "Emulation.setEmulatedMedia", "params": {"features": [{"name": "prefers-color-scheme", "value": "dark"}]}})),
    )
    .unwrap();
    d.wait_for(
        "return matchMedia('(prefers-color-scheme: dark)').matches",
        Duration::from_secs(10),
    )
    .unwrap();
    let bg = d
        .exec("return getComputedStyle(document.body).backgroundColor")
        .unwrap();
    assert_eq!(bg, "rgb(20, 23, 28)");
    // A lane background pixel, away from markers, goes dark once the page has redrawn (the
    // media change event comes asynchronously).
    let px = "var c = document.getElementById('timeline'), g = c.getContext('2d');\
              var p = g.getImageData(3, Math.round(40 * (window.devicePixelRatio || 1)), 1, 1).data;";
    d.wait_for(
        "return document.documentElement.dataset.scheme === 'dark'",
        Duration::from_secs(10),
    )
    .unwrap();
    let seen: Vec<u64> =
        serde_json::from_value(d.exec(&format!("{px} return [p[0], p[1], p[2]];")).unwrap())
            .unwrap();
    assert!(seen.iter().all(|&c| c < 80), "lane drawn dark: {seen:?}");

    // Printed: the incidents with their chains and advice; no controls, no canvas.
    d.http(
        "POST",
        &d.s("/goog/cdp/execute"),
        Some(
            serde_json::json!({"cmd": "Emulation.setEmulatedMedia", "params": {"media": "print"}}),
        ),
    )
    .unwrap();
    let shown = |css: &str| {
        d.exec(&format!(
            "var n = document.querySelector({css:?}); return !!n && getComputedStyle(n).display !== 'none';"
        ))
        .unwrap()
    };
    assert_eq!(shown("#controls"), false);
    assert_eq!(shown("main"), false);
    assert_eq!(shown(".incident .print-only"), true);
    let printed = d.text(".incident[data-id='i4'] .print-only").unwrap();
    assert!(
        printed.contains("Recommendations") && printed.contains("OOMPolicy=continue"),
        "{printed}"
    );
    no_console_errors(&d, "dark");
}
