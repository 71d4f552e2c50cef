//! The supervised actors. Each actor is split into the task (a unit struct implementing
//! `ractor::Actor`) and a cloneable, typed handle (`QuotaHandle::reserve(..)`), so no caller builds
//! messages or reply ports. Domain failures travel back in the reply; an actor only fails (and is
//! restarted by its supervisor) on a bug or an injected fault.

pub mod backup;
pub mod checkpoint;
pub mod error;
pub mod generator;
pub mod lobby;
pub mod notifier;
pub mod policy;
pub mod quota;
pub mod records;
pub mod retention;
mod retry;
pub mod services;
pub mod slot;
pub mod supervisor;

pub use error::ActorError;
pub use services::Services;
pub use slot::ActorSlot;

use std::future::Future;
use std::pin::Pin;

/// A boxed future, as stored in messages.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;
