//! The bot binary's ops endpoints: `/readyz` waits for Discord's gateway (503 naming it while
//! Discord cannot be reached, 200 once connected), `/metrics` shows the shard connected, and
//! systemd hears READY=1 once connected and STOPPING=1 on SIGTERM.

use std::process::Stdio;
use std::time::Duration;

#[path = "../common/http.rs"]
mod common_http;

use common_http::{free_addr, get, sample, wait_for};

use super::fake::Fake;
use super::payloads::{self, ADMINISTRATOR, GUILD_ID};

const DEADLINE: Duration = Duration::from_secs(60);

fn bot(dir: &std::path::Path, token: &str, api_base: &str, listen: std::net::SocketAddr) -> tokio::process::Command {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_cloud-chatops"));
    cmd.arg("run")
        .current_dir(dir)
        .env("DISCORD_TOKEN", token)
        .env("DISCORD_API_BASE", api_base)
        .env("CHATOPS_DISCORD__GUILD_ID", GUILD_ID.to_string())
        .env("CHATOPS_METRICS__LISTEN", listen.to_string())
        .env("RUST_LOG", "warn")
        .env_remove("DATABASE_URL")
        .env_remove("NOTIFY_SOCKET")
        .env_remove("WATCHDOG_USEC")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true);
    cmd
}

async fn sigterm(child: &mut tokio::process::Child) {
    // SAFETY: sending a signal to our own child process.
    assert_eq!(unsafe { libc::kill(child.id().unwrap() as i32, libc::SIGTERM) }, 0);
    let status = tokio::time::timeout(Duration::from_secs(20), child.wait()).await.expect("exits").unwrap();
    assert!(status.success(), "{status:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readyz_is_200_once_the_gateway_connects_and_metrics_show_the_shard_up() {
    let fake = Fake::start().await;
    let dir = tempfile::tempdir().unwrap();
    let addr = free_addr();
    let socket_path = dir.path().join("notify.sock");
    let socket = std::os::unix::net::UnixDatagram::bind(&socket_path).unwrap();
    socket.set_read_timeout(Some(DEADLINE)).unwrap();
    let mut child = bot(dir.path(), "ops-token", &fake.base, addr).env("NOTIFY_SOCKET", &socket_path).spawn().unwrap();

    let (ready, scrape) = tokio::task::spawn_blocking(move || {
        let ready = wait_for(addr, "/readyz", DEADLINE, |s, _| s == 200);
        (ready, get(addr, "/metrics").expect("/metrics answers"))
    })
    .await
    .unwrap();
    assert_eq!(ready, (200, "ready\n".to_owned()));
    assert_eq!(scrape.0, 200);
    assert_eq!(sample(&scrape.1, "cloud_chatops_discord_gateway_connected{shard=\"0\"}"), Some(1.0), "{}", scrape.1);
    assert!(!scrape.1.contains("ops-token"));
    let notified = tokio::task::spawn_blocking(move || {
        let mut buf = [0u8; 256];
        let n = socket.recv(&mut buf).expect("READY=1 before the deadline");
        (String::from_utf8_lossy(&buf[..n]).trim().to_owned(), socket)
    });
    let (first, socket) = notified.await.unwrap();
    assert_eq!(first, "READY=1");

    // An interaction's acknowledgement is timed.
    fake.wait_for("command registration", |r| r.method == "PUT").await;
    let command =
        payloads::command(5_000, "tok-ops", 222_222_222, ADMINISTRATOR, "cloud-projects", serde_json::json!([]));
    fake.dispatch("INTERACTION_CREATE", command).await;
    fake.wait_for("the callback", |r| r.path.ends_with("/tok-ops/callback")).await;
    let acks = tokio::task::spawn_blocking(move || {
        wait_for(addr, "/metrics", DEADLINE, |_, body| {
            sample(body, "cloud_chatops_discord_ack_duration_seconds_count{kind=\"command\"}").is_some()
        })
    })
    .await
    .unwrap();
    let count = sample(&acks.1, "cloud_chatops_discord_ack_duration_seconds_count{kind=\"command\"}");
    assert_eq!(count, Some(1.0), "{}", acks.1);

    sigterm(&mut child).await;
    let mut buf = [0u8; 256];
    let n = socket.recv(&mut buf).expect("STOPPING=1 before the deadline");
    assert_eq!(String::from_utf8_lossy(&buf[..n]).trim(), "STOPPING=1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readyz_is_503_naming_the_gateway_while_discord_cannot_be_reached() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let dir = tempfile::tempdir().unwrap();
    let addr = free_addr();
    let mut child = bot(dir.path(), "unreachable-ops-token", &base, addr).spawn().unwrap();
    let (health, ready) = tokio::task::spawn_blocking(move || {
        let health = wait_for(addr, "/healthz", DEADLINE, |s, _| s == 200);
        (health, get(addr, "/readyz").expect("/readyz answers"))
    })
    .await
    .unwrap();
    assert_eq!(health.1, "ok\n");
    assert_eq!(ready, (503, "not ready\ndiscord gateway: not connected yet\n".to_owned()));
    sigterm(&mut child).await;
}
