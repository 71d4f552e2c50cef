//! Two bot processes on one PostgreSQL database, each serving half the shards
//! (`CHATOPS_DISCORD__SHARDS=0-0/2` and `1-1/2`), each against its own fake Discord: each process
//! rehydrates and expires only the lobbies of guilds on its shards (`(guild_id >> 22) % 2`), and
//! every lobby is expired, and its message edited, exactly once. Runs when `TEST_DATABASE_URL` names
//! a PostgreSQL server (a fresh database is created on it and dropped after).

use std::process::Stdio;
use std::time::Duration;

use cloud_chatops::store;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, IntoActiveModel};

use super::fake::Fake;
use super::payloads::GUILD_ID;

/// A guild on shard 0 of 2 (the sample guild, 123456789, is on shard 1).
const SHARD0_GUILD: u64 = GUILD_ID + (1 << 22);

fn binary(dir: &std::path::Path, url: &str) -> tokio::process::Command {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_cloud-chatops"));
    cmd.current_dir(dir)
        .env("DATABASE_URL", url)
        .env("RUST_LOG", "warn")
        .env("CHATOPS_TERRAFORM__OUTPUT_DIR", dir.join("tf"))
        .env_remove("DISCORD_TOKEN")
        .env_remove("CLOUD_CHATOPS_CRASH_AT");
    cmd
}

/// Runs a console script as a guild administrator of `guild`; answers its JSON replies.
async fn console(dir: &std::path::Path, url: &str, guild: u64, script: &str) -> Vec<serde_json::Value> {
    use tokio::io::AsyncWriteExt;
    let mut cmd = binary(dir, url);
    cmd.args(["console", "--json", "--user", "222222222", "--admin", "--guild", &guild.to_string()]);
    let mut child = cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(script.as_bytes()).await.unwrap();
    let out = child.wait_with_output().await.unwrap();
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

/// Opens a lobby in `guild` (its own project), posted as Discord message `message_id`.
async fn posted_lobby(
    dir: &std::path::Path,
    url: &str,
    db: &sea_orm::DatabaseConnection,
    guild: u64,
    message_id: i64,
) -> uuid::Uuid {
    let created = console(dir, url, guild, &format!("/cloud-init provider:gcp project_name:shard-{guild}\n")).await;
    let project = created[0]["project"]["id"].as_str().unwrap().to_owned();
    let line =
        format!("/cloud-deploy project_id:{project} resource_type:vm resource_name:late machine_type:e2-micro\n");
    let opened = console(dir, url, guild, &line).await;
    let id: uuid::Uuid = opened[0]["session_id"].as_str().unwrap().parse().unwrap();
    store::sessions::set_message(db, id, message_id).await.unwrap();
    id
}

/// Moves a lobby's deadline into the past (done after every console ran: a console hosts every
/// guild's lobbies and would expire it itself).
async fn make_overdue(db: &sea_orm::DatabaseConnection, id: uuid::Uuid) {
    let mut row = store::sessions::get(db, id).await.unwrap().into_active_model();
    row.expires_at = Set(store::now() - chrono::TimeDelta::minutes(1));
    row.update(db).await.unwrap();
}

fn bot(dir: &std::path::Path, url: &str, fake: &Fake, shards: &str) -> tokio::process::Child {
    let mut cmd = binary(dir, url);
    cmd.arg("run")
        .env("DISCORD_TOKEN", "fake-bot-token-shards")
        .env("DISCORD_API_BASE", &fake.base)
        .env("CHATOPS_DISCORD__SHARDS", shards)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true);
    cmd.spawn().expect("start the bot")
}

fn edits_of(requests: &[super::fake::Recorded], message_id: i64) -> usize {
    requests.iter().filter(|r| r.method == "PATCH" && r.path.ends_with(&format!("/messages/{message_id}"))).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_bot_processes_each_expire_only_the_lobbies_of_their_shards() {
    assert_eq!(((SHARD0_GUILD >> 22) % 2, (GUILD_ID >> 22) % 2), (0, 1));
    crate::common_pg::on_fresh_database("chatops_shards", run).await;
}

async fn run(url: String) {
    let dir = tempfile::tempdir().unwrap();
    let migrated = binary(dir.path(), &url).arg("migrate").output().await.unwrap();
    assert!(migrated.status.success());
    let db = store::connect(&url).await.unwrap();
    let on_shard0 = posted_lobby(dir.path(), &url, &db, SHARD0_GUILD, 1_001).await;
    let on_shard1 = posted_lobby(dir.path(), &url, &db, GUILD_ID, 1_002).await;
    for id in [on_shard0, on_shard1] {
        make_overdue(&db, id).await;
    }

    let (fake0, fake1) = (Fake::start().await, Fake::start().await);
    let mut bots = [bot(dir.path(), &url, &fake0, "0-0/2"), bot(dir.path(), &url, &fake1, "1-1/2")];
    fake0
        .wait_for("shard 0's lobby edited as expired", |r| r.method == "PATCH" && r.path.ends_with("/messages/1001"))
        .await;
    fake1
        .wait_for("shard 1's lobby edited as expired", |r| r.method == "PATCH" && r.path.ends_with("/messages/1002"))
        .await;
    // Long enough for a process that hosted the other's lobby to have edited it too.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (seen0, seen1) = (fake0.requests().await, fake1.requests().await);
    for bot in &mut bots {
        // SAFETY: sending a signal to our own child process.
        assert_eq!(unsafe { libc::kill(bot.id().unwrap() as i32, libc::SIGTERM) }, 0);
        let status = tokio::time::timeout(Duration::from_secs(20), bot.wait()).await.expect("stops").unwrap();
        assert!(status.success(), "{status:?}");
    }

    assert_eq!((edits_of(&seen0, 1_001), edits_of(&seen0, 1_002)), (1, 0), "process 0 edits only its shard's lobby");
    assert_eq!((edits_of(&seen1, 1_001), edits_of(&seen1, 1_002)), (0, 1), "process 1 edits only its shard's lobby");
    for id in [on_shard0, on_shard1] {
        let session = store::sessions::get(&db, id).await.unwrap();
        assert_eq!(session.status.to_string(), "expired");
        let history = store::history::list_for_project(&db, &session.project_id).await.unwrap();
        let expiries = history.iter().filter(|h| h.action == "expired" && h.session_id == Some(id)).count();
        assert_eq!(expiries, 1, "expired once: {history:?}");
    }
    db.close().await.ok();
}
