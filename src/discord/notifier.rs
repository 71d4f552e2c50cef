//! The Discord side of the lobby's port. Timer-driven lobby updates (expiry) edit the lobby
//! message through the channel-message API with the bot token: interaction tokens die after 15
//! minutes, lobbies live longer. An approval by someone else asks here, over REST, whether the
//! requester still holds the Administrator or Manage Server permission.

use std::sync::Arc;

use serenity::all::{ChannelId, GuildId, Http, MessageId, Permissions, RoleId, UserId};

use super::render::render;
use crate::actors::BoxFuture;
use crate::actors::notifier::{LobbyEvent, LobbyNotifier, LobbyTarget};
use crate::commands::outcomes;
use crate::domain::ShardRange;

/// Edits lobby messages when their lobby changes without a click, and looks members up.
pub struct DiscordNotifier {
    http: Arc<Http>,
    shards: Option<ShardRange>,
}

impl DiscordNotifier {
    /// A notifier that talks to Discord through `http`, for a process serving `shards` (`None`: all).
    pub fn new(http: Arc<Http>, shards: Option<ShardRange>) -> Self {
        Self { http, shards }
    }

    async fn administers(&self, guild_id: i64, user_id: i64) -> Option<bool> {
        let guild = GuildId::new(u64::try_from(guild_id).ok().filter(|g| *g > 0)?);
        let user = UserId::new(u64::try_from(user_id).ok().filter(|u| *u > 0)?);
        let member = match self.http.get_member(guild, user).await {
            Ok(member) => member,
            // No longer in the guild: certainly not its administrator.
            Err(serenity::Error::Http(e)) if e.status_code().is_some_and(|s| s.as_u16() == 404) => return Some(false),
            Err(e) => {
                tracing::warn!(guild_id, user_id, error = %e, "could not look the member up");
                return None;
            }
        };
        let partial = match self.http.get_guild(guild).await {
            Ok(g) => g,
            Err(e) => {
                tracing::warn!(guild_id, error = %e, "could not read the guild's roles");
                return None;
            }
        };
        if partial.owner_id == user {
            return Some(true);
        }
        let everyone = partial.roles.get(&RoleId::new(guild.get())).map(|r| r.permissions).unwrap_or_default();
        let permissions =
            member.roles.iter().filter_map(|id| partial.roles.get(id)).fold(everyone, |p, r| p | r.permissions);
        Some(permissions.contains(Permissions::ADMINISTRATOR) || permissions.contains(Permissions::MANAGE_GUILD))
    }
}

impl LobbyNotifier for DiscordNotifier {
    fn lobby_updated(&self, target: LobbyTarget, event: LobbyEvent) {
        let http = self.http.clone();
        tokio::spawn(async move {
            // The lobby learns its message id when the front end posts it (`LobbyHandle::posted`).
            let Some(message_id) = target.message_id.and_then(|id| u64::try_from(id).ok()).filter(|id| *id > 0) else {
                tracing::warn!(channel_id = target.channel_id, "lobby update without a message to edit");
                return;
            };
            let Ok(channel) = u64::try_from(target.channel_id) else { return };
            let edit = render(&outcomes::event(event)).channel_edit();
            if let Err(e) = ChannelId::new(channel.max(1)).edit_message(&http, MessageId::new(message_id), edit).await {
                tracing::warn!(channel_id = target.channel_id, message_id, error = %e, "could not edit the lobby message");
            }
        });
    }

    fn shards(&self) -> Option<ShardRange> {
        self.shards
    }

    fn is_guild_admin_now(&self, guild_id: i64, user_id: i64) -> BoxFuture<'_, Option<bool>> {
        Box::pin(self.administers(guild_id, user_id))
    }
}
