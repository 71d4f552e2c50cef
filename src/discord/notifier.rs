//! Timer-driven lobby updates (expiry) edit the lobby message through the channel-message API with
//! the bot token: interaction tokens die after 15 minutes, lobbies live longer.

use std::sync::Arc;

use serenity::all::{ChannelId, Http, MessageId};

use super::render::render;
use crate::actors::notifier::{LobbyEvent, LobbyNotifier, LobbyTarget};
use crate::commands::outcomes;

/// Edits lobby messages when their lobby changes without a click.
pub struct DiscordNotifier {
    http: Arc<Http>,
}

impl DiscordNotifier {
    /// A notifier that edits through `http`.
    pub fn new(http: Arc<Http>) -> Self {
        Self { http }
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
}
