//! JSON of Discord objects as the gateway and REST API send them (API v10), enough for serenity's
//! models to deserialize.

use serde_json::{Value, json};

pub const APP_ID: u64 = 700_000_000_000_000_001;
pub const BOT_ID: u64 = 700_000_000_000_000_002;
pub const GUILD_ID: u64 = 123_456_789;
pub const CHANNEL_ID: u64 = 800_000_000_000_000_001;
pub const ADMINISTRATOR: u64 = 1 << 3;

pub fn user(id: u64, name: &str, bot: bool) -> Value {
    json!({ "id": id.to_string(), "username": name, "discriminator": "0", "global_name": null, "avatar": null, "bot": bot })
}

pub fn ready(base: &str, shard: Value) -> Value {
    json!({
        "v": 10,
        "user": user(BOT_ID, "chatops", true),
        "guilds": [{ "id": GUILD_ID.to_string(), "unavailable": true }],
        "session_id": "fake-session",
        "resume_gateway_url": base.replace("http://", "ws://") + "/ws",
        "shard": shard,
        "application": { "id": APP_ID.to_string(), "flags": 0 }
    })
}

pub fn member(user_id: u64, permissions: u64) -> Value {
    json!({
        "user": user(user_id, &format!("member{user_id}"), false),
        "roles": [],
        "joined_at": "2026-01-01T00:00:00.000000+00:00",
        "deaf": false,
        "mute": false,
        "flags": 0,
        "permissions": permissions.to_string()
    })
}

pub fn message(id: u64, data: &Value) -> Value {
    json!({
        "id": id.to_string(),
        "channel_id": CHANNEL_ID.to_string(),
        "author": user(BOT_ID, "chatops", true),
        "content": data.get("content").cloned().unwrap_or(json!("")),
        "timestamp": "2026-11-25T12:00:00.000000+00:00",
        "edited_timestamp": null,
        "tts": false,
        "mention_everyone": false,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": data.get("embeds").cloned().unwrap_or(json!([])),
        "components": data.get("components").cloned().unwrap_or(json!([])),
        "pinned": false,
        "type": 0,
        "flags": data.get("flags").cloned().unwrap_or(json!(0))
    })
}

fn base(id: u64, kind: u8, token: &str, user_id: u64, permissions: u64) -> Value {
    json!({
        "id": id.to_string(),
        "application_id": APP_ID.to_string(),
        "type": kind,
        "guild_id": GUILD_ID.to_string(),
        "channel_id": CHANNEL_ID.to_string(),
        "member": member(user_id, permissions),
        "token": token,
        "version": 1,
        "app_permissions": "0",
        "locale": "en-US",
        "guild_locale": "en-US",
        "entitlements": [],
        "authorizing_integration_owners": {},
        "context": 0,
        "attachment_size_limit": 8388608
    })
}

/// A slash command (`options` as Discord sends them: `[{name, type, value}]`).
pub fn command(id: u64, token: &str, user_id: u64, permissions: u64, name: &str, options: Value) -> Value {
    let mut v = base(id, 2, token, user_id, permissions);
    v["data"] = json!({ "id": (id + 1).to_string(), "name": name, "type": 1, "options": options, "guild_id": GUILD_ID.to_string() });
    v
}

/// A button click on `message`.
pub fn click(id: u64, token: &str, user_id: u64, permissions: u64, custom_id: &str, message: Value) -> Value {
    let mut v = base(id, 3, token, user_id, permissions);
    v["data"] = json!({ "custom_id": custom_id, "component_type": 2 });
    v["message"] = message;
    v
}

/// A string option.
pub fn s(name: &str, value: &str) -> Value {
    json!({ "name": name, "type": 3, "value": value })
}

/// A user option.
pub fn u(name: &str, id: u64) -> Value {
    json!({ "name": name, "type": 6, "value": id.to_string() })
}
