//! Lobbies: the LobbySupervisor owns one SessionActor per open lobby.

mod context;
mod model;
pub mod probe;
mod session;
mod supervisor;

pub use context::{ValidationDeps, consumption, resource_names};
pub use model::{Lobby, StoredRequest};
pub use session::{LobbyDeps, SessionActor, SessionMsg, authorize_approval};
pub use supervisor::{LobbyHandle, LobbyMsg, LobbySupervisor};
