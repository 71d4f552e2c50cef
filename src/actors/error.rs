//! What a call to an actor can fail with.

use crate::store::StoreError;

/// Why an actor call did not produce a result.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ActorError {
    /// The actor is not running (stopped, or being restarted after a failure).
    #[error("the {0} is not available right now; try again in a moment")]
    Unavailable(&'static str),
    /// The actor did not answer in time.
    #[error("the {0} did not answer in time; try again")]
    Timeout(&'static str),
    /// The actor failed while handling the call (its supervisor restarts it).
    #[error("the {0} failed while handling the request; it is being restarted, try again")]
    Failed(&'static str),
    /// The store refused or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}
