//! `cloud-chatops bench`: the performance figures, each printed as `name value unit` and written to
//! `BENCHMARKS.md` with the machine and the date.
//!
//! Absolute times drift on shared machines, so every figure that depends on the disk or the database
//! is printed next to the substrate it stands on, measured in the same run (`substrate.rs`, and the
//! raw-transaction rate in `quota.rs`). One file per figure; `fixture.rs` builds the databases and
//! the stored lobbies they share. Benchmarks are never timed tests: nothing here asserts on a duration.

mod approvals;
mod console_memory;
mod db;
mod expiry;
mod fixture;
mod lobby_open;
mod machine;
mod memory;
mod quota;
mod report;
mod stacks;
mod startup;
mod substrate;
mod terraform;

use std::fmt;
use std::time::Duration;

pub use db::Target;

/// One measured figure.
#[derive(Debug, Clone)]
pub struct Figure {
    /// Name, with the size it was measured at.
    pub name: String,
    /// Value.
    pub value: f64,
    /// Unit.
    pub unit: &'static str,
}

impl Figure {
    fn new(name: impl Into<String>, value: f64, unit: &'static str) -> Self {
        Self { name: name.into(), value, unit }
    }
}

impl fmt::Display for Figure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let precision = if self.value.abs() >= 100.0 { 0 } else { 2 };
        write!(f, "{} {:.*} {}", self.name, precision, self.value, self.unit)
    }
}

/// How big each benchmark is.
#[derive(Debug, Clone, Copy)]
pub struct Scale {
    /// `quick` or `full`, for the report.
    pub label: &'static str,
    /// How long each side of the quota comparison runs.
    pub quota_window: Duration,
    /// Concurrent quota callers.
    pub quota_callers: usize,
    /// Concurrent requesters opening lobbies.
    pub requesters: usize,
    /// Live lobbies for the memory and expiry figures.
    pub lobbies: usize,
    /// The window over which they expire.
    pub expiry_spread: Duration,
    /// How long after the last deadline the bench waits for expiries to be committed.
    pub expiry_patience: Duration,
    /// Resources of the Terraform project.
    pub tf_resources: usize,
    /// Regenerations timed.
    pub tf_runs: usize,
    /// Pending lobbies rehydrated at start-up.
    pub pending: usize,
    /// Concurrent requesters (then approvers) of the single-resource and stack lobbies.
    pub stack_requesters: usize,
}

impl Scale {
    /// The sizes the issue states.
    pub const FULL: Scale = Scale {
        label: "full",
        quota_window: Duration::from_secs(10),
        quota_callers: 64,
        requesters: 1_000,
        lobbies: 100_000,
        expiry_spread: Duration::from_secs(10),
        expiry_patience: Duration::from_secs(120),
        tf_resources: 100,
        tf_runs: 100,
        pending: 10_000,
        stack_requesters: 1_000,
    };

    /// Every figure, smaller where the full size alone would take minutes.
    pub const QUICK: Scale = Scale {
        label: "quick",
        quota_window: Duration::from_secs(3),
        quota_callers: 64,
        requesters: 1_000,
        // The full run's rate (10,000 expiries a second) for one second.
        lobbies: 10_000,
        expiry_spread: Duration::from_secs(1),
        expiry_patience: Duration::from_secs(30),
        tf_resources: 100,
        tf_runs: 20,
        pending: 10_000,
        stack_requesters: 200,
    };
}

/// Runs every benchmark (on PostgreSQL when `DATABASE_URL` names one, else SQLite), printing each
/// figure as it is measured, and records them in `BENCHMARKS.md` in the working directory.
pub async fn run(quick: bool) -> anyhow::Result<Vec<Figure>> {
    let target = Target::from_env();
    let scale = if quick { Scale::QUICK } else { Scale::FULL };
    let started = std::time::Instant::now();
    eprintln!("bench ({}) on {}", scale.label, target.describe());
    let mut figures = Vec::new();
    let mut emit = |batch: Vec<Figure>| {
        for f in &batch {
            println!("{f}");
        }
        figures.extend(batch);
    };
    emit(substrate::run(&target).await?);
    emit(quota::run(&target, &scale).await?);
    emit(lobby_open::run(&target, &scale).await?);
    emit(stacks::run(&target, &scale).await?);
    let fleet = fixture::Fleet::open(&target, &scale).await?;
    emit(memory::run(&fleet));
    emit(expiry::run(fleet, &scale).await?);
    emit(terraform::run(&target, &scale).await?);
    emit(approvals::run(&target).await?);
    emit(startup::run(&target, &scale).await?);
    emit(tokio::task::spawn_blocking(console_memory::run).await??);
    let elapsed = started.elapsed();
    eprintln!("bench finished in {:.1} s", elapsed.as_secs_f64());
    report::write(std::path::Path::new("BENCHMARKS.md"), &target, &scale, &figures, elapsed)?;
    Ok(figures)
}

/// Runs the Terraform figures (regeneration of a 100-resource project, approvals at 10 and 1,000
/// resources, a burst of concurrent approvals in one project), printing them; `BENCHMARKS.md` is
/// not touched.
pub async fn approvals_only(quick: bool) -> anyhow::Result<()> {
    let scale = if quick { Scale::QUICK } else { Scale::FULL };
    let target = Target::from_env();
    eprintln!("bench approvals ({}) on {}", scale.label, target.describe());
    for figure in terraform::run(&target, &scale).await? {
        println!("{figure}");
    }
    for figure in approvals::run(&target).await? {
        println!("{figure}");
    }
    Ok(())
}

/// Runs the lobby-open benchmark alone, printing its figures; `BENCHMARKS.md` is not touched.
pub async fn lobby_open_only(quick: bool) -> anyhow::Result<()> {
    let scale = if quick { Scale::QUICK } else { Scale::FULL };
    for figure in lobby_open::run(&Target::from_env(), &scale).await? {
        println!("{figure}");
    }
    Ok(())
}

/// Runs the single-resource and stack lobby benchmark alone; `BENCHMARKS.md` is not touched.
pub async fn stacks_only(quick: bool) -> anyhow::Result<()> {
    let scale = if quick { Scale::QUICK } else { Scale::FULL };
    for figure in stacks::run(&Target::from_env(), &scale).await? {
        println!("{figure}");
    }
    Ok(())
}

/// Runs the console-memory benchmark alone, printing its figures; `BENCHMARKS.md` is not touched.
pub async fn console_memory_only() -> anyhow::Result<()> {
    for figure in tokio::task::spawn_blocking(console_memory::run).await?? {
        println!("{figure}");
    }
    Ok(())
}

/// The `q`-quantile (0..=1) of `values`, sorted in place.
fn quantile(values: &mut [f64], q: f64) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(f64::total_cmp);
    let rank = ((values.len() as f64 * q).ceil() as usize).clamp(1, values.len());
    values[rank - 1]
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1_000.0
}
