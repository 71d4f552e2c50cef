//! The control socket: how `cloud-chatops backup <file>` asks the process that holds the SQLite
//! file (the bot or the console; the file serves one process at a time, see `store::connect`) to
//! make the copy itself. A Unix socket beside the database (`cloud_chatops.db.control`), readable
//! and writable by its owner only; one JSON request per connection, one JSON reply:
//!
//! ```text
//! → {"backup":{"path":"/srv/backups/b.db","force":false}}
//! ← {"ok":{"path":"/srv/backups/b.db","bytes":126976}}   or   {"error":"/srv/backups/b.db already exists; ..."}
//! ```
//!
//! The server only sends a message to the BackupActor. A socket file left by a process that died
//! is replaced at the next start; one another live process answers on is left alone.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{UnixListener, UnixStream};

use crate::actors::backup::BackupHandle;

/// The longest request line read (a path is at most 4 KiB on Linux).
const MAX_REQUEST: u64 = 16 * 1024;

/// How long a client waits to be heard before it gives up on the socket.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// The control socket of a database file.
pub fn socket_path(database: &Path) -> PathBuf {
    let mut path = database.as_os_str().to_owned();
    path.push(".control");
    PathBuf::from(path)
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
enum Request {
    Backup { path: PathBuf, force: bool },
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Reply {
    Ok { path: PathBuf, bytes: u64 },
    Error(String),
}

/// The running server; dropping it leaves the socket served until [`ControlServer::stop`].
pub struct ControlServer {
    path: PathBuf,
    task: tokio::task::JoinHandle<()>,
}

impl ControlServer {
    /// Stops serving and removes the socket file.
    pub async fn stop(self) {
        self.task.abort();
        let _ = self.task.await;
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Serves the control socket of `database`. `None` (logged) when it cannot: another live
/// process answers there, or the path is too long for a Unix socket; `backup` then says so.
pub fn serve(database: &Path, backup: BackupHandle) -> Option<ControlServer> {
    let path = socket_path(database);
    if path.exists() {
        if std::os::unix::net::UnixStream::connect(&path).is_ok() {
            tracing::warn!(socket = %path.display(), "another process answers on the control socket; not serving it");
            return None;
        }
        // Left by a process that died: nobody answers it.
        let _ = std::fs::remove_file(&path);
    }
    let listener = match UnixListener::bind(&path) {
        Ok(listener) => listener,
        Err(e) => {
            tracing::warn!(socket = %path.display(), error = %e, "cannot serve the control socket; `backup` will not reach this process");
            return None;
        }
    };
    use std::os::unix::fs::PermissionsExt;
    if let Err(e) = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)) {
        tracing::warn!(socket = %path.display(), error = %e, "cannot make the control socket private");
    }
    let task = tokio::spawn(async move {
        loop {
            let stream = match listener.accept().await {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of file descriptors, say: wait rather than spin.
                    tracing::warn!(error = %e, "control socket accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            };
            let backup = backup.clone();
            tokio::spawn(async move {
                if let Err(e) = answer(stream, backup).await {
                    tracing::debug!(error = %e, "control connection closed");
                }
            });
        }
    });
    Some(ControlServer { path, task })
}

async fn answer(stream: UnixStream, backup: BackupHandle) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut line = String::new();
    BufReader::new(read.take(MAX_REQUEST)).read_line(&mut line).await?;
    let reply = match serde_json::from_str::<Request>(line.trim()) {
        Err(_) => Reply::Error("not a control request this version understands".into()),
        Ok(Request::Backup { path, force }) => match backup.copy_to(path, force).await {
            Ok(Ok(written)) => Reply::Ok { path: written.path, bytes: written.bytes },
            Ok(Err(refused)) => Reply::Error(refused),
            Err(e) => Reply::Error(format!("the running process could not copy the database: {e}")),
        },
    };
    let mut text = serde_json::to_string(&reply).unwrap_or_else(|_| r#"{"error":"internal"}"#.into());
    text.push('\n');
    write.write_all(text.as_bytes()).await?;
    write.shutdown().await
}

/// What asking a running process for a backup came to.
#[derive(Debug)]
pub enum Asked {
    /// Nobody answers on the socket (no process, or one that died): the caller may open the file.
    NoProcess,
    /// The running process wrote the copy: where, and its size.
    Written(PathBuf, u64),
    /// The running process refused, with its reason.
    Refused(String),
}

/// Asks the process serving `database` for a copy at `target` (absolute).
pub async fn request_backup(database: &Path, target: &Path, force: bool) -> std::io::Result<Asked> {
    let socket = socket_path(database);
    let Ok(Ok(stream)) = tokio::time::timeout(CONNECT_TIMEOUT, UnixStream::connect(&socket)).await else {
        return Ok(Asked::NoProcess);
    };
    let (read, mut write) = stream.into_split();
    let mut request = serde_json::to_string(&Request::Backup { path: target.to_path_buf(), force })?;
    request.push('\n');
    write.write_all(request.as_bytes()).await?;
    let mut line = String::new();
    BufReader::new(read.take(MAX_REQUEST)).read_line(&mut line).await?;
    match serde_json::from_str::<Reply>(line.trim()) {
        Ok(Reply::Ok { path, bytes }) => Ok(Asked::Written(path, bytes)),
        Ok(Reply::Error(reason)) => Ok(Asked::Refused(reason)),
        Err(_) if line.is_empty() => Ok(Asked::Refused("the running process closed the connection".into())),
        Err(_) => Ok(Asked::Refused("the running process answered something this version does not understand".into())),
    }
}
