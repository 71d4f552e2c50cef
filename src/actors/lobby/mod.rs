//! Lobbies, owned here from opening to their end: [`LobbyHandle`] opens them and presses their
//! buttons, the LobbySupervisor keeps one SessionActor per open lobby, and each SessionActor owns
//! its lobby's deadline. Callers get lobby outcomes ([`Opened`], [`PressOutcome`], [`LobbyEvent`]),
//! plain data the command layer turns into replies.
//!
//! - `open`: validate, reserve and store, start the actor;
//! - `session`: the SessionActor (messages, timer); `approve` and `end`: what its buttons and its
//!   deadline do;
//! - `supervisor`: the LobbySupervisor (spawn, lookup, rehydration, restarts);
//! - `context`: the validation reads a lobby makes; `model`: a lobby and its stored row.

mod approve;
mod context;
mod end;
mod handle;
mod members;
mod model;
mod open;
mod outcome;
mod session;
mod supervisor;

pub use approve::Approver;
pub use context::{ValidationDeps, consumption, reservation, resource_names};
pub use handle::{LobbyDeps, LobbyHandle};
pub use outcome::{
    Approved, Closure, DeployAsk, Deployment, LobbyAsk, LobbyEvent, LobbySnapshot, Opened, PressOutcome, StackAsk,
    TargetAsk, Written,
};
pub use supervisor::{LobbyMsg, LobbySupervisor};
