//! Start-up to ready (`System::start`, which rehydrates every pending lobby) with many pending
//! lobbies stored, beside reading those rows alone.

use std::sync::Arc;
use std::time::Instant;

use uuid::Uuid;

use super::db::Target;
use super::fixture::{Sample, store_copies};
use super::{Figure, Scale, millis};
use crate::actors::notifier::LogNotifier;
use crate::actors::supervisor::System;
use crate::store;

pub async fn run(target: &Target, scale: &Scale) -> anyhow::Result<Vec<Figure>> {
    let sample = Sample::start(target, Arc::new(LogNotifier)).await?;
    let template = sample.template().await?;
    let n = scale.pending;
    let in_an_hour = store::now() + chrono::TimeDelta::hours(1);
    let lobbies: Vec<(Uuid, _)> = (0..n).map(|_| (Uuid::new_v4(), in_an_hour)).collect();
    store_copies(&sample.bench.db, &template, &lobbies).await?;
    let (bench, args, terraform) = sample.stop().await;

    let t = Instant::now();
    let rows = store::sessions::list_pending(&bench.db).await?.len();
    let read = t.elapsed();

    let t = Instant::now();
    let system = System::start(args).await?;
    let ready = t.elapsed();
    let live = system.services.lobbies.count().await?;
    anyhow::ensure!(live == rows && rows > n, "{live} lobbies live of {rows} pending");
    system.shutdown().await;
    bench.drop().await;
    std::fs::remove_dir_all(terraform).ok();
    Ok(vec![
        Figure::new(format!("startup_to_ready_{n}_pending"), millis(ready), "ms"),
        Figure::new(format!("startup_read_pending_rows_{n}"), millis(read), "ms"),
    ])
}
