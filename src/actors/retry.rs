//! Retrying store calls that failed for a transient reason (SQLite busy, a PostgreSQL
//! serialization failure or deadlock): the attempt changed nothing, so running it again is safe.

use std::time::Duration;

use crate::ops::metrics;
use crate::store::{StoreError, StoreResult};

/// Attempts of one call before a transient error is reported.
pub const MAX_ATTEMPTS: u32 = 8;

/// The pause before attempt `attempt + 1`: 4 ms doubling to about half a second.
pub fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(2u64 << attempt.min(8))
}

/// Runs `attempt` until it succeeds, fails for good, or [`MAX_ATTEMPTS`] transient errors passed.
/// Every attempt that fails with a database error is counted (`cloud_chatops_database_errors_total`,
/// labelled with `what`), retried or not.
pub async fn with_retries<T, F, Fut>(what: &'static str, mut attempt: F) -> StoreResult<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = StoreResult<T>>,
{
    let mut attempts = 0;
    loop {
        attempts += 1;
        let result = attempt().await;
        if let Err(StoreError::Database(_)) = &result {
            metrics::database_error(what);
        }
        match result {
            Err(e) if e.is_transient() && attempts < MAX_ATTEMPTS => {
                tracing::debug!(what, attempts, "store call retried after a transient error");
                tokio::time::sleep(backoff(attempts)).await;
            }
            other => return other,
        }
    }
}
