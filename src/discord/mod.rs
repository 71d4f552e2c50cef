//! The Discord front end (serenity 0.12): a thin adapter that parses interactions into `Command`s,
//! sends them to the actors through the command layer and renders the `Reply`s. It holds no
//! database handle. The only module that imports serenity.

pub mod custom_id;
mod handler;
pub mod notifier;
pub mod options;
pub mod register;
pub mod render;

use serenity::all::{GatewayIntents, Http, HttpBuilder};

pub use handler::{ACK_DEADLINE, Handler};
pub use notifier::DiscordNotifier;

use crate::commands::Services;
use crate::settings::{Secret, Settings, parse_shards};

/// Why the bot could not run.
#[derive(Debug, thiserror::Error)]
pub enum DiscordError {
    /// The client failed to build or lost its shards.
    #[error("Discord client: {0}")]
    Client(String),
}

/// The REST client: Discord itself, or the configured endpoint (a rate-limiting proxy or a test
/// server) with serenity's own rate limiter off, as serenity requires for a proxy.
pub fn http(token: &Secret, settings: &Settings) -> Http {
    let mut builder = HttpBuilder::new(token.expose());
    let base = settings.discord.api_base.trim();
    if !base.is_empty() {
        builder = builder.proxy(base.trim_end_matches('/')).ratelimiter_disabled(true);
    }
    builder.build()
}

/// Runs the bot until SIGINT/SIGTERM or the loss of every shard.
pub async fn run(http: Http, settings: &Settings, services: Services) -> Result<(), DiscordError> {
    run_with_deadline(http, settings, services, ACK_DEADLINE).await
}

/// [`run`] with another acknowledgement deadline (tests force the deferred path with zero).
pub async fn run_with_deadline(
    http: Http,
    settings: &Settings,
    services: Services,
    ack_deadline: std::time::Duration,
) -> Result<(), DiscordError> {
    let intents = GatewayIntents::GUILDS;
    let guild_id = Some(settings.discord.guild_id).filter(|g| *g != 0);
    let handler = Handler { services, guild_id, ack_deadline };
    let mut client = serenity::all::ClientBuilder::new_with_http(http, intents)
        .event_handler(handler)
        .await
        .map_err(|e| DiscordError::Client(e.to_string()))?;
    let shards = client.shard_manager.clone();
    tokio::spawn(async move {
        shutdown_signal().await;
        tracing::info!("shutting down: closing the shards");
        shards.shutdown_all().await;
    });
    let result = if settings.discord.shards.is_empty() {
        client.start().await
    } else {
        let (first, last, total) = parse_shards(&settings.discord.shards).map_err(DiscordError::Client)?;
        client.start_shard_range(first..last, total).await
    };
    result.map_err(|e| DiscordError::Client(e.to_string()))
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(s) => s,
            Err(_) => return std::future::pending().await,
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
