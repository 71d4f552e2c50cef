//! The substrate the other figures stand on, measured in the same run: the latency of one durable
//! transaction holding one conditional UPDATE (no contention), of one statement (a small SELECT, the
//! round trip every statement of a transaction pays), and of one file write + fsync.
//!
//! The raw transaction is built here, not through `store::quotas`, on purpose: the baseline is the
//! bare statement the database executes, without the row count and savepoint the store adds.

use std::io::Write;
use std::time::Instant;

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, TransactionTrait};

use entities::cloud_quotas::{self, Column};

use super::db::Target;
use super::{Figure, millis, quantile};
use crate::domain::QuotaType;
use crate::domain::quota::ANY_REGION;
use crate::store::projects::{self, NewProject};

const SAMPLES: usize = 200;

pub async fn run(target: &Target) -> anyhow::Result<Vec<Figure>> {
    let bench = target.fresh().await?;
    let project = big_project(&bench.db, "substrate").await?;
    let mut commits = Vec::with_capacity(SAMPLES);
    for _ in 0..SAMPLES {
        let t = Instant::now();
        raw_step(&bench.db, &project, RawStep::Reserve).await?;
        commits.push(millis(t.elapsed()));
    }
    let mut reads = Vec::with_capacity(SAMPLES);
    for _ in 0..SAMPLES {
        let t = Instant::now();
        crate::store::quotas::usage(&bench.db, &project).await?;
        reads.push(millis(t.elapsed()) * 1_000.0);
    }
    bench.drop().await;

    let dir = std::env::temp_dir().join(format!("cloud-chatops-fsync-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir)?;
    let mut fsyncs = Vec::with_capacity(SAMPLES);
    let block = vec![b'x'; 4096];
    for i in 0..SAMPLES {
        let t = Instant::now();
        let mut f = std::fs::File::create(dir.join(format!("f{i}")))?;
        f.write_all(&block)?;
        f.sync_all()?;
        fsyncs.push(millis(t.elapsed()));
    }
    std::fs::remove_dir_all(&dir).ok();

    let backend = target.backend();
    Ok(vec![
        Figure::new(format!("substrate_{backend}_commit_p50"), quantile(&mut commits, 0.5), "ms"),
        Figure::new(format!("substrate_{backend}_commit_p99"), quantile(&mut commits, 0.99), "ms"),
        Figure::new(format!("substrate_{backend}_statement_p50"), quantile(&mut reads, 0.5), "us"),
        Figure::new("substrate_file_fsync_p50", quantile(&mut fsyncs, 0.5), "ms"),
    ])
}

/// A project whose quotas never run out during a benchmark.
pub async fn big_project(db: &DatabaseConnection, name: &str) -> anyhow::Result<String> {
    let new = NewProject {
        guild_id: 1,
        owner_user_id: 1,
        provider: crate::domain::Provider::Gcp,
        name: name.into(),
        default_region: "us-central1".into(),
        monthly_budget: None,
        quotas: vec![(QuotaType::ComputeInstances, i64::MAX / 4)],
    };
    Ok(projects::create(db, new).await?.id)
}

/// Half of a reserve + commit pair.
#[derive(Debug, Clone, Copy)]
pub enum RawStep {
    /// `reserved += 1` where it fits.
    Reserve,
    /// `reserved -= 1, used += 1` where something is reserved.
    Commit,
}

/// One transaction holding one conditional UPDATE of the project-wide instance row.
pub async fn raw_step(db: &DatabaseConnection, project: &str, step: RawStep) -> anyhow::Result<()> {
    let (used, reserved, limit) = (Expr::col(Column::Used), Expr::col(Column::Reserved), Expr::col(Column::QuotaLimit));
    let update = cloud_quotas::Entity::update_many()
        .filter(Column::ProjectId.eq(project))
        .filter(Column::ResourceType.eq(QuotaType::ComputeInstances.as_str()))
        .filter(Column::Region.eq(ANY_REGION));
    let update = match step {
        RawStep::Reserve => {
            update.col_expr(Column::Reserved, reserved.clone().add(1)).filter(used.add(reserved).add(1).lte(limit))
        }
        RawStep::Commit => update
            .col_expr(Column::Reserved, reserved.clone().sub(1))
            .col_expr(Column::Used, used.add(1))
            .filter(reserved.gte(1)),
    };
    let txn = db.begin().await?;
    let changed = update.exec(&txn).await?.rows_affected;
    txn.commit().await?;
    anyhow::ensure!(changed == 1, "the raw {step:?} was refused");
    Ok(())
}
