//! The port through which actors tell a front end about things no member asked for just now
//! (a lobby that expired), so it can update the lobby message.

use chrono::{DateTime, Utc};
use uuid::Uuid;

pub use super::lobby::LobbyEvent;

/// Where a lobby's message lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LobbyTarget {
    /// Guild.
    pub guild_id: i64,
    /// Channel.
    pub channel_id: i64,
    /// The lobby message, once the front end has posted it.
    pub message_id: Option<i64>,
}

/// Implemented by each front end.
pub trait LobbyNotifier: Send + Sync + 'static {
    /// A lobby changed without a member's action (expiry); `event` says how.
    fn lobby_updated(&self, target: LobbyTarget, event: LobbyEvent);

    /// A lobby's expiry timer fired for the deadline it was scheduled for (before the ending is
    /// written). Front ends ignore it; `cloud-chatops bench` measures timer lag with it.
    fn expiry_timer_fired(&self, _session_id: Uuid, _deadline: DateTime<Utc>) {}
}

/// A notifier that only logs (for processes without a front end).
pub struct LogNotifier;

impl LobbyNotifier for LogNotifier {
    fn lobby_updated(&self, target: LobbyTarget, event: LobbyEvent) {
        tracing::info!(guild_id = target.guild_id, channel_id = target.channel_id, ?event, "lobby updated");
    }
}
