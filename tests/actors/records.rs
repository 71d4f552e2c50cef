//! The RecordsActor retries a store call that failed for a transient reason, and reports a
//! lasting failure after its attempts.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use cloud_chatops::actors::ActorError;
use cloud_chatops::actors::records::{Answer, Job, RecordsActor, RecordsMsg};
use cloud_chatops::store::{StoreError, StoreResult};
use ractor::Actor;
use sea_orm::DbErr;

use crate::support::TestDb;

/// A job that fails with `error` on its first `failures` attempts, then answers 42.
fn flaky(failures: u32, error: &'static str, attempts: Arc<AtomicU32>) -> Job {
    Box::new(move |_db| {
        let attempts = attempts.clone();
        Box::pin(async move {
            let n = attempts.fetch_add(1, Ordering::SeqCst) + 1;
            let result: StoreResult<Answer> = if n <= failures {
                Err(StoreError::Database(DbErr::Custom(error.to_owned())))
            } else {
                Ok(Box::new(42u32))
            };
            result
        })
    })
}

async fn run(job: Job) -> Result<Answer, ActorError> {
    let t = TestDb::sqlite().await;
    // The backoff between attempts runs on paused time (the database is opened on real time).
    tokio::time::pause();
    let (actor, handle) = Actor::spawn(None, RecordsActor, t.db.clone()).await.unwrap();
    let answer = actor.call(|reply| RecordsMsg::Run { job, reply }, None).await.unwrap().unwrap();
    actor.stop(None);
    handle.await.unwrap();
    tokio::time::resume();
    t.teardown().await;
    answer
}

#[tokio::test]
async fn transient_failures_are_retried_until_the_call_succeeds() {
    let attempts = Arc::new(AtomicU32::new(0));
    let answer = run(flaky(3, "database is locked", attempts.clone())).await.expect("succeeds on the fourth try");
    assert_eq!(answer.downcast::<u32>().map(|v| *v).ok(), Some(42));
    assert_eq!(attempts.load(Ordering::SeqCst), 4);
}

#[tokio::test]
async fn lasting_and_other_failures_are_reported() {
    let attempts = Arc::new(AtomicU32::new(0));
    let err = run(flaky(u32::MAX, "could not serialize access", attempts.clone())).await.unwrap_err();
    assert!(matches!(err, ActorError::Store(StoreError::Database(_))), "{err:?}");
    assert_eq!(attempts.load(Ordering::SeqCst), 8, "gives up after its attempts");

    let attempts = Arc::new(AtomicU32::new(0));
    let err = run(flaky(1, "no such table: nowhere", attempts.clone())).await.unwrap_err();
    assert!(matches!(err, ActorError::Store(_)), "{err:?}");
    assert_eq!(attempts.load(Ordering::SeqCst), 1, "a lasting error is not retried");
}
