//! Lobby open latency (validate, reserve, persist, spawn) with many concurrent requesters, through
//! `commands::execute` as a front end drives it.

use std::sync::Arc;
use std::time::Instant;

use tokio::sync::Barrier;

use super::db::Target;
use super::fixture::{Sample, USER, deploy};
use super::machine::cpu_time;
use super::{Figure, Scale, millis, quantile};
use crate::actors::notifier::LogNotifier;
use crate::commands::{Reply, execute};

const WARM_UP: usize = 20;

pub async fn run(target: &Target, scale: &Scale) -> anyhow::Result<Vec<Figure>> {
    let sample = Arc::new(Sample::start(target, Arc::new(LogNotifier)).await?);
    // Caches, pooled connections and prepared statements warm up as in a running bot.
    for i in 0..WARM_UP {
        sample.open(&format!("warm-{i}")).await?;
    }
    let n = scale.requesters;
    let barrier = Arc::new(Barrier::new(n + 1));
    let tasks: Vec<_> = (0..n)
        .map(|i| {
            let (sample, barrier) = (sample.clone(), barrier.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                let t = Instant::now();
                let reply = execute(&sample.system.services, USER, deploy(&format!("open-{i}"))).await;
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
    let (elapsed, cpu) = (started.elapsed(), cpu_time() - cpu);
    let sample = Arc::into_inner(sample).expect("every requester is done");
    sample.finish().await;
    let backend = target.backend();
    Ok(vec![
        Figure::new(format!("lobby_open_p50_{n}_concurrent_{backend}"), quantile(&mut latencies, 0.5), "ms"),
        Figure::new(format!("lobby_open_p99_{n}_concurrent_{backend}"), quantile(&mut latencies, 0.99), "ms"),
        Figure::new(format!("lobby_open_rate_{n}_concurrent_{backend}"), n as f64 / elapsed.as_secs_f64(), "lobbies/s"),
        Figure::new(
            format!("lobby_open_cpu_per_open_{n}_concurrent_{backend}"),
            cpu.as_secs_f64() * 1e6 / n as f64,
            "us",
        ),
        Figure::new(format!("lobby_open_failed_{n}_concurrent_{backend}"), failed as f64, "lobbies"),
    ])
}
