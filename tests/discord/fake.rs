//! A fake Discord on 127.0.0.1: the REST routes the bot uses and a gateway websocket. It records
//! every request, keeps the messages it was asked to create or edit, and lets the test push
//! gateway dispatches (interactions) to the connected bot.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::extract::ws::{Message as WsMessage, WebSocket, WebSocketUpgrade};
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::{any, get};
use serde_json::{Value, json};
use tokio::sync::{Mutex, Notify, mpsc};

use super::payloads::{self, APP_ID, BOT_ID};

/// One REST call the bot made.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub body: Value,
}

#[derive(Default)]
struct Inner {
    requests: Vec<Recorded>,
    /// Original interaction responses, by interaction token.
    originals: HashMap<String, Value>,
    /// Channel messages, by message id.
    messages: HashMap<u64, Value>,
    gateway: Option<mpsc::UnboundedSender<Value>>,
    identified: bool,
    /// How many times a bot identified (once per start).
    identifies: u64,
    /// When set, REST calls without `Authorization: Bot <token>` get 401, as Discord answers.
    token: Option<String>,
}

/// The fake's shared state.
#[derive(Clone)]
pub struct Fake {
    inner: Arc<Mutex<Inner>>,
    changed: Arc<Notify>,
    next_id: Arc<AtomicU64>,
    seq: Arc<AtomicU64>,
    /// `http://127.0.0.1:<port>`.
    pub base: String,
}

impl Fake {
    /// Starts the fake on a free port; it accepts any token.
    pub async fn start() -> Fake {
        Fake::start_accepting(None).await
    }

    /// Starts the fake accepting only `token` (anything else gets 401 Unauthorized).
    pub async fn start_with_token(token: &str) -> Fake {
        Fake::start_accepting(Some(token.to_owned())).await
    }

    async fn start_accepting(token: Option<String>) -> Fake {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().unwrap();
        let fake = Fake {
            inner: Arc::new(Mutex::new(Inner { token, ..Inner::default() })),
            changed: Arc::new(Notify::new()),
            next_id: Arc::new(AtomicU64::new(900_000_000_000_000_000)),
            seq: Arc::new(AtomicU64::new(1)),
            base: format!("http://{addr}"),
        };
        let app = Router::new().route("/ws", get(ws)).fallback(any(rest)).with_state(fake.clone());
        tokio::spawn(async move {
            axum::serve(listener, app).await.expect("fake discord");
        });
        fake
    }

    fn id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::SeqCst)
    }

    /// Every request so far.
    pub async fn requests(&self) -> Vec<Recorded> {
        self.inner.lock().await.requests.clone()
    }

    /// Waits (up to 20 s) until a request matches.
    pub async fn wait_for(&self, what: &str, matches: impl Fn(&Recorded) -> bool) -> Recorded {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            let notified = self.changed.notified();
            if let Some(r) = self.inner.lock().await.requests.iter().find(|r| matches(r)).cloned() {
                return r;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                let seen: Vec<String> =
                    self.requests().await.iter().map(|r| format!("{} {}", r.method, r.path)).collect();
                panic!("timed out waiting for {what}; requests seen: {seen:#?}");
            }
        }
    }

    /// Waits until the bot has identified on the gateway.
    pub async fn wait_identified(&self) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            let notified = self.changed.notified();
            if self.inner.lock().await.identified {
                return;
            }
            tokio::time::timeout_at(deadline, notified).await.expect("the bot never identified");
        }
    }

    /// How many times a bot has identified so far.
    pub async fn identifies(&self) -> u64 {
        self.inner.lock().await.identifies
    }

    /// Waits until bots have identified `n` times in all (a restarted bot identifies again).
    pub async fn wait_identifies(&self, n: u64) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            let notified = self.changed.notified();
            if self.inner.lock().await.identifies >= n {
                return;
            }
            tokio::time::timeout_at(deadline, notified).await.expect("the bot never identified");
        }
    }

    /// Sends a dispatch (`t`, `d`) to the bot.
    pub async fn dispatch(&self, t: &str, d: Value) {
        let s = self.seq.fetch_add(1, Ordering::SeqCst);
        let tx = self.inner.lock().await.gateway.clone().expect("no gateway connection");
        tx.send(json!({ "op": 0, "t": t, "s": s, "d": d })).expect("gateway closed");
    }

    /// The interaction response (or its latest edit) for a token.
    pub async fn original(&self, token: &str) -> Option<Value> {
        self.inner.lock().await.originals.get(token).cloned()
    }

    async fn record(&self, method: &Method, path: &str, body: Value) {
        self.inner.lock().await.requests.push(Recorded { method: method.to_string(), path: path.to_owned(), body });
        self.changed.notify_waiters();
    }
}

async fn rest(
    State(fake): State<Fake>,
    method: Method,
    uri: Uri,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let path = uri.path().to_owned();
    let expected = fake.inner.lock().await.token.clone();
    if let Some(token) = expected {
        let given = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or_default();
        if given != format!("Bot {token}") {
            fake.record(&method, &path, Value::Null).await;
            return (StatusCode::UNAUTHORIZED, Json(json!({ "message": "401: Unauthorized", "code": 0 })))
                .into_response();
        }
    }
    let content_type = headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let body: Value = match content_type.split_once("boundary=") {
        Some((kind, boundary)) if kind.starts_with("multipart/form-data") => {
            multipart(&body, boundary.trim_matches('"'))
        }
        _ if body.is_empty() => Value::Null,
        _ => serde_json::from_slice(&body).unwrap_or(Value::Null),
    };
    let parts: Vec<&str> = path.trim_start_matches("/api/v10/").split('/').collect();
    let response = match (method.as_str(), parts.as_slice()) {
        ("GET", ["gateway"]) => Json(json!({ "url": fake.base.replace("http://", "ws://") + "/ws" })).into_response(),
        ("GET", ["gateway", "bot"]) => Json(json!({
            "url": fake.base.replace("http://", "ws://") + "/ws",
            "shards": 1,
            "session_start_limit": { "total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1 }
        }))
        .into_response(),
        ("GET", ["users", "@me"]) => Json(payloads::user(BOT_ID, "chatops", true)).into_response(),
        ("PUT", ["applications", _, "guilds", guild, "commands"]) => {
            Json(commands(&fake, &body, Some(guild.parse().unwrap_or(0)))).into_response()
        }
        ("PUT", ["applications", _, "commands"]) => Json(commands(&fake, &body, None)).into_response(),
        ("POST", ["interactions", _, token, "callback"]) => {
            let kind = body["type"].as_u64().unwrap_or(0);
            // 4: message, 7: update the component's message; keep it as the original response.
            if kind == 4 || kind == 7 {
                let message = payloads::message(fake.id(), &body["data"]);
                let mut inner = fake.inner.lock().await;
                let message = match (kind, inner.originals.get(*token)) {
                    (7, Some(old)) => merge(old, &body["data"]),
                    _ => message,
                };
                inner.originals.insert((*token).to_owned(), message);
            }
            StatusCode::NO_CONTENT.into_response()
        }
        ("GET", ["webhooks", _, token, "messages", "@original"]) => match fake.original(token).await {
            Some(m) => Json(m).into_response(),
            None => StatusCode::NOT_FOUND.into_response(),
        },
        ("PATCH", ["webhooks", _, token, "messages", "@original"]) => {
            let mut inner = fake.inner.lock().await;
            let old = inner.originals.get(*token).cloned().unwrap_or_else(|| payloads::message(fake.id(), &json!({})));
            let updated = merge(&old, &body);
            inner.originals.insert((*token).to_owned(), updated.clone());
            Json(updated).into_response()
        }
        ("DELETE", ["webhooks", _, token, "messages", "@original"]) => {
            fake.inner.lock().await.originals.remove(*token);
            StatusCode::NO_CONTENT.into_response()
        }
        ("POST", ["webhooks", _, _token]) => Json(payloads::message(fake.id(), &body)).into_response(),
        ("PATCH", ["channels", _, "messages", id]) => {
            let id: u64 = id.parse().unwrap_or(0);
            let mut inner = fake.inner.lock().await;
            let old = inner.messages.get(&id).cloned().unwrap_or_else(|| payloads::message(id, &json!({})));
            let updated = merge(&old, &body);
            inner.messages.insert(id, updated.clone());
            Json(updated).into_response()
        }
        _ => (StatusCode::NOT_FOUND, Json(json!({ "message": "404: Not Found", "code": 0 }))).into_response(),
    };
    fake.record(&method, &path, body).await;
    response
}

/// A multipart body as serenity sends messages with files: the `payload_json` part, with the files
/// under `_files` as `{filename, content}` (content as UTF-8 text, lossy).
fn multipart(body: &[u8], boundary: &str) -> Value {
    let text = String::from_utf8_lossy(body);
    let mut payload = json!({});
    let mut files = Vec::new();
    for part in text.split(&format!("--{boundary}")) {
        let Some((head, data)) = part.split_once("\r\n\r\n") else { continue };
        let data = data.strip_suffix("\r\n").unwrap_or(data);
        let name = head.split("name=\"").nth(1).and_then(|r| r.split('"').next()).unwrap_or_default();
        if name == "payload_json" {
            payload = serde_json::from_str(data).unwrap_or(Value::Null);
        } else if let Some(filename) = head.split("filename=\"").nth(1).and_then(|r| r.split('"').next()) {
            files.push(json!({ "filename": filename, "content": data }));
        }
    }
    if let Some(obj) = payload.as_object_mut() {
        obj.insert("_files".into(), Value::Array(files));
    }
    payload
}

/// A message with the fields of `patch` replacing its own.
fn merge(old: &Value, patch: &Value) -> Value {
    let mut out = old.clone();
    if let (Some(out), Some(patch)) = (out.as_object_mut(), patch.as_object()) {
        for (k, v) in patch {
            if ["content", "embeds", "components", "flags"].contains(&k.as_str()) {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    out
}

fn commands(fake: &Fake, body: &Value, guild: Option<u64>) -> Value {
    let list = body.as_array().cloned().unwrap_or_default();
    Value::Array(
        list.into_iter()
            .map(|mut c| {
                let obj = c.as_object_mut().unwrap();
                obj.insert("id".into(), json!(fake.id().to_string()));
                obj.insert("application_id".into(), json!(APP_ID.to_string()));
                obj.insert("version".into(), json!(fake.id().to_string()));
                obj.entry("type").or_insert(json!(1));
                if let Some(g) = guild {
                    obj.insert("guild_id".into(), json!(g.to_string()));
                }
                c
            })
            .collect(),
    )
}

async fn ws(State(fake): State<Fake>, upgrade: WebSocketUpgrade) -> Response {
    upgrade.on_upgrade(move |socket| gateway(fake, socket))
}

async fn gateway(fake: Fake, mut socket: WebSocket) {
    let hello = json!({ "op": 10, "d": { "heartbeat_interval": 41250 } });
    if socket.send(WsMessage::Text(hello.to_string().into())).await.is_err() {
        return;
    }
    let (tx, mut rx) = mpsc::unbounded_channel::<Value>();
    loop {
        tokio::select! {
            incoming = socket.recv() => {
                let Some(Ok(WsMessage::Text(text))) = incoming else {
                    match incoming {
                        Some(Ok(_)) => continue,
                        _ => return,
                    }
                };
                let payload: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                match payload["op"].as_u64() {
                    Some(1) => {
                        let _ = socket.send(WsMessage::Text(json!({ "op": 11 }).to_string().into())).await;
                    }
                    Some(2) => {
                        {
                            let mut inner = fake.inner.lock().await;
                            inner.gateway = Some(tx.clone());
                            inner.identified = true;
                            inner.identifies += 1;
                        }
                        // READY names the shard the bot identified as (one shard of several processes).
                        let shard = match &payload["d"]["shard"] {
                            Value::Array(pair) if pair.len() == 2 => Value::Array(pair.clone()),
                            _ => json!([0, 1]),
                        };
                        let ready = payloads::ready(&fake.base, shard);
                        let s = fake.seq.fetch_add(1, Ordering::SeqCst);
                        let msg = json!({ "op": 0, "t": "READY", "s": s, "d": ready });
                        let _ = socket.send(WsMessage::Text(msg.to_string().into())).await;
                        fake.changed.notify_waiters();
                    }
                    _ => {}
                }
            }
            Some(out) = rx.recv() => {
                if socket.send(WsMessage::Text(out.to_string().into())).await.is_err() {
                    return;
                }
            }
        }
    }
}
