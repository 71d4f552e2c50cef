//! [`Services`]: the actor handles and read-only configuration the command layer works with.

use std::sync::Arc;

use super::lobby::{LobbyHandle, ValidationDeps};
use super::policy::PolicyHandle;
use super::quota::QuotaHandle;
use super::records::RecordsHandle;
use crate::domain::Catalog;
use crate::domain::stacks::StackCatalog;
use crate::settings::Settings;

/// What command handlers may use: actor handles and read-only configuration.
#[derive(Clone)]
pub struct Services {
    /// Quota changes.
    pub quota: QuotaHandle,
    /// Policies and permissions.
    pub policy: PolicyHandle,
    /// Projects, resources, sessions, history.
    pub records: RecordsHandle,
    /// Lobbies.
    pub lobbies: LobbyHandle,
    /// Prices and sizes.
    pub catalog: Arc<Catalog>,
    /// Stack templates.
    pub stacks: Arc<StackCatalog>,
    /// Settings.
    pub settings: Arc<Settings>,
}

impl Services {
    /// The handles validation reads through (the lobbies re-validate with the same).
    pub fn validation(&self) -> ValidationDeps {
        ValidationDeps { policy: self.policy.clone(), records: self.records.clone(), catalog: self.catalog.clone() }
    }
}
