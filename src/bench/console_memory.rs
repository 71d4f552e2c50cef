//! Memory of the console fed a 64 MiB line without a newline: its peak resident set (`VmHWM`)
//! after start-up and one command, then after the long line and one more command. The console
//! reads lines with a bounded buffer, so the line is skipped, never held (target: within 16 MiB).
//! The console is this very binary, run as `cloud-chatops console --json` on a database of its own.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use anyhow::{Context, bail};

use super::Figure;

/// The line: 64 MiB without a newline.
const LINE_BYTES: usize = 64 << 20;

/// The console's peak resident memory, in KiB.
fn peak_kib(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).context("reading /proc (Linux only)")?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .context("no VmHWM in /proc/<pid>/status")
}

pub fn run() -> anyhow::Result<Vec<Figure>> {
    let dir = tempfile_dir()?;
    let mut child = Command::new(std::env::current_exe()?)
        .args(["console", "--json"])
        .current_dir(&dir)
        .env("DATABASE_URL", format!("sqlite://{}?mode=rwc", dir.join("console.db").display()))
        .env("CHATOPS_TERRAFORM__OUTPUT_DIR", dir.join("tf"))
        .env_remove("DISCORD_TOKEN")
        .env("RUST_LOG", "error")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .context("starting the console")?;
    let pid = child.id();
    let mut stdin = child.stdin.take().context("console stdin")?;
    let mut stdout = BufReader::new(child.stdout.take().context("console stdout")?);
    let mut reply = || -> anyhow::Result<String> {
        let mut line = String::new();
        stdout.read_line(&mut line)?;
        Ok(line)
    };

    stdin.write_all(b"/cloud-projects\n")?;
    stdin.flush()?;
    let first = reply()?;
    if !first.contains("\"kind\":\"projects\"") {
        bail!("the console did not answer: {first}");
    }
    let idle = peak_kib(pid)?;

    let chunk = vec![b'a'; 1 << 16];
    for _ in 0..LINE_BYTES / chunk.len() {
        stdin.write_all(&chunk)?;
    }
    stdin.write_all(b"\n/cloud-projects\n")?;
    stdin.flush()?;
    let refused = reply()?;
    let after = reply()?;
    if !refused.contains("too long") || !after.contains("\"kind\":\"projects\"") {
        bail!("unexpected answers to the long line: {refused} {after}");
    }
    let peak = peak_kib(pid)?;
    drop(stdin);
    child.wait()?;
    std::fs::remove_dir_all(&dir).ok();

    let mib = |kib: u64| kib as f64 / 1024.0;
    Ok(vec![
        Figure::new("console_peak_rss_idle", mib(idle), "MiB"),
        Figure::new("console_peak_rss_after_64mib_line", mib(peak), "MiB"),
        Figure::new("console_peak_rss_growth_64mib_line", mib(peak.saturating_sub(idle)), "MiB"),
    ])
}

fn tempfile_dir() -> anyhow::Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("cloud-chatops-console-bench-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
