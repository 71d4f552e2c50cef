//! Stack lobbies beside single-resource ones, in one run: `n` requesters open at once, then `n`
//! approvers press Approve at once, for a one-VM deploy and for a `web` stack (five resources).
//! Approval includes the Terraform regeneration of the project, which grows as the burst commits.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Barrier;
use uuid::Uuid;

use super::db::Target;
use super::fixture::{Sample, USER, deploy};
use super::{Figure, Scale, millis, quantile};
use crate::actors::notifier::LogNotifier;
use crate::commands::{Command, LobbyAction, Press, Reply, Stack, execute};
use crate::seed;

pub async fn run(target: &Target, scale: &Scale) -> anyhow::Result<Vec<Figure>> {
    let n = scale.stack_requesters;
    let backend = target.backend();
    let mut figures = Vec::new();
    for kind in ["single", "stack"] {
        let sample = Arc::new(Sample::start(target, Arc::new(LogNotifier)).await?);
        let command = move |i: usize| match kind {
            "single" => deploy(&format!("vm-{i}")),
            _ => Command::Stack(Stack {
                project_id: seed::PROJECT_ID.into(),
                template: "web".into(),
                name: format!("s{i}"),
                region: None,
                sizes: Default::default(),
            }),
        };
        let (mut opened, ids, open_wall) = burst(&sample, n, command).await?;
        let press = |id: Uuid| Command::Press(Press { session_id: id, action: LobbyAction::Approve });
        let (mut approved, done, approve_wall) = burst_ids(&sample, &ids, press).await?;
        let sample = Arc::into_inner(sample).expect("every requester is done");
        sample.finish().await;
        let tag = format!("{n}_concurrent_{backend}");
        figures.extend([
            Figure::new(format!("{kind}_open_p50_{tag}"), quantile(&mut opened, 0.5), "ms"),
            Figure::new(format!("{kind}_open_p99_{tag}"), quantile(&mut opened, 0.99), "ms"),
            Figure::new(format!("{kind}_open_all_{tag}"), millis(open_wall), "ms"),
            Figure::new(format!("{kind}_approve_p50_{tag}"), quantile(&mut approved, 0.5), "ms"),
            Figure::new(format!("{kind}_approve_p99_{tag}"), quantile(&mut approved, 0.99), "ms"),
            Figure::new(format!("{kind}_approve_all_{tag}"), millis(approve_wall), "ms"),
            Figure::new(format!("{kind}_failed_{tag}"), (2 * n - ids.len() - done) as f64, "lobbies"),
        ]);
    }
    Ok(figures)
}

/// `n` requesters released together, each running `command(i)`: latencies in ms, the lobbies
/// opened, and the wall time of the burst.
async fn burst(
    sample: &Arc<Sample>,
    n: usize,
    command: impl Fn(usize) -> Command,
) -> anyhow::Result<(Vec<f64>, Vec<Uuid>, Duration)> {
    let barrier = Arc::new(Barrier::new(n + 1));
    let tasks: Vec<_> = (0..n)
        .map(|i| {
            let (sample, barrier, command) = (sample.clone(), barrier.clone(), command(i));
            tokio::spawn(async move {
                barrier.wait().await;
                let t = Instant::now();
                let reply = execute(&sample.system.services, USER, command).await;
                let id = match reply {
                    Reply::Lobby(view) => Some(view.session_id),
                    other => {
                        tracing::warn!(reply = ?other, "bench: no lobby");
                        None
                    }
                };
                (millis(t.elapsed()), id)
            })
        })
        .collect();
    barrier.wait().await;
    let started = Instant::now();
    let (mut latencies, mut ids) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for task in tasks {
        let (ms, id) = task.await?;
        latencies.push(ms);
        ids.extend(id);
    }
    Ok((latencies, ids, started.elapsed()))
}

/// One approver per lobby released together: latencies in ms, how many deployed, wall time.
async fn burst_ids(
    sample: &Arc<Sample>,
    ids: &[Uuid],
    command: impl Fn(Uuid) -> Command,
) -> anyhow::Result<(Vec<f64>, usize, Duration)> {
    let barrier = Arc::new(Barrier::new(ids.len() + 1));
    let tasks: Vec<_> = ids
        .iter()
        .map(|id| {
            let (sample, barrier, command) = (sample.clone(), barrier.clone(), command(*id));
            tokio::spawn(async move {
                barrier.wait().await;
                let t = Instant::now();
                let reply = execute(&sample.system.services, USER, command).await;
                let deployed = matches!(reply, Reply::Deployed(_));
                if !deployed {
                    tracing::warn!(reply = ?reply, "bench: not deployed");
                }
                (millis(t.elapsed()), deployed)
            })
        })
        .collect();
    barrier.wait().await;
    let started = Instant::now();
    let (mut latencies, mut deployed) = (Vec::with_capacity(ids.len()), 0);
    for task in tasks {
        let (ms, ok) = task.await?;
        latencies.push(ms);
        deployed += usize::from(ok);
    }
    Ok((latencies, deployed, started.elapsed()))
}
