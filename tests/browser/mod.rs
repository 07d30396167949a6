//! A minimal WebDriver client for the HTML report tests: starts Debian's `chromedriver` on a free
//! 127.0.0.1 port, drives the system `chromium` headless with a fresh profile, and speaks just
//! enough HTTP/1.1 over `std::net` to do it (no HTTP crate: one more dependency to compile five
//! times a day for ~150 lines of test code is not worth it).
//!
//! `Driver::start()` returns `Ok(None)` when the browser or driver is not installed, so a local
//! run can skip with a clear message; `require_browser()` turns that into a failure under `CI`.
#![allow(dead_code)]

use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const CHROMIUM_CANDIDATES: &[&str] = &[
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/bin/google-chrome",
];
pub const DRIVER_CANDIDATES: &[&str] = &["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"];

pub struct Driver {
    child: Child,
    port: u16,
    session: String,
    _profile: tempfile::TempDir,
}

fn find(cands: &[&str], name: &str) -> Option<PathBuf> {
    cands
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
        .or_else(|| {
            std::env::var_os("PATH").and_then(|paths| {
                std::env::split_paths(&paths)
                    .map(|d| d.join(name))
                    .find(|p| p.is_file())
            })
        })
}

/// `Some(driver)`, or `None` after printing why the browser test is skipped; panics under `CI`.
pub fn require_browser() -> Option<Driver> {
    match Driver::start() {
        Ok(Some(d)) => Some(d),
        Ok(None) => {
            let msg = "headless Chromium not found: install the Debian packages `chromium` and \
                       `chromium-driver` (apt-get install -y chromium chromium-driver) to run the HTML browser tests";
            if std::env::var_os("CI").is_some() {
                panic!("CI is set, so the browser test must run: {msg}");
            }
            eprintln!("SKIPPED: {msg}");
            None
        }
        Err(e) => panic!("could not start chromedriver/chromium: {e}"),
    }
}

fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

impl Driver {
    pub fn start() -> Result<Option<Driver>, String> {
        let (Some(browser), Some(driver)) = (
            find(CHROMIUM_CANDIDATES, "chromium"),
            find(DRIVER_CANDIDATES, "chromedriver"),
        ) else {
            return Ok(None);
        };
        let port = free_port().map_err(|e| e.to_string())?;
        let child = Command::new(&driver)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("{}: {e}", driver.display()))?;
        let profile = tempfile::tempdir().map_err(|e| e.to_string())?;
        let mut d = Driver {
            child,
            port,
            session: String::new(),
            _profile: profile,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(v) = d.http("GET", "/status", None) {
                if v["value"]["ready"].as_bool() == Some(true) {
                    break;
                }
            }
            if Instant::now() > deadline {
                return Err("chromedriver did not become ready within 30 s".into());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "unhandledPromptBehavior": "ignore",
            "goog:loggingPrefs": {"browser": "ALL", "performance": "ALL"},
            "goog:chromeOptions": {
                "binary": browser.to_string_lossy(),
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--no-first-run", "--no-default-browser-check", "--window-size=1400,1000",
                    format!("--user-data-dir={}", d._profile.path().display()),
                ]
            }
        }}});
        let v = d.http("POST", "/session", Some(caps))?;
        d.session = v["value"]["sessionId"]
            .as_str()
            .ok_or_else(|| format!("no session: {v}"))?
            .to_string();
        Ok(Some(d))
    }

    /// One HTTP request to chromedriver; returns the JSON body, or the WebDriver error as Err.
    pub fn http(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, String> {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).map_err(|e| e.to_string())?;
        s.set_read_timeout(Some(Duration::from_secs(180))).ok();
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let req = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.port,
            body.len()
        );
        s.write_all(req.as_bytes()).map_err(|e| e.to_string())?;
        // chromedriver keeps the connection open despite `Connection: close`: read the headers,
        // then exactly Content-Length bytes (or chunks), never "to the end".
        let mut buf = Vec::new();
        let mut chunk = [0u8; 65536];
        let split = loop {
            if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break p;
            }
            let n = s.read(&mut chunk).map_err(|e| e.to_string())?;
            if n == 0 {
                return Err("connection closed before the HTTP headers ended".into());
            }
            buf.extend_from_slice(&chunk[..n]);
        };
        let head = String::from_utf8_lossy(&buf[..split]).to_ascii_lowercase();
        let len = head.lines().find_map(|l| {
            l.strip_prefix("content-length:")
                .and_then(|v| v.trim().parse::<usize>().ok())
        });
        let mut payload = buf[split + 4..].to_vec();
        match len {
            Some(len) => {
                while payload.len() < len {
                    let n = s.read(&mut chunk).map_err(|e| e.to_string())?;
                    if n == 0 {
                        break;
                    }
                    payload.extend_from_slice(&chunk[..n]);
                }
                payload.truncate(len);
            }
            None => {
                let _ = s.read_to_end(&mut payload);
                if head.contains("transfer-encoding: chunked")
                    || head.contains("transfer-encoding:chunked")
                {
                    payload = dechunk(&payload);
                }
            }
        }
        let v: Value = serde_json::from_slice(&payload)
            .map_err(|e| format!("{e}: {}", String::from_utf8_lossy(&payload)))?;
        if v["value"].get("error").is_some() {
            return Err(format!(
                "{}: {}",
                v["value"]["error"], v["value"]["message"]
            ));
        }
        Ok(v)
    }

    pub fn s(&self, rest: &str) -> String {
        format!("/session/{}{rest}", self.session)
    }

    pub fn goto(&self, path: &Path) -> Result<(), String> {
        let url = format!(
            "file://{}",
            path.canonicalize().map_err(|e| e.to_string())?.display()
        );
        self.http("POST", &self.s("/url"), Some(json!({ "url": url })))
            .map(|_| ())
    }

    pub fn exec(&self, script: &str) -> Result<Value, String> {
        self.http(
            "POST",
            &self.s("/execute/sync"),
            Some(json!({"script": script, "args": []})),
        )
        .map(|v| v["value"].clone())
    }

    /// Polls `script` until it returns true.
    pub fn wait_for(&self, script: &str, timeout: Duration) -> Result<Duration, String> {
        let t = Instant::now();
        loop {
            if self.exec(script)? == Value::Bool(true) {
                return Ok(t.elapsed());
            }
            if t.elapsed() > timeout {
                return Err(format!("timed out after {timeout:?} waiting for {script}"));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn find(&self, css: &str) -> Result<String, String> {
        let v = self.http(
            "POST",
            &self.s("/element"),
            Some(json!({"using": "css selector", "value": css})),
        )?;
        v["value"]
            .as_object()
            .and_then(|o| o.values().next())
            .and_then(|x| x.as_str())
            .map(str::to_string)
            .ok_or_else(|| format!("no element id for {css}"))
    }

    pub fn click(&self, css: &str) -> Result<(), String> {
        let id = self.find(css)?;
        self.http(
            "POST",
            &self.s(&format!("/element/{id}/click")),
            Some(json!({})),
        )
        .map(|_| ())
    }

    /// Scrolls the row `y` CSS pixels below the element's top to the middle of the window (a
    /// canvas taller than the window would otherwise have that row out of it), and returns the
    /// element's top-left corner in viewport pixels, where pointer actions are given.
    fn origin_with_row_shown(&self, css: &str, y: f64) -> Result<(f64, f64), String> {
        let r = self.exec(&format!(
            "var n = document.querySelector({}), r = n.getBoundingClientRect(); window.scrollBy(0, r.top + {y} - innerHeight / 2);\
             r = n.getBoundingClientRect(); return [r.left, r.top];",
            json!(css)
        ))?;
        Ok((r[0].as_f64().unwrap_or(0.0), r[1].as_f64().unwrap_or(0.0)))
    }

    /// Clicks at (x, y) CSS pixels from the top-left corner of the element matched by `css`
    /// (viewport-origin pointer actions: the element-origin form differs between drivers).
    pub fn click_at(&self, css: &str, x: f64, y: f64) -> Result<(), String> {
        let (left, top) = self.origin_with_row_shown(css, y)?;
        let (vx, vy) = ((left + x).round() as i64, (top + y).round() as i64);
        let actions = json!({"actions": [{"type": "pointer", "id": "mouse", "parameters": {"pointerType": "mouse"}, "actions": [
            {"type": "pointerMove", "duration": 0, "origin": "viewport", "x": vx, "y": vy},
            {"type": "pointerDown", "button": 0},
            {"type": "pointerUp", "button": 0}
        ]}]});
        self.http("POST", &self.s("/actions"), Some(actions))
            .map(|_| ())
    }

    /// Drags with the left button from (x0, y) to (x1, y), CSS pixels from the element's
    /// top-left corner, in a few steps (as a hand does), optionally holding shift.
    pub fn drag(&self, css: &str, x0: f64, x1: f64, y: f64, shift: bool) -> Result<(), String> {
        let (left, top) = self.origin_with_row_shown(css, y)?;
        let at = |x: f64| (left + x).round() as i64;
        let vy = (top + y).round() as i64;
        let mut pointer = vec![
            json!({"type": "pointerMove", "duration": 0, "origin": "viewport", "x": at(x0), "y": vy}),
            json!({"type": "pointerDown", "button": 0}),
        ];
        for k in 1..=4 {
            let x = x0 + (x1 - x0) * k as f64 / 4.0;
            pointer.push(json!({"type": "pointerMove", "duration": 20, "origin": "viewport", "x": at(x), "y": vy}));
        }
        pointer.push(json!({"type": "pointerUp", "button": 0}));
        let mut sources = vec![
            json!({"type": "pointer", "id": "mouse", "parameters": {"pointerType": "mouse"}, "actions": pointer}),
        ];
        if shift {
            // Key and pointer ticks run side by side: shift goes down in the first tick and
            // up after the last.
            let mut keys = vec![json!({"type": "keyDown", "value": "\u{E008}"})];
            keys.extend((0..6).map(|_| json!({"type": "pause", "duration": 0})));
            keys.push(json!({"type": "keyUp", "value": "\u{E008}"}));
            sources.push(json!({"type": "key", "id": "keyboard", "actions": keys}));
        }
        self.http(
            "POST",
            &self.s("/actions"),
            Some(json!({"actions": sources})),
        )?;
        self.http("DELETE", &self.s("/actions"), None).map(|_| ())
    }

    pub fn text(&self, css: &str) -> Result<String, String> {
        let v = self.exec(&format!(
            "var n = document.querySelector({}); return n ? n.textContent : null;",
            json!(css)
        ))?;
        v.as_str()
            .map(str::to_string)
            .ok_or_else(|| format!("no element {css}"))
    }

    /// Browser console entries (`{level, message}`) since the last call.
    pub fn console(&self) -> Result<Vec<Value>, String> {
        let v = self.http("POST", &self.s("/se/log"), Some(json!({"type": "browser"})))?;
        Ok(v["value"].as_array().cloned().unwrap_or_default())
    }

    /// Every network request since the last call, as (document URL, request URL) pairs from the
    /// DevTools performance log. The browser's own new-tab page shows up too (`chrome://…`).
    pub fn requests(&self) -> Result<Vec<(String, String)>, String> {
        let v = self.http(
            "POST",
            &self.s("/se/log"),
            Some(json!({"type": "performance"})),
        )?;
        let mut urls = Vec::new();
        for entry in v["value"].as_array().cloned().unwrap_or_default() {
            let msg: Value = serde_json::from_str(entry["message"].as_str().unwrap_or("{}"))
                .unwrap_or(Value::Null);
            if msg["message"]["method"] == "Network.requestWillBeSent" {
                let p = &msg["message"]["params"];
                urls.push((
                    p["documentURL"].as_str().unwrap_or("").to_string(),
                    p["request"]["url"].as_str().unwrap_or("").to_string(),
                ));
            }
        }
        Ok(urls)
    }

    /// The text of an open alert/confirm/prompt, if any.
    pub fn alert_text(&self) -> Option<String> {
        self.http("GET", &self.s("/alert/text"), None)
            .ok()
            .map(|v| v["value"].to_string())
    }

    pub fn screenshot(&self, to: &Path) -> Result<(), String> {
        use base64::Engine;
        let v = self.http("GET", &self.s("/screenshot"), None)?;
        let png = base64::engine::general_purpose::STANDARD
            .decode(v["value"].as_str().unwrap_or(""))
            .map_err(|e| e.to_string())?;
        std::fs::write(to, png).map_err(|e| e.to_string())
    }
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = b.windows(2).position(|w| w == b"\r\n") {
        let size =
            usize::from_str_radix(String::from_utf8_lossy(&b[..eol]).trim(), 16).unwrap_or(0);
        if size == 0 || b.len() < eol + 2 + size {
            break;
        }
        out.extend_from_slice(&b[eol + 2..eol + 2 + size]);
        b = &b[(eol + 4 + size).min(b.len())..];
    }
    out
}

impl Drop for Driver {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = self.http("DELETE", &self.s(""), None);
        }
        // Only the chromedriver this Driver started, by its own handle.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
