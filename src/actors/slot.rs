//! A restartable reference to an actor: the supervisor swaps the reference when it restarts the
//! actor, and every handle clone sees the new one.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use ractor::rpc::CallResult;
use ractor::{ActorRef, Message, RpcReplyPort};

use super::ActorError;

/// How long a caller waits for an actor before giving up with [`ActorError::Timeout`].
pub const CALL_TIMEOUT: Duration = Duration::from_secs(30);

/// The current reference to one actor, shared by its handles and its supervisor.
pub struct ActorSlot<M: Message> {
    name: &'static str,
    current: Arc<RwLock<Option<ActorRef<M>>>>,
}

impl<M: Message> Clone for ActorSlot<M> {
    fn clone(&self) -> Self {
        Self { name: self.name, current: self.current.clone() }
    }
}

impl<M: Message> ActorSlot<M> {
    /// An empty slot for the actor called `name` in messages.
    pub fn new(name: &'static str) -> Self {
        Self { name, current: Arc::new(RwLock::new(None)) }
    }

    /// Points the slot at a (re)started actor, or empties it.
    pub fn set(&self, actor: Option<ActorRef<M>>) {
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = actor;
    }

    /// The current reference, if the actor runs.
    pub fn get(&self) -> Option<ActorRef<M>> {
        self.current.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The actor's name in messages.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Whether the slot holds a running actor (not stopped, nor between a failure and its restart).
    pub fn is_running(&self) -> bool {
        self.get().is_some_and(|a| a.get_status() == ractor::ActorStatus::Running)
    }

    /// Sends a request and waits for the reply; a dead or restarting actor is an error, never a hang.
    pub async fn call<T, F>(&self, build: F) -> Result<T, ActorError>
    where
        T: Send + 'static,
        F: FnOnce(RpcReplyPort<Result<T, ActorError>>) -> M,
    {
        self.call_within(build, CALL_TIMEOUT).await
    }

    /// [`call`](Self::call) with an explicit deadline.
    pub async fn call_within<T, F>(&self, build: F, timeout: Duration) -> Result<T, ActorError>
    where
        T: Send + 'static,
        F: FnOnce(RpcReplyPort<Result<T, ActorError>>) -> M,
    {
        let actor = self.get().ok_or(ActorError::Unavailable(self.name))?;
        match actor.call(build, Some(timeout)).await {
            Ok(CallResult::Success(result)) => result,
            Ok(CallResult::Timeout) => Err(ActorError::Timeout(self.name)),
            // The reply port was dropped: the actor died while holding the request.
            Ok(CallResult::SenderError) => Err(ActorError::Failed(self.name)),
            Err(_) => Err(ActorError::Unavailable(self.name)),
        }
    }
}
