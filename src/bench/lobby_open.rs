//! Lobby open latency (validate, reserve, persist, spawn) with many concurrent requesters, through
//! `commands::execute` as a front end drives it.
//!
//! Two bursts of the same size: the first on a process that has only served a few sequential opens
//! (`cold`: each pooled connection still prepares the multi-row statements of a large batch the first
//! time it meets them), then the measured one, as a bot that has been running meets its next burst.
//! Both are reported.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Barrier;

use super::db::Target;
use super::fixture::{Sample, USER, deploy};
use super::machine::cpu_time;
use super::{Figure, Scale, millis, quantile};
use crate::actors::notifier::LogNotifier;
use crate::commands::{Reply, execute};

const WARM_UP: usize = 20;

/// One burst: every requester's latency in ms, how many got no lobby, wall time and CPU time.
struct Burst {
    latencies: Vec<f64>,
    failed: usize,
    elapsed: Duration,
    cpu: Duration,
}

pub async fn run(target: &Target, scale: &Scale) -> anyhow::Result<Vec<Figure>> {
    let sample = Arc::new(Sample::start(target, Arc::new(LogNotifier)).await?);
    // Caches, pooled connections and single-row statements warm up as in a running bot.
    for i in 0..WARM_UP {
        sample.open(&format!("warm-{i}")).await?;
    }
    let n = scale.requesters;
    let mut cold = burst(&sample, n, "cold").await?;
    let mut warm = burst(&sample, n, "open").await?;
    let sample = Arc::into_inner(sample).expect("every requester is done");
    sample.finish().await;
    let backend = target.backend();
    let tag = format!("{n}_concurrent_{backend}");
    Ok(vec![
        Figure::new(format!("lobby_open_p50_{tag}"), quantile(&mut warm.latencies, 0.5), "ms"),
        Figure::new(format!("lobby_open_p99_{tag}"), quantile(&mut warm.latencies, 0.99), "ms"),
        Figure::new(format!("lobby_open_rate_{tag}"), n as f64 / warm.elapsed.as_secs_f64(), "lobbies/s"),
        Figure::new(format!("lobby_open_cpu_per_open_{tag}"), warm.cpu.as_secs_f64() * 1e6 / n as f64, "us"),
        Figure::new(format!("lobby_open_failed_{tag}"), (warm.failed + cold.failed) as f64, "lobbies"),
        Figure::new(format!("lobby_open_cold_p50_{tag}"), quantile(&mut cold.latencies, 0.5), "ms"),
        Figure::new(format!("lobby_open_cold_p99_{tag}"), quantile(&mut cold.latencies, 0.99), "ms"),
    ])
}

/// `n` requesters released together, each opening one lobby named `{prefix}-{i}`.
async fn burst(sample: &Arc<Sample>, n: usize, prefix: &str) -> anyhow::Result<Burst> {
    let barrier = Arc::new(Barrier::new(n + 1));
    let tasks: Vec<_> = (0..n)
        .map(|i| {
            let (sample, barrier, name) = (sample.clone(), barrier.clone(), format!("{prefix}-{i}"));
            tokio::spawn(async move {
                barrier.wait().await;
                let t = Instant::now();
                let reply = execute(&sample.system.services, USER, deploy(&name)).await;
                (millis(t.elapsed()), matches!(reply, Reply::Lobby(_)))
            })
        })
        .collect();
    barrier.wait().await;
    let (started, cpu) = (Instant::now(), cpu_time());
    let mut latencies = Vec::with_capacity(n);
    let mut failed = 0;
    for task in tasks {
        let (ms, opened) = task.await?;
        latencies.push(ms);
        failed += usize::from(!opened);
    }
    Ok(Burst { latencies, failed, elapsed: started.elapsed(), cpu: cpu_time() - cpu })
}
