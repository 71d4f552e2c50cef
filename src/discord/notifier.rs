//! Timer-driven lobby updates (expiry) edit the lobby message through the channel-message API with
//! the bot token: interaction tokens die after 15 minutes, lobbies live longer.

use std::sync::{Arc, OnceLock};

use serenity::all::{ChannelId, Http, MessageId};

use super::render::render;
use crate::actors::notifier::{LobbyNotifier, LobbyTarget};
use crate::commands::{Reply, Services};

/// Edits lobby messages when their lobby changes without a click.
pub struct DiscordNotifier {
    http: Arc<Http>,
    services: Arc<OnceLock<Services>>,
}

impl DiscordNotifier {
    /// A notifier; `services` is filled once the actor system runs (it needs the records handle).
    pub fn new(http: Arc<Http>, services: Arc<OnceLock<Services>>) -> Self {
        Self { http, services }
    }
}

impl LobbyNotifier for DiscordNotifier {
    fn lobby_updated(&self, target: LobbyTarget, reply: Reply) {
        let (http, services) = (self.http.clone(), self.services.clone());
        tokio::spawn(async move {
            let message_id = match (target.message_id, &reply, services.get()) {
                (Some(id), _, _) => Some(id),
                (None, Reply::LobbyClosed { session_id, .. }, Some(s)) => {
                    s.records.session(*session_id).await.ok().and_then(|row| row.message_id)
                }
                _ => None,
            };
            let Some(message_id) = message_id.and_then(|id| u64::try_from(id).ok()).filter(|id| *id > 0) else {
                tracing::warn!(channel_id = target.channel_id, "lobby update without a message to edit");
                return;
            };
            let Ok(channel) = u64::try_from(target.channel_id) else { return };
            let edit = render(&reply).channel_edit();
            if let Err(e) = ChannelId::new(channel.max(1)).edit_message(&http, MessageId::new(message_id), edit).await {
                tracing::warn!(channel_id = target.channel_id, message_id, error = %e, "could not edit the lobby message");
            }
        });
    }
}
