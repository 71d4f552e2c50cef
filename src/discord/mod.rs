//! The Discord front end (serenity 0.12): a thin adapter that parses interactions into `Command`s,
//! sends them to the actors through the command layer and renders the `Reply`s. It holds no
//! database handle. The only module that imports serenity.
//!
//! [`start`] wires the actor system to the Discord notifier (the one start-up path, for `main` and
//! the tests); [`Bot::client`] then connects and serves until told to stop. The client is raced
//! against the stop signal, so the bot stops within [`SHUTDOWN_GRACE`] in every state, connected
//! or not.

pub mod autocomplete;
mod connect;
pub mod custom_id;
pub mod embed;
mod handler;
pub mod notifier;
pub mod options;
pub mod pages;
mod preview;
pub mod register;
pub mod render;

use std::future::Future;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use sea_orm::DatabaseConnection;
use serenity::all::{GatewayIntents, Http, HttpBuilder, ShardManager};

pub use connect::{BACKOFF_MAX, BACKOFF_START};
pub use handler::{ACK_DEADLINE, Handler};
pub use notifier::DiscordNotifier;

use crate::actors::supervisor::{System, SystemArgs};
use crate::commands::Services;
use crate::domain::Catalog;
use crate::ops::Gateway;
use crate::settings::{Secret, Settings, parse_shards};

/// How long the shards get to close after a stop signal before the process goes on without them
/// (serenity's `shutdown_all` has been seen to hang, serenity-rs/serenity#2507).
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(3);

/// Why the bot could not run; the text is one clear line for the operator, never the token.
#[derive(Debug, thiserror::Error)]
pub enum DiscordError {
    /// No token is configured.
    #[error("the Discord bot needs DISCORD_TOKEN (the bot token); without it use `cloud-chatops console`")]
    NoToken,
    /// Discord refused the token.
    #[error("Discord rejected the bot token ({0}); check DISCORD_TOKEN")]
    BadToken(String),
    /// The actor system did not start.
    #[error("the actor system could not start: {0}")]
    System(String),
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

/// The bot before it connects: the actor tree, with lobby expiry wired to Discord message edits.
pub struct Bot {
    /// The running actor tree.
    pub system: System,
    /// The shards' connection states, as the handler hears them.
    pub gateway: Gateway,
    token: Secret,
    settings: Arc<Settings>,
}

/// Starts the actor system with the Discord notifier: the one start-up path of the bot.
pub async fn start(
    settings: Arc<Settings>,
    db: DatabaseConnection,
    catalog: Arc<Catalog>,
) -> Result<Bot, DiscordError> {
    let token = settings.discord_token().cloned().ok_or(DiscordError::NoToken)?;
    // The notifier tells the actors which shards this process serves: it hosts only their lobbies.
    let shards = settings.shard_range().map_err(|e| DiscordError::Client(e.to_string()))?;
    let notifier = Arc::new(DiscordNotifier::new(Arc::new(http(&token, &settings)), shards));
    let system = System::start(SystemArgs { db, settings: settings.clone(), catalog, notifier })
        .await
        .map_err(|e| DiscordError::System(e.to_string()))?;
    Ok(Bot { system, gateway: Gateway::new(), token, settings })
}

impl Bot {
    /// Connects (waiting out an unreachable Discord with backoff) and serves until `stop`
    /// completes or every shard is lost. `ack_deadline` is [`ACK_DEADLINE`] except in tests.
    pub fn client(
        &self,
        ack_deadline: Duration,
        stop: impl Future<Output = ()> + Send + 'static,
    ) -> impl Future<Output = Result<(), DiscordError>> + Send + 'static {
        let (http, settings, services) =
            (http(&self.token, &self.settings), self.settings.clone(), self.system.services.clone());
        run(http, settings, services, self.gateway.clone(), ack_deadline, stop)
    }

    /// Stops the actors.
    pub async fn shutdown(self) {
        self.system.shutdown().await;
    }
}

/// Runs the client until `stop` completes (then closes the shards within [`SHUTDOWN_GRACE`]).
async fn run(
    http: Http,
    settings: Arc<Settings>,
    services: Services,
    gateway: Gateway,
    ack_deadline: Duration,
    stop: impl Future<Output = ()> + Send,
) -> Result<(), DiscordError> {
    let shards: Arc<OnceLock<Arc<ShardManager>>> = Arc::new(OnceLock::new());
    let serving = serve(http, &settings, services, gateway.clone(), ack_deadline, shards.clone());
    let result = tokio::select! {
        result = serving => result,
        () = stop => {
            tracing::info!("shutting down: closing the shards");
            if let Some(manager) = shards.get()
                && tokio::time::timeout(SHUTDOWN_GRACE, manager.shutdown_all()).await.is_err()
            {
                tracing::warn!(grace_secs = SHUTDOWN_GRACE.as_secs(), "the shards did not close in time; stopping without them");
            }
            Ok(())
        }
    };
    gateway.disconnect_all();
    result
}

async fn serve(
    http: Http,
    settings: &Settings,
    services: Services,
    gateway: Gateway,
    ack_deadline: Duration,
    shards: Arc<OnceLock<Arc<ShardManager>>>,
) -> Result<(), DiscordError> {
    connect::until_reachable(&http, &settings.discord.api_base).await?;
    let guild_id = Some(settings.discord.guild_id).filter(|g| *g != 0);
    let handler = Handler { services, guild_id, ack_deadline, gateway };
    let mut client = serenity::all::ClientBuilder::new_with_http(http, GatewayIntents::GUILDS)
        .event_handler(handler)
        .await
        .map_err(|e| DiscordError::Client(e.to_string()))?;
    let _ = shards.set(client.shard_manager.clone());
    let result = if settings.discord.shards.is_empty() {
        client.start().await
    } else {
        let (first, last, total) = parse_shards(&settings.discord.shards).map_err(DiscordError::Client)?;
        client.start_shard_range(first..last, total).await
    };
    result.map_err(connect::gateway_error)
}

/// Completes on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
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
