//! Approval through the command layer (`Approve & Deploy` pressed, answered once the resource is
//! recorded and the project's Terraform written), as the project grows: one at a time in a project
//! of 10 and one of 1,000 resources, then a burst of concurrent approvals in the large one, timed
//! until the last is written. An approval's cost should not grow with the project, and approvals
//! queued for one project share a regeneration.
//!
//! The two sizes are two sample systems side by side in this process (a database and an output
//! directory each), approved in turn, so both are measured in the same moments: what the machine
//! drifts by during the run falls on both sizes, not on one of them.

use std::sync::Arc;
use std::time::Instant;

use tokio::sync::Barrier;

use super::db::Target;
use super::fixture::{Sample, USER};
use super::{Figure, millis, quantile};
use crate::actors::notifier::LogNotifier;
use crate::commands::{Command, LobbyAction, Press, Reply, execute};
use crate::domain::{Money, Provider, ResourceKind};
use crate::seed;
use crate::store::resources::{self, NewResource};

/// Sequential approvals timed at each size.
const RUNS: usize = 41;
/// Concurrent approvals in one project.
const BURST: usize = 400;
/// The project sizes compared.
const SIZES: [usize; 2] = [10, 1_000];

pub async fn run(target: &Target) -> anyhow::Result<Vec<Figure>> {
    let mut samples = Vec::with_capacity(SIZES.len());
    for size in SIZES {
        let sample = Sample::start(target, Arc::new(LogNotifier)).await?;
        fill(&sample, size).await?;
        // The project's directory as it stands, as a running bot has it.
        sample.system.generator.generate(seed::PROJECT_ID).await?;
        samples.push(sample);
    }
    let mut times = vec![Vec::with_capacity(RUNS); SIZES.len()];
    for i in 0..RUNS {
        // Each size goes first in every other round.
        for k in 0..SIZES.len() {
            let k = if i % 2 == 0 { k } else { SIZES.len() - 1 - k };
            let sample = &samples[k];
            let name = format!("approve-{}-{i}", SIZES[k]);
            let id = sample.open(&name).await?;
            let t = Instant::now();
            approve(sample, id).await?;
            times[k].push(millis(t.elapsed()));
            // Back to its size, so every run approves into a project of that size, and written
            // so, so that the next run's generation writes its own change only.
            resources::mark_deleted(&sample.bench.db, seed::PROJECT_ID, ResourceKind::Vm, &name).await?;
            sample.system.generator.generate(seed::PROJECT_ID).await?;
        }
    }
    let mut out = Vec::new();
    let mut p50 = Vec::new();
    for (size, times) in SIZES.iter().zip(&mut times) {
        let median = quantile(times, 0.5);
        p50.push(median);
        out.push(Figure::new(format!("approve_p50_{size}_resources"), median, "ms"));
        out.push(Figure::new(format!("approve_p99_{size}_resources"), quantile(times, 0.99), "ms"));
    }
    out.push(Figure::new("approve_p50_ratio_1000_to_10_resources", p50[1] / p50[0], "x"));
    let large = samples.pop().expect("two samples");
    for small in samples {
        small.finish().await;
    }
    let sample = Arc::new(large);

    // The burst: every lobby open first, then every Approve pressed at once.
    let mut ids = Vec::with_capacity(BURST);
    for i in 0..BURST {
        ids.push(sample.open(&format!("burst-{i}")).await?);
    }
    let barrier = Arc::new(Barrier::new(BURST + 1));
    let tasks: Vec<_> = ids
        .into_iter()
        .map(|id| {
            let (sample, barrier) = (sample.clone(), barrier.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                approve(&sample, id).await
            })
        })
        .collect();
    barrier.wait().await;
    let started = Instant::now();
    let mut failed = 0;
    for task in tasks {
        if let Err(e) = task.await? {
            if failed == 0 {
                eprintln!("first failed approval: {e}");
            }
            failed += 1;
        }
    }
    let last_written = millis(started.elapsed());
    // Every one committed and in the files.
    let live = resources::list(&sample.bench.db, seed::PROJECT_ID, Some(ResourceKind::Vm)).await?;
    let burst_rows = live.iter().filter(|r| r.name.starts_with("burst-")).count();
    let dir = sample.args.settings.terraform.output_dir.join(format!("terraform_gcp_{}", seed::PROJECT_ID));
    // Large projects split their files (`compute.tf`, `compute_1.tf`, ...).
    let mut compute = String::new();
    for entry in std::fs::read_dir(&dir)? {
        let path = entry?.path();
        if path.file_name().is_some_and(|n| n.to_string_lossy().starts_with("compute")) {
            compute.push_str(&std::fs::read_to_string(path)?);
        }
    }
    let written = (0..BURST).filter(|i| compute.contains(&format!("\"burst-{i}\""))).count();
    anyhow::ensure!(
        failed == 0 && burst_rows == BURST && written == BURST,
        "burst: {failed} failed, {burst_rows} recorded, {written} written of {BURST}"
    );
    out.push(Figure::new(format!("approve_burst_{BURST}_last_written_1000_resources"), last_written, "ms"));
    let sample = Arc::into_inner(sample).expect("every approver is done");
    sample.finish().await;
    Ok(out)
}

/// Presses Approve & Deploy on lobby `id` as the sample member; an error unless deployed and written.
async fn approve(sample: &Sample, id: uuid::Uuid) -> anyhow::Result<()> {
    let press = Command::Press(Press { session_id: id, action: LobbyAction::Approve });
    match execute(&sample.system.services, USER, press).await {
        Reply::Deployed(d) if d.warning.is_none() => Ok(()),
        other => anyhow::bail!("approval of {id}: {other:?}"),
    }
}

/// Adds VMs (a bucket and a network every tenth) to the sample project until it holds `size` resources.
async fn fill(sample: &Sample, size: usize) -> anyhow::Result<()> {
    let have = resources::list(&sample.bench.db, seed::PROJECT_ID, None).await?.len();
    for i in have..size {
        let (kind, name, config) = match i % 10 {
            0 => (ResourceKind::Storage, format!("chatops-fill-{i}"), serde_json::json!({})),
            1 => (ResourceKind::Network, format!("fill-net-{i}"), serde_json::json!({})),
            _ => (ResourceKind::Vm, format!("fill-{i}"), serde_json::json!({ "size": "e2-small" })),
        };
        let new = NewResource {
            project_id: seed::PROJECT_ID.into(),
            provider: Provider::Gcp,
            kind,
            name,
            region: "us-central1".into(),
            config,
            hourly_cost: Money::from_micros(16_800),
            // Another member's, so the sample member's own spending limits stay as they are.
            created_by: 1,
            session_id: None,
        };
        resources::create(&sample.bench.db, new).await?;
    }
    Ok(())
}
