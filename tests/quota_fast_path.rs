//! The QuotaActor's fast path (a batch decided in memory under the write lock, written in a few
//! statements) gives every request the outcome it would get alone, and falls back to request-by-request
//! application when the database does not behave as predicted.

#[path = "store/support.rs"]
#[allow(dead_code)]
mod support;

use chrono::TimeDelta;
use ractor::{Actor, ActorRef};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::{ActiveValue::Set, EntityTrait};
use uuid::Uuid;

use cloud_chatops::actors::ActorError;
use cloud_chatops::actors::ActorSlot;
use cloud_chatops::actors::quota::{QuotaActor, QuotaHandle, QuotaMsg, QuotaOp, Rows, Write};
use cloud_chatops::domain::{Provider, QuotaType, ResourceKind, SessionStatus};
use cloud_chatops::store::history::{self, HistoryEntry};
use cloud_chatops::store::quotas::{self, QuotaAmount};
use cloud_chatops::store::sessions::{self, NewSession};
use cloud_chatops::store::{Conflict, StoreError, StoreResult, now, projects};
use entities::cloud_quotas;

use support::{TestDb, each_backend, new_project};

const OPS: [QuotaOp; 5] = [QuotaOp::Reserve, QuotaOp::Commit, QuotaOp::Release, QuotaOp::Consume, QuotaOp::Free];

/// A project with 6 instances anywhere but 3 in `us-east1`, and 10 CPUs; no other quota.
async fn small_project(t: &TestDb, name: &str) -> String {
    let mut new = new_project(1, 1, name);
    new.quotas = vec![(QuotaType::ComputeInstances, 6), (QuotaType::ComputeCpus, 10)];
    let id = projects::create(&t.db, new).await.expect("project").id;
    let regional = cloud_quotas::ActiveModel {
        project_id: Set(id.clone()),
        resource_type: Set(QuotaType::ComputeInstances),
        region: Set("us-east1".into()),
        quota_limit: Set(3),
        used: Set(0),
        reserved: Set(0),
        updated_at: Set(now()),
        ..Default::default()
    };
    cloud_quotas::Entity::insert(regional).exec(&t.db).await.expect("regional row");
    id
}

/// A random change: one or two lines of instances, CPUs or an absent quota, in one of two regions;
/// amounts 0 (invalid) to 4.
fn random_change(rng: &mut StdRng) -> (QuotaOp, Vec<QuotaAmount>) {
    let op = OPS[rng.random_range(0..OPS.len())];
    let lines = (0..rng.random_range(1..=2))
        .map(|_| {
            let quota_type = [QuotaType::ComputeInstances, QuotaType::ComputeCpus, QuotaType::StorageBuckets]
                [rng.random_range(0..3)];
            let region = ["us-east1", "eu-west1"][rng.random_range(0..2)];
            QuotaAmount::new(quota_type, region, rng.random_range(0..=4))
        })
        .collect();
    (op, lines)
}

/// What a caller can tell from an outcome.
fn kind<T>(outcome: &Result<T, StoreError>) -> String {
    match outcome {
        Ok(_) => "ok".into(),
        Err(StoreError::Conflict(Conflict::QuotaExhausted { requested, .. })) => format!("exhausted {requested}"),
        Err(StoreError::Conflict(Conflict::NotHeld { requested, .. })) => format!("not held {requested}"),
        Err(StoreError::NotFound { .. }) => "not found".into(),
        Err(StoreError::InvalidInput(_)) => "invalid".into(),
        Err(e) => format!("other: {e}"),
    }
}

fn unwrap_store(outcome: Result<(), ActorError>) -> StoreResult<()> {
    match outcome {
        Ok(()) => Ok(()),
        Err(ActorError::Store(e)) => Err(e),
        Err(e) => panic!("not a store outcome: {e}"),
    }
}

async fn state(t: &TestDb, project: &str) -> Vec<(String, String, i64, i64)> {
    quotas::usage(&t.db, project)
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.resource_type.to_string(), r.region, r.used, r.reserved))
        .collect()
}

async fn spawn_actor(t: &TestDb) -> ActorRef<QuotaMsg> {
    Actor::spawn(None, QuotaActor, t.db.clone()).await.expect("quota actor").0
}

/// Queues every change before the actor runs (one thread: it cannot start before the last is queued),
/// so they form one batch; returns the outcomes in order.
async fn one_batch(
    actor: &ActorRef<QuotaMsg>,
    project: &str,
    changes: Vec<(QuotaOp, Vec<QuotaAmount>, Vec<Write>)>,
) -> Vec<StoreResult<()>> {
    let mut answers = Vec::new();
    for (op, lines, effects) in changes {
        let (tx, rx) = ractor::concurrency::oneshot();
        let rows = Rows::of(effects).unwrap();
        actor.cast(QuotaMsg::Apply { project_id: project.into(), op, lines, rows, reply: tx.into() }).unwrap();
        answers.push(rx);
    }
    let mut outcomes = Vec::new();
    for rx in answers {
        outcomes.push(unwrap_store(rx.await.expect("answered")));
    }
    outcomes
}

/// 40 random batches of 16 changes: each outcome, and the rows left, equal those of applying the same
/// changes one at a time through `store::quotas` (the conditional UPDATEs) on a twin project.
#[tokio::test]
async fn a_batch_decides_exactly_as_the_conditional_updates_do() {
    each_backend(|t| async move {
        let actor = spawn_actor(&t).await;
        for seed in 0..40u64 {
            let mut rng = StdRng::seed_from_u64(seed);
            let changes: Vec<_> = (0..16).map(|_| random_change(&mut rng)).collect();
            let batched = small_project(&t, &format!("batched-{seed}")).await;
            let alone = small_project(&t, &format!("alone-{seed}")).await;

            let queued = changes.iter().map(|(op, lines)| (*op, lines.clone(), Vec::new())).collect();
            let fast: Vec<String> = one_batch(&actor, &batched, queued).await.iter().map(kind).collect();
            let mut reference = Vec::new();
            for (op, lines) in &changes {
                reference.push(kind(&quotas::apply(&t.db, &alone, lines, *op).await));
            }
            assert_eq!(fast, reference, "{} seed {seed}: {changes:?}", t.backend);
            assert_eq!(state(&t, &batched).await, state(&t, &alone).await, "{} seed {seed}", t.backend);
        }
        actor.stop(None);
        t
    })
    .await;
}

fn lobby(project: &str, id: Uuid, instances: i64) -> NewSession {
    NewSession {
        id,
        project_id: project.into(),
        user_id: 1,
        guild_id: 1,
        channel_id: 1,
        provider: Provider::Gcp,
        kind: ResourceKind::Vm,
        request: serde_json::json!({}).into(),
        verdict: serde_json::json!({}).into(),
        reservation: vec![QuotaAmount::new(QuotaType::ComputeInstances, "eu-west1", instances)],
        expires_at: now() + TimeDelta::minutes(30),
    }
}

/// One batch ends the same lobby twice (a cancel racing its expiry) beside an unrelated reservation:
/// the prediction cannot hold, the batch is applied request by request, and each caller hears what
/// happened to its own request — the second ending names the status the first one set.
#[tokio::test]
async fn a_batch_that_ends_a_lobby_twice_falls_back_and_tells_each_caller() {
    each_backend(|t| async move {
        let project = small_project(&t, "twice").await;
        let actor = spawn_actor(&t).await;
        let id = Uuid::new_v4();
        let open = vec![(QuotaOp::Reserve, lobby(&project, id, 2).reservation.clone(), vec![Write::OpenSession(lobby(&project, id, 2))])];
        assert!(one_batch(&actor, &project, open).await[0].is_ok(), "{}", t.backend);

        let held = lobby(&project, id, 2).reservation;
        let end = |status| vec![Write::EndSession { id, status, by: None }];
        let outcomes = one_batch(
            &actor,
            &project,
            vec![
                (QuotaOp::Release, held.clone(), end(SessionStatus::Cancelled)),
                (QuotaOp::Release, held.clone(), end(SessionStatus::Expired)),
                (QuotaOp::Reserve, vec![QuotaAmount::new(QuotaType::ComputeCpus, "eu-west1", 4)], Vec::new()),
            ],
        )
        .await;
        assert!(outcomes[0].is_ok(), "{}: {:?}", t.backend, outcomes[0]);
        assert!(
            matches!(&outcomes[1], Err(StoreError::Conflict(Conflict::InvalidState { state, .. })) if state == "cancelled"),
            "{}: {:?}",
            t.backend,
            outcomes[1]
        );
        assert!(outcomes[2].is_ok(), "{}: {:?}", t.backend, outcomes[2]);
        assert_eq!(sessions::get(&t.db, id).await.unwrap().status.as_str(), "cancelled", "{}", t.backend);
        let rows = state(&t, &project).await;
        let instances = rows.iter().find(|r| r.0 == "compute.instances" && r.1 == "*").unwrap();
        let cpus = rows.iter().find(|r| r.0 == "compute.cpus").unwrap();
        assert_eq!((instances.2, instances.3, cpus.2, cpus.3), (0, 0, 0, 4), "{}", t.backend);
        actor.stop(None);
        t
    })
    .await;
}

/// Effects that cannot be written (an audit entry without an outcome) are refused in the caller's
/// task, before the request reaches the actor: the caller hears why and nothing is written.
#[tokio::test]
async fn invalid_effects_are_refused_before_anything_is_written() {
    each_backend(|t| async move {
        let project = small_project(&t, "invalid").await;
        let actor = spawn_actor(&t).await;
        let slot = ActorSlot::new("quota service");
        slot.set(Some(actor.clone()));
        let quota = QuotaHandle::new(slot);
        let bad = Write::Audit(HistoryEntry { guild_id: 1, user_id: 1, action: "x".into(), ..Default::default() });
        let lines = vec![QuotaAmount::new(QuotaType::ComputeInstances, "eu-west1", 1)];
        let outcome = quota.apply(&project, QuotaOp::Reserve, lines, vec![bad]).await;
        assert!(matches!(outcome, Err(ActorError::Store(StoreError::InvalidInput(_)))), "{}: {outcome:?}", t.backend);
        assert!(state(&t, &project).await.iter().all(|r| r.2 == 0 && r.3 == 0), "{}", t.backend);
        assert!(history::list_for_project(&t.db, &project).await.unwrap().is_empty(), "{}", t.backend);
        actor.stop(None);
        t
    })
    .await;
}
