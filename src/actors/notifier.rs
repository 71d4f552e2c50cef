//! The port through which actors tell a front end about things no member asked for just now
//! (a lobby that expired), so it can update the lobby message.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::BoxFuture;
pub use super::lobby::LobbyEvent;
use crate::domain::ShardRange;

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

/// Implemented by each front end: the lobby's way back to it.
pub trait LobbyNotifier: Send + Sync + 'static {
    /// A lobby changed without a member's action (expiry); `event` says how.
    fn lobby_updated(&self, target: LobbyTarget, event: LobbyEvent);

    /// A lobby's expiry timer fired for the deadline it was scheduled for (before the ending is
    /// written). Front ends ignore it; `cloud-chatops bench` measures timer lag with it.
    fn expiry_timer_fired(&self, _session_id: Uuid, _deadline: DateTime<Utc>) {}

    /// The Discord shards this process serves (`None`: every guild, as the console does). A process
    /// hosts, restores and expires only the lobbies of the guilds on its shards.
    fn shards(&self) -> Option<ShardRange> {
        None
    }

    /// Whether `user_id` holds Discord's Administrator or Manage Server permission in `guild_id`
    /// now, as the front end can find out (`None`: it cannot tell).
    fn is_guild_admin_now(&self, _guild_id: i64, _user_id: i64) -> BoxFuture<'_, Option<bool>> {
        Box::pin(async { None })
    }
}

/// A notifier that only logs (for processes without a front end).
pub struct LogNotifier;

impl LobbyNotifier for LogNotifier {
    fn lobby_updated(&self, target: LobbyTarget, event: LobbyEvent) {
        tracing::info!(guild_id = target.guild_id, channel_id = target.channel_id, ?event, "lobby updated");
    }
}
