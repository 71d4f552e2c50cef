//! A running actor tree on a test database, with the sample data and a notifier the test reads.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use cloud_chatops::actors::BoxFuture;
use cloud_chatops::actors::notifier::{LobbyEvent, LobbyNotifier, LobbyTarget};
use cloud_chatops::actors::supervisor::{System, SystemArgs};
use cloud_chatops::commands::{Command, Invoker, LobbyAction, LobbyView, Press, Reply, execute, outcomes};
use cloud_chatops::console::{Line, parse_line};
use cloud_chatops::domain::{Catalog, ShardRange};
use cloud_chatops::seed;
use cloud_chatops::settings::Settings;
use tokio::sync::mpsc;
use uuid::Uuid;

use crate::support::TestDb;

/// What the simulated Discord says of members' permissions, by (guild, user); shared by every
/// system of a test, as Discord is by every process.
pub type Directory = Arc<Mutex<HashMap<(i64, i64), bool>>>;

/// The front end of a test: collects lobby updates, answers member look-ups from the directory,
/// and serves `shards`.
pub struct Updates {
    pub tx: mpsc::UnboundedSender<Reply>,
    pub directory: Directory,
    pub shards: Option<ShardRange>,
}

impl LobbyNotifier for Updates {
    fn lobby_updated(&self, _target: LobbyTarget, event: LobbyEvent) {
        let _ = self.tx.send(outcomes::event(event));
    }

    fn shards(&self) -> Option<ShardRange> {
        self.shards
    }

    fn is_guild_admin_now(&self, guild_id: i64, user_id: i64) -> BoxFuture<'_, Option<bool>> {
        let known = self.directory.lock().unwrap().get(&(guild_id, user_id)).copied();
        Box::pin(async move { known })
    }
}

/// The tree, its database and the updates it sent.
pub struct App {
    pub system: System,
    pub db: TestDb,
    pub updates: mpsc::UnboundedReceiver<Reply>,
    pub settings: Settings,
    pub terraform: PathBuf,
    /// The simulated Discord's member permissions.
    pub directory: Directory,
    _tf_dir: tempfile::TempDir,
}

/// Another actor system on the same database and output root: a second bot process.
pub struct Peer {
    pub system: System,
    pub updates: mpsc::UnboundedReceiver<Reply>,
}

pub const USER: Invoker =
    Invoker { user_id: seed::USER_ID, guild_id: seed::GUILD_ID, channel_id: 7, is_guild_admin: false };
pub const ADMIN: Invoker = Invoker { user_id: seed::ADMIN_ID, ..USER };
pub const VIEWER: Invoker = Invoker { user_id: seed::VIEWER_ID, ..USER };
pub const STRANGER: Invoker = Invoker { user_id: 444_444_444, ..USER };
/// The sample CloudAdmin with Discord's server administrator permission too.
pub const GUILD_ADMIN: Invoker = Invoker { is_guild_admin: true, ..ADMIN };

/// Starts the tree on `db` with the sample data loaded.
pub async fn start(db: TestDb, settings: Settings) -> App {
    let catalog = Arc::new(Catalog::builtin());
    seed::load(&db.db, &settings.quotas, &catalog).await.expect("seed");
    start_on(db, settings).await
}

/// Starts the tree on `db` as it is (rehydration tests).
pub async fn start_on(db: TestDb, settings: Settings) -> App {
    start_serving(db, settings, None).await
}

/// Starts the tree on `db` as it is, as a process serving only `shards` (`None`: every guild).
pub async fn start_serving(db: TestDb, mut settings: Settings, shards: Option<ShardRange>) -> App {
    let tf = tempfile::tempdir().expect("terraform dir");
    settings.terraform.output_dir = tf.path().to_path_buf();
    let directory = Directory::default();
    let (system, updates) = system(&db.db, &settings, directory.clone(), shards).await;
    App { system, db, updates, settings, terraform: tf.path().to_path_buf(), directory, _tf_dir: tf }
}

async fn system(
    db: &sea_orm::DatabaseConnection,
    settings: &Settings,
    directory: Directory,
    shards: Option<ShardRange>,
) -> (System, mpsc::UnboundedReceiver<Reply>) {
    let (tx, updates) = mpsc::unbounded_channel();
    let system = System::start(SystemArgs {
        db: db.clone(),
        settings: Arc::new(settings.clone()),
        catalog: Arc::new(Catalog::builtin()),
        notifier: Arc::new(Updates { tx, directory, shards }),
    })
    .await
    .expect("system starts");
    (system, updates)
}

impl App {
    /// Starts a second system on this database, as another bot process would (sharing the
    /// simulated Discord); it restores the pending lobbies of the guilds it serves.
    pub async fn peer(&self, shards: Option<ShardRange>) -> Peer {
        let (system, updates) = system(&self.db.db, &self.settings, self.directory.clone(), shards).await;
        Peer { system, updates }
    }

    /// Makes the simulated Discord say whether `who` administers their guild.
    pub fn discord_says_admin(&self, who: Invoker, is_admin: bool) {
        self.directory.lock().unwrap().insert((who.guild_id, who.user_id), is_admin);
    }

    /// Runs a console line as `who`.
    pub async fn run(&self, who: Invoker, line: &str) -> Reply {
        let Ok(Line::Command(command)) = parse_line(line) else { panic!("test line does not parse: {line}") };
        execute(&self.system.services, who, command).await
    }

    /// Presses a lobby button as `who`.
    pub async fn press(&self, who: Invoker, session_id: Uuid, action: LobbyAction) -> Reply {
        execute(&self.system.services, who, Command::Press(Press { session_id, action })).await
    }

    /// Opens a lobby for one VM and returns it.
    pub async fn open_vm(&self, who: Invoker, name: &str, machine_type: &str) -> LobbyView {
        let reply = self
            .run(who, &format!("/cloud-deploy project_id:gcp-abc123 resource_type:vm resource_name:{name} machine_type:{machine_type}"))
            .await;
        match reply {
            Reply::Lobby(view) => view,
            other => panic!("expected a lobby, got {other:?}"),
        }
    }

    /// (used, reserved) of a quota type's project-wide row.
    pub async fn quota(&self, project: &str, quota_type: &str) -> (i64, i64) {
        let rows = cloud_chatops::store::quotas::usage(&self.db.db, project).await.unwrap();
        let row = rows.iter().find(|r| r.resource_type.as_str() == quota_type && r.region == "*").unwrap();
        (row.used, row.reserved)
    }

    /// A session's stored status.
    pub async fn status(&self, id: Uuid) -> String {
        cloud_chatops::store::sessions::get(&self.db.db, id).await.unwrap().status.to_string()
    }

    /// Runs a console line as `who` in `peer`.
    pub async fn run_in(&self, peer: &Peer, who: Invoker, line: &str) -> Reply {
        let Ok(Line::Command(command)) = parse_line(line) else { panic!("test line does not parse: {line}") };
        execute(&peer.system.services, who, command).await
    }

    /// Presses a lobby button as `who` in `peer`.
    pub async fn press_in(&self, peer: &Peer, who: Invoker, session_id: Uuid, action: LobbyAction) -> Reply {
        execute(&peer.system.services, who, Command::Press(Press { session_id, action })).await
    }

    /// Stops the tree and hands the database back.
    pub async fn stop(self) -> TestDb {
        self.system.shutdown().await;
        self.db
    }
}
