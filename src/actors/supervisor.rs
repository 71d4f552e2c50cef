//! The root supervisor and [`System`], the running actor tree.
//!
//! The root spawns, linked, the PolicyActor, QuotaActor, RecordsActor, GeneratorActor, the
//! LobbySupervisor, the RetentionActor, the CheckpointActor and the BackupActor. A child that fails is restarted (at most [`MAX_RESTARTS`] times in
//! [`RESTART_WINDOW`]) and its slot pointed at the new actor, so every handle keeps working; the
//! children keep no state the database does not have, so a restart rebuilds from it. Callers that
//! were waiting on the failed child get an error at once (its reply port is dropped).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::TimeDelta;
use ractor::{Actor, ActorCell, ActorId, ActorProcessingErr, ActorRef, SupervisionEvent};
use sea_orm::DatabaseConnection;
use tokio::time::Instant;
use uuid::Uuid;

use super::backup::{BackupActor, BackupArgs, BackupHandle, BackupMsg};
use super::checkpoint::{CheckpointActor, CheckpointHandle, CheckpointMsg};
use super::generator::{GeneratorActor, GeneratorArgs, GeneratorHandle, GeneratorMsg};
use super::lobby::{LobbyDeps, LobbyHandle, LobbyMsg, LobbySupervisor, ValidationDeps};
use super::notifier::LobbyNotifier;
use super::policy::{PolicyActor, PolicyHandle, PolicyMsg};
use super::quota::{QuotaActor, QuotaHandle, QuotaMsg};
use super::records::{RecordsActor, RecordsHandle, RecordsMsg};
use super::retention::{RetentionActor, RetentionArgs, RetentionHandle, RetentionMsg};
use super::{ActorError, ActorSlot, Services};
use crate::domain::Catalog;
use crate::domain::stacks::StackCatalog;
use crate::settings::Settings;
use crate::store::spec::StoreSpecSource;

/// Restarts of one child allowed within [`RESTART_WINDOW`] before it is left stopped.
pub const MAX_RESTARTS: usize = 5;
/// The window of the restart budget.
pub const RESTART_WINDOW: Duration = Duration::from_secs(60);

/// What the tree needs to start.
#[derive(Clone)]
pub struct SystemArgs {
    /// Database.
    pub db: DatabaseConnection,
    /// Settings.
    pub settings: Arc<Settings>,
    /// Prices.
    pub catalog: Arc<Catalog>,
    /// The front end's port for lobby updates.
    pub notifier: Arc<dyn LobbyNotifier>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Child {
    Policy,
    Quota,
    Records,
    Generator,
    Lobbies,
    Retention,
    Checkpoint,
    Backup,
}

#[derive(Clone)]
struct ChildSlots {
    policy: ActorSlot<PolicyMsg>,
    quota: ActorSlot<QuotaMsg>,
    records: ActorSlot<RecordsMsg>,
    generator: ActorSlot<GeneratorMsg>,
    lobbies: ActorSlot<LobbyMsg>,
    retention: ActorSlot<RetentionMsg>,
    checkpoint: ActorSlot<CheckpointMsg>,
    backup: ActorSlot<BackupMsg>,
}

/// Messages of the root supervisor (it only supervises).
pub enum RootMsg {}

struct Root;

struct RootState {
    args: SystemArgs,
    slots: ChildSlots,
    services: Services,
    children: HashMap<ActorId, Child>,
    restarts: HashMap<Child, Vec<Instant>>,
}

impl Actor for Root {
    type Msg = RootMsg;
    type State = RootState;
    type Arguments = (SystemArgs, ChildSlots, Services);

    async fn pre_start(
        &self,
        myself: ActorRef<RootMsg>,
        (args, slots, services): Self::Arguments,
    ) -> Result<RootState, ActorProcessingErr> {
        let mut state = RootState { args, slots, services, children: HashMap::new(), restarts: HashMap::new() };
        let children = [
            Child::Policy,
            Child::Quota,
            Child::Records,
            Child::Generator,
            Child::Lobbies,
            Child::Retention,
            Child::Checkpoint,
            Child::Backup,
        ];
        for child in children {
            state.spawn(child, myself.get_cell()).await?;
        }
        Ok(state)
    }

    async fn handle_supervisor_evt(
        &self,
        myself: ActorRef<RootMsg>,
        event: SupervisionEvent,
        state: &mut RootState,
    ) -> Result<(), ActorProcessingErr> {
        match event {
            SupervisionEvent::ActorFailed(cell, err) => {
                let Some(child) = state.children.remove(&cell.get_id()) else { return Ok(()) };
                state.clear(child);
                tracing::error!(?child, error = %err, "actor failed");
                let now = Instant::now();
                let recent = state.restarts.entry(child).or_default();
                recent.retain(|at| now.duration_since(*at) < RESTART_WINDOW);
                if recent.len() >= MAX_RESTARTS {
                    tracing::error!(?child, "restart budget exhausted; the actor stays stopped");
                    return Ok(());
                }
                recent.push(now);
                if let Err(e) = state.spawn(child, myself.get_cell()).await {
                    tracing::error!(?child, error = %e, "actor could not be restarted");
                } else if child == Child::Lobbies {
                    // A new LobbySupervisor starts empty: give it the pending lobbies back.
                    let lobbies = state.services.lobbies.clone();
                    tokio::spawn(async move {
                        if let Err(e) = lobbies.rehydrate().await {
                            tracing::error!(error = %e, "lobbies could not be restored after a restart");
                        }
                    });
                }
            }
            SupervisionEvent::ActorTerminated(cell, _, _) => {
                if let Some(child) = state.children.remove(&cell.get_id()) {
                    state.clear(child);
                }
            }
            _ => {}
        }
        Ok(())
    }
}

impl RootState {
    async fn spawn(&mut self, child: Child, root: ActorCell) -> Result<(), ActorProcessingErr> {
        let db = self.args.db.clone();
        let id = match child {
            Child::Policy => {
                let (a, _) = Actor::spawn_linked(None, PolicyActor, db, root).await?;
                self.slots.policy.set(Some(a.clone()));
                a.get_id()
            }
            Child::Quota => {
                let (a, _) = Actor::spawn_linked(None, QuotaActor, db, root).await?;
                self.slots.quota.set(Some(a.clone()));
                a.get_id()
            }
            Child::Records => {
                let (a, _) = Actor::spawn_linked(None, RecordsActor, db, root).await?;
                self.slots.records.set(Some(a.clone()));
                a.get_id()
            }
            Child::Generator => {
                let root_dir: PathBuf = self.args.settings.terraform.output_dir.clone();
                let settings = (&self.args.settings.terraform).into();
                let source = StoreSpecSource::new(db, self.args.catalog.clone(), settings);
                let args = GeneratorArgs::new(root_dir, Arc::new(source));
                let (a, _) = Actor::spawn_linked(None, GeneratorActor, args, root).await?;
                self.slots.generator.set(Some(a.clone()));
                a.get_id()
            }
            Child::Lobbies => {
                let deps = self.services.lobbies.deps();
                let (a, _) = Actor::spawn_linked(None, LobbySupervisor, deps, root).await?;
                self.slots.lobbies.set(Some(a.clone()));
                a.get_id()
            }
            Child::Retention => {
                let retention_days = self.args.settings.history.retention_days;
                let args = RetentionArgs { db, retention_days, observer: None };
                let (a, _) = Actor::spawn_linked(None, RetentionActor, args, root).await?;
                self.slots.retention.set(Some(a.clone()));
                a.get_id()
            }
            Child::Checkpoint => {
                let (a, _) = Actor::spawn_linked(None, CheckpointActor, db, root).await?;
                self.slots.checkpoint.set(Some(a.clone()));
                a.get_id()
            }
            Child::Backup => {
                let args = BackupArgs::from_settings(db, &self.args.settings.database);
                let (a, _) = Actor::spawn_linked(None, BackupActor, args, root).await?;
                self.slots.backup.set(Some(a.clone()));
                a.get_id()
            }
        };
        self.children.insert(id, child);
        Ok(())
    }

    fn clear(&self, child: Child) {
        match child {
            Child::Policy => self.slots.policy.set(None),
            Child::Quota => self.slots.quota.set(None),
            Child::Records => self.slots.records.set(None),
            Child::Generator => self.slots.generator.set(None),
            Child::Lobbies => self.slots.lobbies.set(None),
            Child::Retention => self.slots.retention.set(None),
            Child::Checkpoint => self.slots.checkpoint.set(None),
            Child::Backup => self.slots.backup.set(None),
        }
    }
}

/// The running actor tree.
pub struct System {
    /// Handles for the command layer.
    pub services: Services,
    /// Terraform generation.
    pub generator: GeneratorHandle,
    /// History retention.
    pub retention: RetentionHandle,
    /// SQLite's write-ahead log checkpoints.
    pub checkpoint: CheckpointHandle,
    /// Copies of the SQLite database, asked for and periodic.
    pub backup: BackupHandle,
    slots: ChildSlots,
    root: ActorRef<RootMsg>,
    join: tokio::task::JoinHandle<()>,
}

/// Which actors of a [`System`] run, asked at any time (readiness); cloneable, holds no database.
#[derive(Clone)]
pub struct ActorProbe {
    slots: ChildSlots,
    root: ActorRef<RootMsg>,
}

impl ActorProbe {
    /// The names of the actors that are not running (empty: all run).
    pub fn stopped(&self) -> Vec<&'static str> {
        let s = &self.slots;
        let mut stopped: Vec<&'static str> = [
            (s.policy.name(), s.policy.is_running()),
            (s.quota.name(), s.quota.is_running()),
            (s.records.name(), s.records.is_running()),
            (s.generator.name(), s.generator.is_running()),
            (s.lobbies.name(), s.lobbies.is_running()),
            (s.retention.name(), s.retention.is_running()),
            (s.checkpoint.name(), s.checkpoint.is_running()),
            (s.backup.name(), s.backup.is_running()),
        ]
        .into_iter()
        .filter(|(_, running)| !running)
        .map(|(name, _)| name)
        .collect();
        if self.root.get_status() != ractor::ActorStatus::Running {
            stopped.insert(0, "root supervisor");
        }
        stopped
    }
}

impl System {
    /// Runs the start-up check, starts the tree and restores the pending lobbies (expiring those whose
    /// deadline passed).
    pub async fn start(args: SystemArgs) -> Result<System, ActorError> {
        // Quota reserved by lobbies that no longer exist (a crash between two steps) comes back
        // before any lobby can be refused for it. A failed check is logged; it does not stop start-up.
        if let Err(e) = crate::check::on_startup(&args.db, &args.catalog, &args.settings.terraform).await {
            tracing::error!(error = %e, "start-up check failed");
        }
        let slots = ChildSlots {
            policy: ActorSlot::new("policy service"),
            quota: ActorSlot::new("quota service"),
            records: ActorSlot::new("records service"),
            generator: ActorSlot::new("Terraform generator"),
            lobbies: ActorSlot::new("lobby service"),
            retention: ActorSlot::new("history retention"),
            checkpoint: ActorSlot::new("log checkpoints"),
            backup: ActorSlot::new("backups"),
        };
        let generator = GeneratorHandle::new(slots.generator.clone());
        let quota = QuotaHandle::new(slots.quota.clone());
        let records = RecordsHandle::new(slots.records.clone());
        let policy = PolicyHandle::new(slots.policy.clone(), records.clone());
        // Checked when the settings loaded; a test's settings name no file.
        let stacks = Arc::new(args.settings.stacks().unwrap_or_else(|_| StackCatalog::builtin()));
        let lobby_deps = LobbyDeps {
            validation: ValidationDeps {
                policy: policy.clone(),
                records: records.clone(),
                catalog: args.catalog.clone(),
            },
            quota: quota.clone(),
            generator: generator.clone(),
            notifier: args.notifier.clone(),
            stacks: stacks.clone(),
            members: Default::default(),
            lifetime: TimeDelta::seconds(i64::try_from(args.settings.lobby.timeout_secs).unwrap_or(i64::MAX)),
            instance: Uuid::new_v4().simple().to_string()[..12].into(),
        };
        let services = Services {
            quota,
            policy,
            records,
            lobbies: LobbyHandle::new(slots.lobbies.clone(), lobby_deps),
            catalog: args.catalog.clone(),
            stacks,
            settings: args.settings.clone(),
        };
        let retention = RetentionHandle::new(slots.retention.clone());
        let checkpoint = CheckpointHandle::new(slots.checkpoint.clone());
        let backup = BackupHandle::new(slots.backup.clone());
        let (root, join) = Actor::spawn(None, Root, (args, slots.clone(), services.clone())).await.map_err(|e| {
            tracing::error!(error = %e, "actor tree failed to start");
            ActorError::Unavailable("actor system")
        })?;
        let restored = services.lobbies.rehydrate().await?;
        tracing::info!(restored, "actor system ready");
        Ok(System { services, generator, retention, checkpoint, backup, slots, root, join })
    }

    /// Asks which actors run, for as long as the caller likes (readiness).
    pub fn probe(&self) -> ActorProbe {
        ActorProbe { slots: self.slots.clone(), root: self.root.clone() }
    }

    /// Stops every actor and waits for them.
    pub async fn shutdown(self) {
        self.root.stop_children_and_wait(None, Some(Duration::from_secs(10))).await;
        self.root.stop(None);
        let _ = self.join.await;
    }
}
