//! The port through which actors tell a front end about things no member asked for just now
//! (a lobby that expired), so it can update the lobby message.

use crate::commands::Reply;

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
    /// A lobby changed without a member's action (expiry); `reply` is its new state to render.
    fn lobby_updated(&self, target: LobbyTarget, reply: Reply);
}

/// A notifier that only logs (for processes without a front end).
pub struct LogNotifier;

impl LobbyNotifier for LogNotifier {
    fn lobby_updated(&self, target: LobbyTarget, reply: Reply) {
        tracing::info!(guild_id = target.guild_id, channel_id = target.channel_id, ?reply, "lobby updated");
    }
}
