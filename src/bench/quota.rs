//! Quota reserve + commit pairs per second with concurrent callers: through the QuotaActor (group
//! commit) against one raw conditional UPDATE per transaction, same database, same durability.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use ractor::Actor;

use super::db::Target;
use super::substrate::{RawStep, big_project, raw_step};
use super::{Figure, Scale};
use crate::actors::ActorSlot;
use crate::actors::quota::{QuotaActor, QuotaHandle};
use crate::domain::QuotaType;
use crate::store::quotas::QuotaAmount;

pub async fn run(target: &Target, scale: &Scale) -> anyhow::Result<Vec<Figure>> {
    let bench = target.fresh().await?;
    let project = big_project(&bench.db, "quota").await?;
    let callers = scale.quota_callers;

    let raw = {
        let db = bench.db.clone();
        let project = project.clone();
        pairs_per_second(callers, scale, move || {
            let (db, project) = (db.clone(), project.clone());
            async move {
                raw_step(&db, &project, RawStep::Reserve).await?;
                raw_step(&db, &project, RawStep::Commit).await
            }
        })
        .await?
    };

    let (actor, join) = Actor::spawn(None, QuotaActor, bench.db.clone()).await?;
    let slot = ActorSlot::new("quota service");
    slot.set(Some(actor.clone()));
    let quota = QuotaHandle::new(slot);
    let line = vec![QuotaAmount::new(QuotaType::ComputeInstances, "us-central1", 1)];
    let through_actor = pairs_per_second(callers, scale, move || {
        let (quota, project, line) = (quota.clone(), project.clone(), line.clone());
        async move {
            quota.reserve(&project, line.clone()).await?;
            quota.commit(&project, line).await?;
            Ok(())
        }
    })
    .await?;
    actor.stop(None);
    join.await.ok();
    bench.drop().await;

    let backend = target.backend();
    Ok(vec![
        Figure::new(format!("quota_raw_{backend}_{callers}_callers"), raw, "pairs/s"),
        Figure::new(format!("quota_actor_{backend}_{callers}_callers"), through_actor, "pairs/s"),
        Figure::new(format!("quota_actor_vs_raw_{backend}"), through_actor / raw, "x"),
    ])
}

/// Runs `pair` in a loop from `callers` tasks for the scale's window; completed pairs per second.
async fn pairs_per_second<F, Fut>(callers: usize, scale: &Scale, pair: F) -> anyhow::Result<f64>
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = anyhow::Result<()>> + Send + 'static,
{
    let pair = Arc::new(pair);
    let done = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let deadline = started + scale.quota_window;
    let tasks: Vec<_> = (0..callers)
        .map(|_| {
            let (pair, done) = (pair.clone(), done.clone());
            tokio::spawn(async move {
                while Instant::now() < deadline {
                    pair().await?;
                    done.fetch_add(1, Ordering::Relaxed);
                }
                anyhow::Ok(())
            })
        })
        .collect();
    for task in tasks {
        task.await??;
    }
    Ok(done.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64())
}
