//! Group commit in the QuotaActor: requests that queue together share a transaction, yet each keeps
//! its own outcome, and a refused one rolls back only itself.

#[path = "store/support.rs"]
#[allow(dead_code)]
mod support;

use ractor::{Actor, ActorRef, RpcReplyPort};

use cloud_chatops::actors::quota::{QuotaActor, QuotaHandle, QuotaMsg, QuotaOp, Rows, Write};
use cloud_chatops::actors::{ActorError, ActorSlot};
use cloud_chatops::domain::{QuotaType, SessionStatus};
use cloud_chatops::store::history::{self, HistoryEntry};
use cloud_chatops::store::projects::{self, NewProject};
use cloud_chatops::store::quotas::{self, QuotaAmount};
use cloud_chatops::store::{Conflict, StoreError};

use support::{TestDb, each_backend, new_project};

/// A project whose instance quota is `limit`.
async fn project_with_instances(t: &TestDb, limit: i64) -> String {
    let mut new: NewProject = new_project(1, 1, "batch");
    new.quotas = vec![(QuotaType::ComputeInstances, limit)];
    projects::create(&t.db, new).await.expect("project").id
}

async fn instances(t: &TestDb, project: &str) -> (i64, i64) {
    let rows = quotas::usage(&t.db, project).await.unwrap();
    let row = rows.iter().find(|r| r.resource_type.as_str() == "compute.instances" && r.region == "*").unwrap();
    (row.used, row.reserved)
}

fn one_instance(n: i64) -> Vec<QuotaAmount> {
    vec![QuotaAmount::new(QuotaType::ComputeInstances, "us-central1", n)]
}

/// Effects that append an audit entry named `action`, then, when `fail` is set, end a lobby that
/// does not exist, which fails the request in the database.
fn audit(project: &str, action: &str, fail: bool) -> Vec<Write> {
    let mut effects = vec![Write::Audit(HistoryEntry {
        guild_id: 1,
        user_id: 1,
        project_id: Some(project.to_owned()),
        action: action.to_owned(),
        outcome: "success".into(),
        ..Default::default()
    })];
    if fail {
        effects.push(Write::EndSession { id: uuid::Uuid::new_v4(), status: SessionStatus::Cancelled, by: None });
    }
    effects
}

async fn spawn_actor(t: &TestDb) -> ActorRef<QuotaMsg> {
    let (actor, _) = Actor::spawn(None, QuotaActor, t.db.clone()).await.expect("quota actor");
    actor
}

/// 200 callers race for 150 instances: exactly 150 are granted, the rest refused, and every caller
/// hears back; the committed state agrees with the answers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_concurrent_callers_are_all_answered_correctly() {
    each_backend(|t| async move {
        let project = project_with_instances(&t, 150).await;
        let actor = spawn_actor(&t).await;
        let slot = ActorSlot::new("quota service");
        slot.set(Some(actor.clone()));
        let quota = QuotaHandle::new(slot);

        let tasks: Vec<_> = (0..200)
            .map(|_| {
                let (quota, project) = (quota.clone(), project.clone());
                tokio::spawn(async move { quota.reserve(&project, one_instance(1)).await })
            })
            .collect();
        let (mut granted, mut refused) = (0, 0);
        for task in tasks {
            match task.await.unwrap() {
                Ok(()) => granted += 1,
                Err(ActorError::Store(StoreError::Conflict(Conflict::QuotaExhausted { .. }))) => refused += 1,
                Err(e) => panic!("{}: unexpected error {e}", t.backend),
            }
        }
        assert_eq!((granted, refused), (150, 50), "{}", t.backend);
        assert_eq!(instances(&t, &project).await, (0, 150), "{}", t.backend);

        // Every granted reservation can be committed, again concurrently.
        let tasks: Vec<_> = (0..150)
            .map(|_| {
                let (quota, project) = (quota.clone(), project.clone());
                tokio::spawn(async move { quota.commit(&project, one_instance(1)).await })
            })
            .collect();
        for task in tasks {
            task.await.unwrap().expect("commit");
        }
        assert_eq!(instances(&t, &project).await, (150, 0), "{}", t.backend);
        actor.stop(None);
        t
    })
    .await;
}

/// Four requests queued before the actor runs form one batch (this test's runtime has one thread, so
/// the actor cannot start on the first before the last is queued). The one refused by its guard and
/// the one whose effects fail in the database roll back alone: the other two keep their quota and their audit entry.
#[tokio::test]
async fn a_refused_request_in_a_batch_does_not_undo_the_others() {
    each_backend(|t| async move {
        let project = project_with_instances(&t, 10).await;
        let actor = spawn_actor(&t).await;
        let requests = [
            (1, audit(&project, "first", false)),
            (1, audit(&project, "effects-fail", true)),
            (100, audit(&project, "over-limit", false)),
            (2, audit(&project, "last", false)),
        ];
        let mut answers = Vec::new();
        for (n, effects) in requests {
            let (tx, rx) = ractor::concurrency::oneshot();
            let reply: RpcReplyPort<_> = tx.into();
            let msg = QuotaMsg::Apply {
                project_id: project.clone(),
                op: QuotaOp::Reserve,
                lines: one_instance(n),
                rows: Rows::of(effects).unwrap(),
                reply,
            };
            actor.cast(msg).expect("queued");
            answers.push(rx);
        }
        let mut outcomes = Vec::new();
        for rx in answers {
            outcomes.push(rx.await.expect("answered"));
        }
        assert!(outcomes[0].is_ok(), "{}: {:?}", t.backend, outcomes[0]);
        assert!(
            matches!(outcomes[1], Err(ActorError::Store(StoreError::NotFound { .. }))),
            "{}: {:?}",
            t.backend,
            outcomes[1]
        );
        assert!(
            matches!(
                outcomes[2],
                Err(ActorError::Store(StoreError::Conflict(Conflict::QuotaExhausted { requested: 100, .. })))
            ),
            "{}: {:?}",
            t.backend,
            outcomes[2]
        );
        assert!(outcomes[3].is_ok(), "{}: {:?}", t.backend, outcomes[3]);

        // Answered means committed: another connection sees exactly the two accepted changes.
        assert_eq!(instances(&t, &project).await, (0, 3), "{}", t.backend);
        let mut actions: Vec<String> =
            history::list_for_project(&t.db, &project).await.unwrap().into_iter().map(|h| h.action).collect();
        actions.sort();
        assert_eq!(actions, ["first", "last"], "{}", t.backend);
        actor.stop(None);
        t
    })
    .await;
}

/// Callers still waiting when the actor fails get an error, never a hang.
#[tokio::test]
async fn buffered_callers_hear_of_a_failure() {
    each_backend(|t| async move {
        let project = project_with_instances(&t, 10).await;
        let actor = spawn_actor(&t).await;
        let (tx, rx) = ractor::concurrency::oneshot();
        let (fail_tx, _fail_rx) = ractor::concurrency::oneshot::<Result<(), ActorError>>();
        // The failure is queued behind the request but ahead of its flush.
        actor
            .cast(QuotaMsg::Apply {
                project_id: project.clone(),
                op: QuotaOp::Reserve,
                lines: one_instance(1),
                rows: Rows::default(),
                reply: tx.into(),
            })
            .unwrap();
        actor.cast(QuotaMsg::InjectFailure(fail_tx.into())).unwrap();
        assert!(rx.await.is_err(), "{}: the reply port is dropped with the actor", t.backend);
        assert_eq!(instances(&t, &project).await, (0, 0), "{}", t.backend);
        t
    })
    .await;
}

/// A request whose caller stopped waiting before its turn (its call timed out) is not applied: the
/// caller was told it failed. The live request queued beside it is.
#[tokio::test]
async fn a_request_whose_caller_gave_up_is_not_applied() {
    each_backend(|t| async move {
        let project = project_with_instances(&t, 10).await;
        let actor = spawn_actor(&t).await;
        let (gone_tx, gone_rx) = ractor::concurrency::oneshot();
        let (live_tx, live_rx) = ractor::concurrency::oneshot();
        for (n, reply) in [(4, gone_tx), (1, live_tx)] {
            let msg = QuotaMsg::Apply {
                project_id: project.clone(),
                op: QuotaOp::Reserve,
                lines: one_instance(n),
                rows: Rows::default(),
                reply: reply.into(),
            };
            actor.cast(msg).expect("queued");
        }
        drop(gone_rx);
        live_rx.await.expect("answered").expect("applied");
        assert_eq!(instances(&t, &project).await, (0, 1), "{}", t.backend);
        actor.stop(None);
        t
    })
    .await;
}
