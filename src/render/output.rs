//! Choosing an output format and writing a `Report` in it.
//!
//! `-o PATH` picks the format from the extension (`.html .md .json .csv .parquet .png .svg`; a path
//! ending in `/` or naming an existing directory is a Hive-partitioned Parquet directory), and
//! `--format NAME` forces one on stdout. The CLI calls [`check_writable`] for every `-o` path
//! *before* the analysis starts, so a typo in a path costs nothing; then [`write`] renders each
//! output from the one `Report` (DESIGN.md §1: every output is a view of the same Report).
//!
//! Files are written through a temporary sibling and renamed into place, so an interrupted run
//! never leaves a half-written report where a good one was.

use crate::model::{Error, Result};
use crate::report::Report;
use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Every output format logautopsy writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// Human summary for a terminal (stdout default).
    Terminal,
    /// The `logautopsy/report/v1` JSON contract.
    Json,
    /// Markdown post-mortem.
    Markdown,
    /// Self-contained, offline HTML timeline.
    Html,
    /// Events table as CSV.
    Csv,
    /// Events table as one Parquet file.
    Parquet,
    /// A chart as PNG (which chart: see [`crate::render::charts::Chart::for_path`]).
    Png,
    /// A chart as SVG.
    Svg,
    /// `events/`, `incidents/`, `backup_windows/` as Parquet, partitioned by host (Hive style).
    ParquetDir,
}

impl Format {
    /// All formats, in the order `--format` help lists them.
    pub const ALL: &'static [Format] = &[
        Format::Terminal,
        Format::Json,
        Format::Markdown,
        Format::Html,
        Format::Csv,
        Format::Parquet,
        Format::Png,
        Format::Svg,
        Format::ParquetDir,
    ];

    /// The `--format` name of this format.
    pub fn name(self) -> &'static str {
        match self {
            Format::Terminal => "terminal",
            Format::Json => "json",
            Format::Markdown => "markdown",
            Format::Html => "html",
            Format::Csv => "csv",
            Format::Parquet => "parquet",
            Format::Png => "png",
            Format::Svg => "svg",
            Format::ParquetDir => "parquet-dir",
        }
    }

    /// The format for `--format NAME` (a few common aliases accepted: `md`, `text`, `term`).
    pub fn from_name(name: &str) -> Result<Format> {
        let n = name.trim().to_ascii_lowercase();
        let f = match n.as_str() {
            "terminal" | "term" | "text" => Format::Terminal,
            "json" => Format::Json,
            "markdown" | "md" => Format::Markdown,
            "html" => Format::Html,
            "csv" => Format::Csv,
            "parquet" => Format::Parquet,
            "png" => Format::Png,
            "svg" => Format::Svg,
            "parquet-dir" => Format::ParquetDir,
            _ => {
                let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
                return Err(Error::Config(format!(
                    "--format {name}: unknown format (use one of: {})",
                    names.join(", ")
                )));
            }
        };
        Ok(f)
    }

    /// The format for `-o PATH`, from its extension; a path ending in `/` (or an existing
    /// directory) is a Parquet directory.
    pub fn from_path(path: &Path) -> Result<Format> {
        let s = path.as_os_str().to_string_lossy();
        if s.ends_with('/') || s.ends_with(std::path::MAIN_SEPARATOR) || path.is_dir() {
            return Ok(Format::ParquetDir);
        }
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        let f = match ext.as_str() {
            "html" | "htm" => Format::Html,
            "md" | "markdown" => Format::Markdown,
            "json" => Format::Json,
            "csv" => Format::Csv,
            "parquet" => Format::Parquet,
            "png" => Format::Png,
            "svg" => Format::Svg,
            "txt" => Format::Terminal,
            _ => {
                return Err(Error::Config(format!(
                    "-o {}: cannot tell the format from the extension `{ext}` (use .html, .md, \
                     .json, .csv, .parquet, .png, .svg, or end the path with / for a Parquet directory)",
                    path.display()
                )))
            }
        };
        Ok(f)
    }
}

/// Fails unless `path` can be written: an existing file needs `force`, a new one needs a writable
/// parent directory; a Parquet directory (`DIR/`) is created if needed and must be writable (it
/// is a dataset: see `tables::write_parquet_dir`). Call it for every output before the analysis
/// starts.
///
/// A probe file is created and removed for new paths: permission bits alone lie (root, ACLs,
/// read-only mounts), so actually trying is the only honest check.
pub fn check_writable(path: &Path, force: bool) -> Result<()> {
    let fmt = Format::from_path(path)?;
    if fmt == Format::ParquetDir {
        return check_dir_writable(path, force);
    }
    if path.is_dir() {
        return Err(Error::Config(format!(
            "-o {}: is a directory",
            path.display()
        )));
    }
    if path.exists() {
        if !force {
            return Err(Error::Config(format!(
                "-o {}: file exists (pass --force to overwrite it)",
                path.display()
            )));
        }
        // Opening for append does not truncate: the old report survives a later failure.
        OpenOptions::new()
            .append(true)
            .open(path)
            .map_err(|e| Error::output(path, e))?;
        return Ok(());
    }
    let parent = parent_dir(path);
    if !parent.is_dir() {
        return Err(Error::Config(format!(
            "-o {}: directory {} does not exist (create it first)",
            path.display(),
            parent.display()
        )));
    }
    let probe = OpenOptions::new().write(true).create_new(true).open(path);
    match probe {
        Ok(f) => {
            drop(f);
            fs::remove_file(path).map_err(|e| Error::output(path, e))?;
            Ok(())
        }
        Err(e) => Err(Error::output(path, e)),
    }
}

/// A Parquet directory is a dataset fed by many runs (one `extract` per host): writing replaces
/// only the partitions of the report's own hosts, so an existing directory needs no `--force`.
fn check_dir_writable(dir: &Path, _force: bool) -> Result<()> {
    if dir.exists() && !dir.is_dir() {
        return Err(Error::Config(format!(
            "-o {}: exists and is not a directory",
            dir.display()
        )));
    }
    fs::create_dir_all(dir).map_err(|e| Error::output(dir, e))?;
    // A probe of its own (other extract jobs may be probing the same directory), removed on
    // drop.
    tempfile::Builder::new()
        .prefix(".logautopsy-probe-")
        .tempfile_in(dir)
        .map_err(|e| Error::output(dir, e))?;
    Ok(())
}

fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Options the terminal renderer needs; the other formats ignore them.
#[derive(Clone, Copy, Debug, Default)]
pub struct WriteOptions {
    pub color: bool,
    pub verbose: bool,
    /// Columns to fit (0: do not wrap).
    pub width: usize,
}

/// Renders `report` as `fmt` to `path` (`None` = stdout). See [`write_with`] for terminal options.
pub fn write(report: &Report, fmt: Format, path: Option<&Path>) -> Result<()> {
    write_with(report, fmt, path, WriteOptions::default())
}

/// Renders `report` as `fmt` to `path` (`None` = stdout), with terminal options.
pub fn write_with(
    report: &Report,
    fmt: Format,
    path: Option<&Path>,
    opts: WriteOptions,
) -> Result<()> {
    if fmt == Format::ParquetDir {
        let dir = path.ok_or_else(|| {
            Error::Config("a Parquet directory needs -o DIR/ (it cannot go to stdout)".into())
        })?;
        return crate::render::tables::write_parquet_dir(report, dir);
    }
    // Stream: a report with hundreds of thousands of events is hundreds of MB of JSON, which
    // must not be held in memory. A file is written to a temporary file beside it (unpredictable
    // name, removed on any error) and renamed over the target only when complete, so a renderer
    // error or a full disk never leaves a partial report behind.
    let fail = |label: &Path| {
        let label = label.to_path_buf();
        move |e: RenderError| match e {
            RenderError::Io(e) => Error::output(&label, e),
            RenderError::Other(e) => e,
        }
    };
    match path {
        None => {
            let stdout = io::stdout();
            let mut w = io::BufWriter::with_capacity(1 << 16, stdout.lock());
            let label = Path::new("standard output");
            render_to(report, fmt, path, opts, &mut w).map_err(fail(label))?;
            w.flush().map_err(|e| Error::output(label, e))
        }
        Some(p) => {
            let parent = parent_dir(p);
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let tmp = tempfile::Builder::new()
                .prefix(&format!(".{name}."))
                .suffix(".logautopsy-tmp")
                .tempfile_in(&parent)
                .map_err(|e| Error::output(&parent, e))?;
            let _listed = crate::cleanup::list(tmp.path());
            let mut w = io::BufWriter::with_capacity(1 << 16, tmp);
            render_to(report, fmt, path, opts, &mut w).map_err(fail(p))?;
            let tmp = w
                .into_inner()
                .map_err(|e| Error::output(p, e.into_error()))?;
            // A tempfile is created 0600; a report is for sharing. Keep the mode of the file it
            // replaces, else the usual rw-r--r--.
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = fs::metadata(p)
                    .map(|m| m.permissions())
                    .unwrap_or_else(|_| fs::Permissions::from_mode(0o644));
                tmp.as_file()
                    .set_permissions(mode)
                    .map_err(|e| Error::output(p, e))?;
            }
            tmp.persist(p).map_err(|e| Error::output(p, e.error))?;
            Ok(())
        }
    }
}

enum RenderError {
    Io(io::Error),
    Other(Error),
}

impl From<io::Error> for RenderError {
    fn from(e: io::Error) -> Self {
        RenderError::Io(e)
    }
}

impl From<Error> for RenderError {
    fn from(e: Error) -> Self {
        RenderError::Other(e)
    }
}

fn render_to(
    report: &Report,
    fmt: Format,
    path: Option<&Path>,
    opts: WriteOptions,
    out: &mut dyn Write,
) -> std::result::Result<(), RenderError> {
    use crate::render::{charts, html, markdown, tables};
    match fmt {
        Format::Terminal => crate::render::terminal::write(report, out, &opts)?,
        Format::Json => crate::render::json::write(report, out)?,
        Format::Markdown => markdown::write(report, out)?,
        Format::Html => html::write(report, out)?,
        Format::Csv => tables::write_events_csv(report, out)?,
        Format::Parquet => tables::write_events_parquet(report, out)?,
        Format::Png => {
            let chart = charts::Chart::for_path(path);
            out.write_all(&charts::png(report, chart)?)?;
        }
        Format::Svg => {
            let chart = charts::Chart::for_path(path);
            out.write_all(charts::svg(report, chart)?.as_bytes())?;
        }
        // Handled by `write_with` before rendering into memory; a directory is not a byte stream.
        Format::ParquetDir => {
            return Err(
                Error::Config("a Parquet directory cannot be rendered to a stream".into()).into(),
            )
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_from_extensions_and_dirs() {
        assert_eq!(
            Format::from_path(Path::new("r.html")).unwrap(),
            Format::Html
        );
        assert_eq!(
            Format::from_path(Path::new("a/b/pm.MD")).unwrap(),
            Format::Markdown
        );
        assert_eq!(
            Format::from_path(Path::new("x.json")).unwrap(),
            Format::Json
        );
        assert_eq!(Format::from_path(Path::new("e.csv")).unwrap(), Format::Csv);
        assert_eq!(
            Format::from_path(Path::new("e.parquet")).unwrap(),
            Format::Parquet
        );
        assert_eq!(
            Format::from_path(Path::new("memory.png")).unwrap(),
            Format::Png
        );
        assert_eq!(Format::from_path(Path::new("t.svg")).unwrap(), Format::Svg);
        assert_eq!(
            Format::from_path(Path::new("out/")).unwrap(),
            Format::ParquetDir
        );
        let dir = std::env::temp_dir();
        assert_eq!(Format::from_path(&dir).unwrap(), Format::ParquetDir);
        let err = Format::from_path(Path::new("report.docx"))
            .unwrap_err()
            .to_string();
        assert!(err.contains(".docx") || err.contains("docx"), "{err}");
        assert!(
            err.contains(".html"),
            "the message lists the known extensions: {err}"
        );
    }

    #[test]
    fn format_names_round_trip() {
        for f in Format::ALL {
            assert_eq!(Format::from_name(f.name()).unwrap(), *f);
        }
        assert_eq!(Format::from_name("md").unwrap(), Format::Markdown);
        assert!(Format::from_name("pdf")
            .unwrap_err()
            .to_string()
            .contains("markdown"));
    }
}
