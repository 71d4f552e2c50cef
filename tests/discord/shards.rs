//! Two `cloud-chatops run` processes on one PostgreSQL database, serving shards 0 and 1 of 2
//! (`CHATOPS_DISCORD__SHARDS=0-0/2`, `1-1/2`), each with its own fake Discord as its shard's
//! gateway: each restores and expires only the lobbies of its shard's guilds — an overdue lobby at
//! start, a live one when its deadline comes — and edits only those messages. Runs when
//! `TEST_DATABASE_URL` names a PostgreSQL server (a fresh database is created and dropped).

use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeDelta, Utc};
use cloud_chatops::actors::notifier::LogNotifier;
use cloud_chatops::actors::supervisor::{System, SystemArgs};
use cloud_chatops::commands::{Command, Invoker, Reply, execute};
use cloud_chatops::domain::{Catalog, ShardRange};
use cloud_chatops::settings::Settings;
use cloud_chatops::store;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait};
use uuid::Uuid;

use super::fake::Fake;
use super::payloads::CHANNEL_ID;

/// A guild on shard 0 of 2 and one on shard 1 (`(id >> 22) % 2`).
const GUILD_0: i64 = 2 << 22;
const GUILD_1: i64 = 3 << 22;

fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let (server, _) = base.rsplit_once('/').expect("a database URL has a path");
    match query {
        Some(q) => format!("{server}/{name}?{q}"),
        None => format!("{server}/{name}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_process_restores_and_expires_only_its_shards_lobbies() {
    let Some(admin_url) = std::env::var("TEST_DATABASE_URL").ok().filter(|u| u.starts_with("postgres")) else {
        eprintln!("TEST_DATABASE_URL is not a PostgreSQL URL: the two-shard test has nothing to run against");
        return;
    };
    assert_eq!((ShardRange::shard_of(GUILD_0, 2), ShardRange::shard_of(GUILD_1, 2)), (0, 1));
    let name = format!("chatops_shards_{}", Uuid::new_v4().simple());
    let admin = store::connect(&admin_url).await.unwrap();
    admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.unwrap();
    let result = tokio::spawn(two_shards(with_database(&admin_url, &name))).await;
    admin.execute_unprepared(&format!("DROP DATABASE {name} WITH (FORCE)")).await.unwrap();
    if let Err(e) = result {
        std::panic::resume_unwind(e.into_panic());
    }
}

/// Lobbies by guild: (overdue, live), with their message ids.
struct Lobbies {
    overdue: [(Uuid, u64); 2],
    live: [(Uuid, u64); 2],
}

/// Opens an overdue and a live lobby in each guild through the library, then stops it: the
/// database then holds four pending lobbies, as after a shutdown.
async fn lobbies(url: &str) -> Lobbies {
    let env = [("DATABASE_URL".to_owned(), url.to_owned())].into_iter().collect();
    let settings = Settings::load_from(std::path::Path::new("/nonexistent"), env).unwrap();
    let db = store::open(url).await.unwrap();
    let system = System::start(SystemArgs {
        db: db.clone(),
        settings: Arc::new(settings),
        catalog: Arc::new(Catalog::builtin()),
        notifier: Arc::new(LogNotifier),
    })
    .await
    .unwrap();
    let mut opened = Vec::new();
    for (g, guild_id) in [GUILD_0, GUILD_1].into_iter().enumerate() {
        let admin = Invoker { user_id: 42, guild_id, channel_id: CHANNEL_ID as i64, is_guild_admin: true };
        let run = |name: &str, pairs: &[(&str, &str)]| {
            let pairs: Vec<(String, String)> = pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
            let command = Command::from_options(name, &pairs).unwrap();
            execute(&system.services, admin, command)
        };
        let Reply::ProjectCreated { project } =
            run("cloud-init", &[("provider", "gcp"), ("project_name", &format!("shard {g}"))]).await
        else {
            panic!("project")
        };
        for which in ["overdue", "live"] {
            let name = format!("{which}-{g}");
            let deploy =
                [("project_id", project.id.as_str()), ("resource_type", "storage"), ("resource_name", name.as_str())];
            let Reply::Lobby(lobby) = run("cloud-deploy", &deploy).await else { panic!("lobby {name}") };
            let message_id = 910_000_000_000_000_000 + opened.len() as u64;
            store::sessions::set_message(&db, lobby.session_id, message_id as i64).await.unwrap();
            opened.push((lobby.session_id, message_id));
        }
    }
    system.shutdown().await;
    // One lobby of each guild passed its deadline while no process ran; the other has seconds left.
    for (i, (id, _)) in opened.iter().enumerate() {
        let deadline = if i % 2 == 0 { Utc::now() - TimeDelta::minutes(5) } else { Utc::now() + TimeDelta::seconds(4) };
        let row = entities::deployment_sessions::ActiveModel {
            id: Set(*id),
            expires_at: Set(deadline),
            ..Default::default()
        };
        row.update(&db).await.unwrap();
    }
    Lobbies { overdue: [opened[0], opened[2]], live: [opened[1], opened[3]] }
}

fn bot(dir: &std::path::Path, url: &str, fake: &Fake, shards: &str) -> tokio::process::Child {
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_cloud-chatops"))
        .arg("run")
        .current_dir(dir)
        .env("DISCORD_TOKEN", "shard-test-token")
        .env("DISCORD_API_BASE", &fake.base)
        .env("DATABASE_URL", url)
        .env("CHATOPS_DISCORD__SHARDS", shards)
        .env("CHATOPS_TERRAFORM__OUTPUT_DIR", dir.join("tf"))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("start the bot");
    // Drained as they come, so a full pipe never stops the bot.
    for pipe in [
        child.stdout.take().map(|p| Box::new(p) as Box<dyn tokio::io::AsyncRead + Send + Unpin>),
        child.stderr.take().map(|p| Box::new(p) as _),
    ] {
        tokio::spawn(async move {
            if let Some(mut pipe) = pipe {
                let _ = tokio::io::copy(&mut pipe, &mut tokio::io::sink()).await;
            }
        });
    }
    child
}

async fn two_shards(url: String) {
    let dir = tempfile::tempdir().unwrap();
    let migrate = std::process::Command::new(env!("CARGO_BIN_EXE_cloud-chatops"))
        .arg("migrate")
        .current_dir(dir.path())
        .env("DATABASE_URL", &url)
        .output()
        .unwrap();
    assert!(migrate.status.success(), "{}", String::from_utf8_lossy(&migrate.stderr));
    let lobbies = lobbies(&url).await;

    let fakes = [Fake::start().await, Fake::start().await];
    let mut children = [bot(dir.path(), &url, &fakes[0], "0-0/2"), bot(dir.path(), &url, &fakes[1], "1-1/2")];
    let edit_of = |message_id: u64| {
        move |r: &super::fake::Recorded| {
            r.method == "PATCH" && r.path.ends_with(&format!("/channels/{CHANNEL_ID}/messages/{message_id}"))
        }
    };
    for (shard, fake) in fakes.iter().enumerate() {
        fake.wait_identified().await;
        // The overdue lobby of this shard's guild is expired at start, its message edited.
        let (_, overdue) = lobbies.overdue[shard];
        let edit = fake.wait_for(&format!("shard {shard}'s overdue lobby"), edit_of(overdue)).await;
        assert_eq!(edit.body["components"], serde_json::json!([]), "buttons removed: {}", edit.body);
        // The live one is restored with its remaining time and expires when it comes.
        let (_, live) = lobbies.live[shard];
        fake.wait_for(&format!("shard {shard}'s live lobby"), edit_of(live)).await;
    }
    // Neither process touched the other shard's lobbies.
    for (shard, fake) in fakes.iter().enumerate() {
        let other = 1 - shard;
        let edited: Vec<String> =
            fake.requests().await.into_iter().filter(|r| r.method == "PATCH").map(|r| r.path).collect();
        for (_, message) in [lobbies.overdue[other], lobbies.live[other]] {
            assert!(
                !edited.iter().any(|p| p.ends_with(&message.to_string())),
                "shard {shard} edited {message}: {edited:?}"
            );
        }
        assert_eq!(edited.len(), 2, "shard {shard}: exactly its two lobbies: {edited:?}");
    }
    let db = store::open(&url).await.unwrap();
    for (id, _) in lobbies.overdue.iter().chain(&lobbies.live) {
        assert_eq!(store::sessions::get(&db, *id).await.unwrap().status.to_string(), "expired");
    }
    for child in &mut children {
        // SAFETY: sending a signal to our own child process.
        assert_eq!(unsafe { libc::kill(child.id().unwrap() as i32, libc::SIGTERM) }, 0);
        let status = tokio::time::timeout(Duration::from_secs(20), child.wait()).await.expect("exits").unwrap();
        assert!(status.success(), "{status:?}");
    }
}
