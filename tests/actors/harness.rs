//! A running actor tree on a test database, with the sample data and a notifier the test reads.

use std::path::PathBuf;
use std::sync::Arc;

use cloud_chatops::actors::notifier::{LobbyEvent, LobbyNotifier, LobbyTarget};
use cloud_chatops::actors::supervisor::{System, SystemArgs};
use cloud_chatops::commands::{Command, Invoker, LobbyAction, LobbyView, Reply, execute, outcomes};
use cloud_chatops::console::{Line, parse_line};
use cloud_chatops::domain::Catalog;
use cloud_chatops::seed;
use cloud_chatops::settings::Settings;
use tokio::sync::mpsc;
use uuid::Uuid;

use crate::support::TestDb;

/// Collects lobby updates.
pub struct Updates(pub mpsc::UnboundedSender<Reply>);

impl LobbyNotifier for Updates {
    fn lobby_updated(&self, _target: LobbyTarget, event: LobbyEvent) {
        let _ = self.0.send(outcomes::event(event));
    }
}

/// The tree, its database and the updates it sent.
pub struct App {
    pub system: System,
    pub db: TestDb,
    pub updates: mpsc::UnboundedReceiver<Reply>,
    pub settings: Settings,
    pub terraform: PathBuf,
    _tf_dir: tempfile::TempDir,
}

pub const USER: Invoker =
    Invoker { user_id: seed::USER_ID, guild_id: seed::GUILD_ID, channel_id: 7, is_guild_admin: false };
pub const ADMIN: Invoker = Invoker { user_id: seed::ADMIN_ID, ..USER };
pub const VIEWER: Invoker = Invoker { user_id: seed::VIEWER_ID, ..USER };
pub const STRANGER: Invoker = Invoker { user_id: 444_444_444, ..USER };

/// Starts the tree on `db` with the sample data loaded.
pub async fn start(db: TestDb, settings: Settings) -> App {
    let catalog = Arc::new(Catalog::builtin());
    seed::load(&db.db, &settings.quotas, &catalog).await.expect("seed");
    start_on(db, settings).await
}

/// Starts the tree on `db` as it is (rehydration tests).
pub async fn start_on(db: TestDb, mut settings: Settings) -> App {
    let tf = tempfile::tempdir().expect("terraform dir");
    settings.terraform.output_dir = tf.path().to_path_buf();
    let (tx, updates) = mpsc::unbounded_channel();
    let system = System::start(SystemArgs {
        db: db.db.clone(),
        settings: Arc::new(settings.clone()),
        catalog: Arc::new(Catalog::builtin()),
        notifier: Arc::new(Updates(tx)),
    })
    .await
    .expect("system starts");
    App { system, db, updates, settings, terraform: tf.path().to_path_buf(), _tf_dir: tf }
}

impl App {
    /// Runs a console line as `who`.
    pub async fn run(&self, who: Invoker, line: &str) -> Reply {
        let Ok(Line::Command(command)) = parse_line(line) else { panic!("test line does not parse: {line}") };
        execute(&self.system.services, who, command).await
    }

    /// Presses a lobby button as `who`.
    pub async fn press(&self, who: Invoker, session_id: Uuid, action: LobbyAction) -> Reply {
        execute(&self.system.services, who, Command::Press { session_id, action }).await
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

    /// Stops the tree and hands the database back.
    pub async fn stop(self) -> TestDb {
        self.system.shutdown().await;
        self.db
    }
}
