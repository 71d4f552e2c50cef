//! The binary as an operator runs it: `cloud-chatops run` against the fake Discord, stopped with
//! SIGTERM; it exits cleanly, and its debug logs never contain the token.

use std::process::Stdio;
use std::time::Duration;

use super::fake::Fake;
use super::payloads::GUILD_ID;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_stops_cleanly_on_sigterm_and_never_logs_the_token() {
    let fake = Fake::start().await;
    let dir = tempfile::tempdir().unwrap();
    let token = "secret-token-that-must-not-be-logged";
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_cloud-chatops"))
        .arg("run")
        .current_dir(dir.path())
        .env("DISCORD_TOKEN", token)
        .env("DISCORD_API_BASE", &fake.base)
        .env("CHATOPS_DISCORD__GUILD_ID", GUILD_ID.to_string())
        .env("RUST_LOG", "debug")
        .env_remove("DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("start the bot");
    // Drained as they come: debug logs fill a pipe's buffer long before the bot is ready, and a full
    // pipe would stop the bot at its next log line.
    let drain = |pipe: Option<Box<dyn tokio::io::AsyncRead + Send + Unpin>>| {
        tokio::spawn(async move {
            let mut text = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = tokio::io::AsyncReadExt::read_to_end(&mut pipe, &mut text).await;
            }
            text
        })
    };
    let stdout = drain(child.stdout.take().map(|p| Box::new(p) as _));
    let stderr = drain(child.stderr.take().map(|p| Box::new(p) as _));
    fake.wait_identified().await;
    fake.wait_for("command registration", |r| r.method == "PUT").await;

    let pid = child.id().expect("running") as i32;
    // SAFETY: sending a signal to our own child process.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    let status = tokio::time::timeout(Duration::from_secs(20), child.wait()).await.expect("exits").unwrap();
    let out = std::process::Output { status, stdout: stdout.await.unwrap(), stderr: stderr.await.unwrap() };
    let logs = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "exit {:?}; logs:\n{logs}", out.status);
    assert!(logs.contains("slash commands registered"), "{logs}");
    assert!(logs.contains("closing the shards"), "{logs}");
    assert!(!logs.contains(token), "the token appears in the logs");

    // `run` on a new database loads no sample data: the team's guilds start empty.
    let url = format!("sqlite://{}?mode=rw", dir.path().join("cloud_chatops.db").display());
    let db = cloud_chatops::store::open(&url).await.expect("the bot created its database");
    let projects = cloud_chatops::store::check::all_projects(&db).await.unwrap();
    assert!(projects.is_empty(), "run loaded a project: {projects:?}");
    assert!(cloud_chatops::store::seed::is_fresh(&db).await.unwrap(), "run granted a role");
    db.close().await.unwrap();
}

/// The bot binary with `token`, pointed at `api_base`, logging at the default level.
fn bot(dir: &std::path::Path, token: &str, api_base: &str) -> tokio::process::Child {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_cloud-chatops"))
        .arg("run")
        .current_dir(dir)
        .env("DISCORD_TOKEN", token)
        .env("DISCORD_API_BASE", api_base)
        .env_remove("RUST_LOG")
        .env_remove("DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("start the bot")
}

/// Reads stderr lines until `count` of them contain `needle`; returns every line read.
async fn lines_until(
    stderr: &mut tokio::io::Lines<tokio::io::BufReader<tokio::process::ChildStderr>>,
    needle: &str,
    count: usize,
) -> Vec<String> {
    let mut seen = Vec::new();
    let read = async {
        while let Ok(Some(line)) = stderr.next_line().await {
            seen.push(line);
            if seen.iter().filter(|l| l.contains(needle)).count() >= count {
                return;
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(30), read).await.expect("the lines never came");
    seen
}

/// An endpoint nothing listens on: the bot retries with backoff, one clear line per attempt and no
/// serenity error chain, no colour in a pipe, and SIGTERM stops it within seconds even so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_discord_is_retried_with_backoff_and_sigterm_still_stops_the_bot() {
    use tokio::io::AsyncBufReadExt;
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let dir = tempfile::tempdir().unwrap();
    let mut child = bot(dir.path(), "unreachable-token-value", &base);
    let mut stderr = tokio::io::BufReader::new(child.stderr.take().unwrap()).lines();
    let seen = lines_until(&mut stderr, "cannot reach Discord", 2).await;
    let attempts: Vec<&String> = seen.iter().filter(|l| l.contains("cannot reach Discord")).collect();
    assert!(attempts[0].contains("retrying in 1 s") && attempts[1].contains("retrying in 2 s"), "{attempts:#?}");
    assert!(attempts.iter().all(|l| l.contains(&base) && l.len() < 300), "one short line each: {attempts:#?}");
    for line in &seen {
        assert!(!line.contains('\u{1b}'), "no ANSI colour in a pipe: {line:?}");
        assert!(!line.contains("unreachable-token-value"), "the token in the logs");
    }

    // SAFETY: sending a signal to our own child process.
    assert_eq!(unsafe { libc::kill(child.id().unwrap() as i32, libc::SIGTERM) }, 0);
    let status =
        tokio::time::timeout(Duration::from_secs(10), child.wait()).await.expect("stops within seconds").unwrap();
    assert!(status.success(), "a requested stop is a clean exit: {status:?}");
}

/// A token the endpoint refuses: one clear error line, a non-zero exit, no retries.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_token_stops_the_bot_with_one_clear_error() {
    let fake = Fake::start_with_token("the-right-token").await;
    let dir = tempfile::tempdir().unwrap();
    let child = bot(dir.path(), "a-wrong-token-value", &fake.base);
    let out = tokio::time::timeout(Duration::from_secs(20), child.wait_with_output()).await.expect("exits").unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "a refused token is a failure exit: {stderr}");
    let errors: Vec<&str> = stderr.lines().filter(|l| l.contains("rejected the bot token")).collect();
    assert_eq!(errors.len(), 1, "said once: {stderr}");
    assert!(errors[0].contains("401") && errors[0].contains("DISCORD_TOKEN"), "{stderr}");
    assert!(!stderr.contains("a-wrong-token-value"), "the token in the logs");
    assert!(!stderr.contains("Caused by"), "{stderr}");
    assert_eq!(fake.requests().await.iter().filter(|r| r.path.ends_with("/users/@me")).count(), 1, "no retries");
}
