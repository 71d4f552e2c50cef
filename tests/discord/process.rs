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
    let child = tokio::process::Command::new(env!("CARGO_BIN_EXE_cloud-chatops"))
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
    fake.wait_identified().await;
    fake.wait_for("command registration", |r| r.method == "PUT").await;

    let pid = child.id().expect("running") as i32;
    // SAFETY: sending a signal to our own child process.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    let out = tokio::time::timeout(Duration::from_secs(20), child.wait_with_output()).await.expect("exits").unwrap();
    let logs = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "exit {:?}; logs:\n{logs}", out.status);
    assert!(logs.contains("slash commands registered"), "{logs}");
    assert!(logs.contains("closing the shards"), "{logs}");
    assert!(!logs.contains(token), "the token appears in the logs");
}
