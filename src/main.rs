//! The `logautopsy` binary: a thin shell over the library (DESIGN.md §2). Flags become a
//! `Config` (`cli.rs`), the pipeline runs, renderers write. Per-input problems print as
//! `logautopsy: PATH: reason` and make the exit code 2; a closed stdout (`| head`) exits 0.

mod cli;

use anyhow::Context;
use clap::Parser;
use cli::{Cli, Cmd, PatternsCmd};
use logautopsy::{pipeline, render, rules};
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

/// glibc raises its mmap threshold each time a large block is freed (up to 32 MiB), after
/// which the scanner's per-piece vectors come from the heap arenas and their memory is not
/// returned when they are freed. A fixed threshold keeps big vectors mmapped: a busy 4 GiB
/// syslog peaks at 117 MB instead of 173 MB, 1 GiB at 50 MB instead of 64, at the same speed.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn fixed_mmap_threshold() {
    // SAFETY: mallopt only sets an allocator parameter; called first thing, before threads.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn fixed_mmap_threshold() {}

fn main() -> ExitCode {
    fixed_mmap_threshold();
    // Flag errors exit 1 like every other usage error; 2 means "some input could not be read".
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    if let Err(e) = logautopsy::cleanup::on_signals() {
        say(format_args!(
            "cannot watch for Ctrl-C ({e}); an interrupted run may leave a temporary file"
        ));
    }
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            if is_broken_pipe(&e) {
                return ExitCode::SUCCESS;
            }
            // The chain, each cause once: a library error already quotes its I/O cause.
            let mut msg = String::new();
            for cause in e.chain().map(|c| c.to_string()) {
                if !msg.contains(&cause) {
                    if !msg.is_empty() {
                        msg.push_str(": ");
                    }
                    msg.push_str(&cause);
                }
            }
            say(msg);
            ExitCode::from(1)
        }
    }
}

/// Columns of the summary: `COLUMNS` when set, else the terminal's width, else 80 (piped into
/// a file or a chat message, 80 is what reads everywhere).
fn terminal_width() -> usize {
    if let Some(n) = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse().ok())
    {
        return n;
    }
    #[cfg(unix)]
    if std::io::stdout().is_terminal() {
        // SAFETY: TIOCGWINSZ writes one winsize into the struct we own; stdout is a tty.
        let mut ws: libc::winsize = unsafe { std::mem::zeroed() };
        if unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut ws) } == 0
            && ws.ws_col > 0
        {
            return ws.ws_col as usize;
        }
    }
    80
}

/// How errors writing the summary name it.
const STDOUT: &str = "standard output";

/// A message on stderr. Paths and log text in it are shown, never obeyed (`render::escape`).
fn say(msg: impl std::fmt::Display) {
    eprintln!(
        "logautopsy: {}",
        render::escape::visible_lines(&msg.to_string())
    );
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn setup_threads(n: Option<usize>) -> anyhow::Result<()> {
    if let Some(mut n) = n {
        // More threads than work can use only costs memory and start-up time (each reads a
        // 256 KiB buffer at a time); 100 000 would exhaust the process's limits.
        let cores = std::thread::available_parallelism().map_or(1, |c| c.get());
        if n > cores * 4 {
            say(format_args!(
                "--threads {n}: using {} (four per core on this {cores}-core machine)",
                cores * 4
            ));
            n = cores * 4;
        }
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()
            .context("starting worker threads")?;
    }
    Ok(())
}

/// A spinner with bytes read and throughput, on stderr when it is a terminal.
fn progress_bar(quiet: bool) -> Option<indicatif::ProgressBar> {
    if quiet || !std::io::stderr().is_terminal() {
        return None;
    }
    let pb = indicatif::ProgressBar::new_spinner();
    pb.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} reading logs: {bytes} ({bytes_per_sec}) {elapsed}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    pb.enable_steady_tick(std::time::Duration::from_millis(120));
    Some(pb)
}

/// Run `f` with a progress callback that drives the bar (when there is one), then clear it.
fn with_progress<T>(quiet: bool, f: impl FnOnce(Option<pipeline::Progress<'_>>) -> T) -> T {
    let pb = progress_bar(quiet);
    let inc = |n: u64| {
        if let Some(pb) = &pb {
            pb.inc(n);
        }
    };
    let out = f(Some(&inc));
    if let Some(pb) = pb {
        pb.finish_and_clear();
    }
    out
}

fn report_problems(
    errors: &[logautopsy::model::Error],
    warnings: &[logautopsy::report::Warning],
    quiet: bool,
) -> ExitCode {
    if !quiet {
        for w in warnings {
            say(format_args!("warning: {w}"));
        }
    }
    for e in errors {
        say(e);
    }
    if errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.cmd {
        Cmd::Analyze(a) => {
            let mut cfg = a.input.config().map_err(anyhow::Error::msg)?;
            cfg.backup_slack_s = cli::parse_duration(&a.backup_slack)
                .map_err(|e| anyhow::anyhow!("--backup-slack: {e}"))?;
            setup_threads(a.input.threads)?;
            // Outputs are checked before the analysis: a typo in a path must not cost a run.
            let mut outputs = Vec::new();
            for p in &a.outputs {
                let fmt = render::output::Format::from_path(p)?;
                render::output::check_writable(p, a.force)?;
                outputs.push((p.clone(), fmt));
            }
            if let Some(j) = a.json.as_deref().filter(|j| *j != "-") {
                let p = std::path::Path::new(j);
                if p.exists() && !a.force {
                    anyhow::bail!("--json {j}: file exists (pass --force to overwrite it)");
                }
            }
            let stdout_fmt = match a.format.as_deref() {
                Some(f) => Some(render::output::Format::from_name(f)?),
                None => None,
            };
            let analysis = with_progress(a.input.quiet, |p| pipeline::analyze(&cfg, p))?;
            let report = &analysis.report;
            for (p, fmt) in &outputs {
                render::output::write(report, *fmt, Some(p))
                    .with_context(|| format!("writing {}", p.display()))?;
            }
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            match a.json.as_deref() {
                Some("-") => render::json::write(report, &mut out).context(STDOUT)?,
                Some(j) => render::output::write(
                    report,
                    render::output::Format::Json,
                    Some(std::path::Path::new(j)),
                )?,
                None => {}
            }
            let color = match a.color {
                cli::ColorChoice::Always => true,
                cli::ColorChoice::Never => false,
                cli::ColorChoice::Auto => {
                    std::io::stdout().is_terminal()
                        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                        && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
                }
            };
            let opts = render::output::WriteOptions {
                color,
                verbose: a.input.verbose,
                width: terminal_width(),
            };
            match stdout_fmt {
                Some(fmt) => render::output::write_with(report, fmt, None, opts)?,
                None if a.json.as_deref() != Some("-") => {
                    render::terminal::write(report, &mut out, &opts).context(STDOUT)?;
                }
                None => {}
            }
            out.flush().context(STDOUT)?;
            Ok(report_problems(
                &analysis.errors,
                &report.warnings,
                a.input.quiet,
            ))
        }
        Cmd::Events(e) => {
            let cfg = e.input.config().map_err(anyhow::Error::msg)?;
            setup_threads(e.input.threads)?;
            let mut kinds = Vec::new();
            for k in &e.kind {
                kinds.push(logautopsy::events::EventKind::parse(k).ok_or_else(|| {
                    let all: Vec<&str> = logautopsy::events::EventKind::ALL
                        .iter()
                        .map(|k| k.as_str())
                        .collect();
                    anyhow::anyhow!(
                        "--kind {k}: unknown event kind (one of: {})",
                        all.join(", ")
                    )
                })?);
            }
            let rules = rules::RuleSet::load(&cfg.pattern_dirs, &cfg.backup_match)?;
            let mut ex = with_progress(e.input.quiet, |p| pipeline::extract(&cfg, &rules, p));
            pipeline::restrict_events(&mut ex.events, cfg.since, cfg.until);
            let events: Vec<_> = ex
                .events
                .into_iter()
                .filter(|ev| kinds.is_empty() || kinds.contains(&ev.kind))
                .collect();
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            render::events::write(&events, e.format, &mut out).context(STDOUT)?;
            out.flush().context(STDOUT)?;
            if e.input.verbose {
                for i in &ex.inputs {
                    for s in &i.unparsed_samples {
                        say(format_args!("unparsed: {s}"));
                    }
                }
            }
            Ok(report_problems(&ex.errors, &ex.warnings, e.input.quiet))
        }
        Cmd::Extract(x) => {
            let cfg = x.input.config().map_err(anyhow::Error::msg)?;
            setup_threads(x.input.threads)?;
            // A directory, whatever its spelling: `out`, `out/`.
            let mut dir = x.output.clone().into_os_string();
            if !dir.to_string_lossy().ends_with('/') {
                dir.push("/");
            }
            let dir = std::path::PathBuf::from(dir);
            render::output::check_writable(&dir, false)?;
            let analysis = with_progress(x.input.quiet, |p| pipeline::analyze(&cfg, p))?;
            render::output::write(
                &analysis.report,
                render::output::Format::ParquetDir,
                Some(&dir),
            )?;
            if !x.input.quiet {
                eprintln!(
                    "logautopsy: wrote {} events of {} host(s) to {}",
                    analysis.report.events.len(),
                    analysis.report.hosts.len(),
                    dir.display()
                );
            }
            Ok(report_problems(
                &analysis.errors,
                &analysis.report.warnings,
                x.input.quiet,
            ))
        }
        Cmd::Patterns { cmd } => patterns(cmd),
        Cmd::Schema => {
            let text = serde_json::to_string_pretty(&logautopsy::report::json_schema())
                .expect("a schema is JSON");
            println!("{text}");
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn patterns(cmd: PatternsCmd) -> anyhow::Result<ExitCode> {
    match cmd {
        PatternsCmd::Check { dir } => {
            let dirs: Vec<_> = dir.into_iter().collect();
            let problems = rules::check(&dirs);
            for p in &problems {
                eprintln!("{p}");
            }
            if problems.is_empty() {
                println!("patterns: all rules and samples pass");
                Ok(ExitCode::SUCCESS)
            } else {
                eprintln!("logautopsy: {} problem(s) in the rules", problems.len());
                Ok(ExitCode::from(1))
            }
        }
        PatternsCmd::Hints { patterns } => {
            let set = rules::RuleSet::load(&patterns, &[])?;
            // What the scanner searches for, in its order.
            let hints = set.hints();
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            for h in hints {
                writeln!(out, "{h}")?;
            }
            Ok(ExitCode::SUCCESS)
        }
        PatternsCmd::List { patterns } => {
            let set = rules::RuleSet::load(&patterns, &[])?;
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            for r in rules::list(&set) {
                writeln!(out, "{r}")?;
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
