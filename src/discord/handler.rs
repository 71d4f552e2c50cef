//! The gateway event handler: registers the commands when the shard is ready, and turns each
//! interaction into a `Command` for the command layer. Every interaction is acknowledged within
//! Discord's 3 seconds: a reply that is ready in time is sent at once, otherwise the interaction is
//! deferred and the reply edited in when it comes.

use std::time::{Duration, Instant};

use serenity::all::{
    CommandInteraction, ComponentInteraction, ConnectionStage, Context, CreateAutocompleteResponse,
    CreateInteractionResponse, EventHandler, GuildId, Interaction, Ready, ResumedEvent, ShardStageUpdateEvent,
};
use serenity::async_trait;

use super::pages::{self, Source};
use super::render::{Rendered, render, render_command, render_list_page};
use super::{autocomplete, custom_id, options, register};
use crate::commands::{Command, Invoker, Press, Preview, Reply, Services, execute};
use crate::ops::Gateway;
use crate::ops::metrics;

/// How long a command may run before the interaction is deferred (Discord allows 3 s).
pub const ACK_DEADLINE: Duration = Duration::from_millis(2000);

/// The bot's event handler.
pub struct Handler {
    /// Actor handles.
    pub services: Services,
    /// Register commands in this guild (instant) instead of globally.
    pub guild_id: Option<u64>,
    /// How long a reply may take before the interaction is deferred ([`ACK_DEADLINE`]).
    pub ack_deadline: Duration,
    /// Where the shards' connection states are reported (readiness, the gateway gauge).
    pub gateway: Gateway,
}

#[async_trait]
impl EventHandler for Handler {
    async fn ready(&self, ctx: Context, ready: Ready) {
        tracing::info!(shard = ?ready.shard, guilds = ready.guilds.len(), "connected to Discord");
        self.gateway.set(ready.shard.map_or(ctx.shard_id.0, |s| s.id.0), true);
        let commands = register::commands();
        let result = match self.guild_id {
            Some(id) => GuildId::new(id).set_commands(&ctx.http, commands).await.map(|c| c.len()),
            None => serenity::all::Command::set_global_commands(&ctx.http, commands).await.map(|c| c.len()),
        };
        match result {
            Ok(n) => tracing::info!(commands = n, guild_id = ?self.guild_id, "slash commands registered"),
            Err(e) => tracing::error!(error = %e, "could not register the slash commands"),
        }
    }

    async fn resume(&self, ctx: Context, _: ResumedEvent) {
        self.gateway.set(ctx.shard_id.0, true);
    }

    async fn shard_stage_update(&self, _ctx: Context, event: ShardStageUpdateEvent) {
        // One line per change of a shard's connection, in place of serenity's own retry logs.
        tracing::info!(shard = event.shard_id.0, from = ?event.old, to = ?event.new, "Discord gateway connection");
        self.gateway.set(event.shard_id.0, event.new == ConnectionStage::Connected);
    }

    async fn interaction_create(&self, ctx: Context, interaction: Interaction) {
        match interaction {
            Interaction::Command(cmd) => self.command(&ctx, cmd).await,
            Interaction::Component(click) => self.click(&ctx, click).await,
            Interaction::Autocomplete(cmd) => self.autocomplete(&ctx, cmd).await,
            _ => {}
        }
    }
}

impl Handler {
    async fn command(&self, ctx: &Context, cmd: CommandInteraction) {
        let arrived = Instant::now();
        let Some(invoker) = options::command_invoker(&cmd) else {
            respond_now(ctx, &cmd, &render(&Reply::error("cloud-chatops commands work in a server, not in DMs"))).await;
            return metrics::ack("command", arrived.elapsed());
        };
        let span = tracing::info_span!("interaction", guild_id = invoker.guild_id, user_id = invoker.user_id, command = %cmd.data.name);
        let _enter = span.enter();
        let (name, pairs) = options::command_options(&cmd);
        let command = match Command::from_options(&name, &pairs) {
            Ok(c) => c,
            Err(e) => {
                respond_now(ctx, &cmd, &render(&Reply::error(e.to_string()))).await;
                return metrics::ack("command", arrived.elapsed());
            }
        };
        let source = Source::of(&name, &pairs);
        let services = self.services.clone();
        let mut work = tokio::spawn(async move { execute(&services, invoker, command).await });
        let reply = match self.within_deadline(&mut work).await {
            Some(joined) => joined.unwrap_or_else(|_| Reply::error("the command failed; nothing was changed")),
            None => {
                // Too slow for the 3-second window: acknowledge publicly, then edit the reply in.
                if let Err(e) = cmd.defer(&ctx.http).await {
                    tracing::warn!(error = %e, "could not defer the interaction");
                }
                metrics::ack("command", arrived.elapsed());
                let reply = work.await.unwrap_or_else(|_| Reply::error("the command failed; nothing was changed"));
                return self.finish_deferred(ctx, &cmd, &reply, source.as_ref()).await;
            }
        };
        respond_now(ctx, &cmd, &render_command(&reply, source.as_ref())).await;
        metrics::ack("command", arrived.elapsed());
        if let Reply::Lobby(view) = &reply {
            match cmd.get_response(&ctx.http).await {
                Ok(message) => self.remember(view.session_id, message.id.get()).await,
                Err(e) => tracing::warn!(error = %e, "could not read back the lobby message"),
            }
        }
    }

    async fn finish_deferred(&self, ctx: &Context, cmd: &CommandInteraction, reply: &Reply, source: Option<&Source>) {
        let rendered = render_command(reply, source);
        if rendered.ephemeral {
            // A refusal must stay private: replace the public placeholder with a private follow-up.
            let _ = cmd.delete_response(&ctx.http).await;
            if let Err(e) = cmd.create_followup(&ctx.http, rendered.followup()).await {
                tracing::warn!(error = %e, "could not send the follow-up");
            }
            return;
        }
        match cmd.edit_response(&ctx.http, rendered.edit()).await {
            Ok(message) => {
                if let Reply::Lobby(view) = reply {
                    self.remember(view.session_id, message.id.get()).await;
                }
            }
            Err(e) => tracing::warn!(error = %e, "could not edit the deferred reply"),
        }
    }

    /// The task's outcome if it finishes within the acknowledgement deadline (a zero deadline always
    /// defers, which the tests use to exercise the slow path deterministically).
    async fn within_deadline(
        &self,
        work: &mut tokio::task::JoinHandle<Reply>,
    ) -> Option<Result<Reply, tokio::task::JoinError>> {
        if self.ack_deadline.is_zero() {
            return None;
        }
        tokio::time::timeout(self.ack_deadline, work).await.ok()
    }

    /// Stores the lobby's message id so timers can edit it later.
    async fn remember(&self, session_id: uuid::Uuid, message_id: u64) {
        let Ok(id) = i64::try_from(message_id) else { return };
        if let Err(e) = self.services.lobbies.posted(session_id, id).await {
            tracing::warn!(%session_id, error = %e, "could not store the lobby message id");
        }
    }

    async fn click(&self, ctx: &Context, click: ComponentInteraction) {
        let arrived = Instant::now();
        let invoker = options::invoker(
            click.guild_id.map(|g| g.get()),
            click.channel_id.get(),
            click.user.id.get(),
            click.member.as_ref(),
        );
        if let (Some(invoker), Some((source, page))) = (invoker, pages::parse(&click.data.custom_id)) {
            self.page(ctx, &click, invoker, source, page).await;
            return metrics::ack("click", arrived.elapsed());
        }
        if let (Some(invoker), Some(session_id)) = (invoker, custom_id::parse_view(&click.data.custom_id)) {
            // Only the clicker sees the files; the lobby message stays as it is.
            let reply = execute(&self.services, invoker, Command::Preview(Preview { session_id })).await;
            let response = CreateInteractionResponse::Message(render(&reply).message().ephemeral(true));
            if let Err(e) = click.create_response(&ctx.http, response).await {
                tracing::warn!(error = %e, "could not answer View Terraform");
            }
            return metrics::ack("click", arrived.elapsed());
        }
        let (Some(invoker), Some((session_id, action))) = (invoker, custom_id::parse(&click.data.custom_id)) else {
            ephemeral(ctx, &click, "this button is not one of cloud-chatops'").await;
            return metrics::ack("click", arrived.elapsed());
        };
        let span = tracing::info_span!("click", guild_id = invoker.guild_id, user_id = invoker.user_id, %session_id);
        let _enter = span.enter();
        let services = self.services.clone();
        let mut work =
            tokio::spawn(
                async move { execute(&services, invoker, Command::Press(Press { session_id, action })).await },
            );
        match self.within_deadline(&mut work).await {
            Some(joined) => {
                let reply = joined.unwrap_or_else(|_| Reply::error("the button failed; nothing was changed"));
                let rendered = render(&reply);
                let response = if rendered.ephemeral {
                    CreateInteractionResponse::Message(rendered.message())
                } else {
                    CreateInteractionResponse::UpdateMessage(rendered.message())
                };
                if let Err(e) = click.create_response(&ctx.http, response).await {
                    tracing::warn!(error = %e, "could not answer the click");
                }
                metrics::ack("click", arrived.elapsed());
            }
            None => {
                // Approval writing Terraform may take longer: acknowledge, then edit the lobby in place.
                let _ = click.create_response(&ctx.http, CreateInteractionResponse::Acknowledge).await;
                metrics::ack("click", arrived.elapsed());
                let reply = work.await.unwrap_or_else(|_| Reply::error("the button failed; nothing was changed"));
                let rendered = render(&reply);
                let result = if rendered.ephemeral {
                    click.create_followup(&ctx.http, rendered.followup()).await.map(|_| ())
                } else {
                    click.edit_response(&ctx.http, rendered.edit()).await.map(|_| ())
                };
                if let Err(e) = result {
                    tracing::warn!(error = %e, "could not update the lobby after a slow click");
                }
            }
        }
    }

    /// A Previous/Next click: the list's command runs again for the member who clicked (their rights
    /// checked now) and the message shows the page asked for. Nothing but the id is needed, so it
    /// works after a restart.
    async fn page(&self, ctx: &Context, click: &ComponentInteraction, invoker: Invoker, source: Source, page: usize) {
        let span =
            tracing::info_span!("page", guild_id = invoker.guild_id, user_id = invoker.user_id, list = source.form);
        let _enter = span.enter();
        let reply = match Command::from_options(source.form, &source.pairs()) {
            Ok(command) => execute(&self.services, invoker, command).await,
            Err(e) => Reply::error(e.to_string()),
        };
        let rendered = render_list_page(&reply, page, Some(&source));
        let response = if rendered.ephemeral {
            CreateInteractionResponse::Message(rendered.message())
        } else {
            CreateInteractionResponse::UpdateMessage(rendered.message())
        };
        if let Err(e) = click.create_response(&ctx.http, response).await {
            tracing::warn!(error = %e, "could not answer the page click");
        }
    }

    async fn autocomplete(&self, ctx: &Context, cmd: CommandInteraction) {
        let Some(focused) = cmd.data.autocomplete() else { return };
        let Some(invoker) = options::command_invoker(&cmd) else { return };
        let (_, pairs) = options::command_options(&cmd);
        let choices = autocomplete::choices(&self.services, invoker, focused.name, focused.value, &pairs).await;
        let response = choices.into_iter().fold(CreateAutocompleteResponse::new(), |r, (name, value)| match value {
            autocomplete::Value::Text(v) => r.add_string_choice(name, v),
            autocomplete::Value::Int(v) => r.add_int_choice(name, v),
        });
        let _ = cmd.create_response(&ctx.http, CreateInteractionResponse::Autocomplete(response)).await;
    }
}

async fn respond_now(ctx: &Context, cmd: &CommandInteraction, rendered: &Rendered) {
    if let Err(e) = cmd.create_response(&ctx.http, CreateInteractionResponse::Message(rendered.message())).await {
        tracing::warn!(error = %e, "could not answer the interaction");
    }
}

async fn ephemeral(ctx: &Context, click: &ComponentInteraction, text: &str) {
    let rendered = render(&Reply::refused(text));
    let _ = click.create_response(&ctx.http, CreateInteractionResponse::Message(rendered.message())).await;
}
