//! Reaching Discord before the gateway starts: one REST call with the token tells a bad token
//! (stop with a clear error) from an unreachable endpoint (retry with backoff, one log line per
//! attempt), where serenity alone would retry forever and log its raw errors.

use std::time::Duration;

use serenity::all::{GatewayError, Http, HttpError};

use super::DiscordError;

/// The first wait before retrying an unreachable Discord.
pub const BACKOFF_START: Duration = Duration::from_secs(1);
/// The longest wait between two attempts.
pub const BACKOFF_MAX: Duration = Duration::from_secs(60);
/// How long one attempt may take (an address that drops packets would otherwise hang for minutes).
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);

/// Returns once Discord answers with the token; a refused token is an error, an unreachable
/// endpoint is retried with doubling waits up to [`BACKOFF_MAX`].
pub async fn until_reachable(http: &Http, api_base: &str) -> Result<(), DiscordError> {
    let target = if api_base.trim().is_empty() { "https://discord.com" } else { api_base.trim() };
    let mut wait = BACKOFF_START;
    for attempt in 1u64.. {
        let reason = match tokio::time::timeout(ATTEMPT_TIMEOUT, http.get_current_user()).await {
            Ok(Ok(user)) => {
                tracing::info!(bot = %user.name, attempt, "Discord accepted the bot token");
                return Ok(());
            }
            Ok(Err(serenity::Error::Http(HttpError::UnsuccessfulRequest(response))))
                if matches!(response.status_code.as_u16(), 401 | 403) =>
            {
                return Err(DiscordError::BadToken(response.status_code.to_string()));
            }
            Ok(Err(e)) => unreachable_reason(&e),
            Err(_) => format!("no answer within {} s", ATTEMPT_TIMEOUT.as_secs()),
        };
        tracing::warn!(
            attempt,
            retry_in_secs = wait.as_secs(),
            "cannot reach Discord at {target} ({reason}); retrying in {} s",
            wait.as_secs()
        );
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(BACKOFF_MAX);
    }
    unreachable!("the attempts never run out")
}

/// A short reason for a failed attempt, without serenity's whole error chain.
fn unreachable_reason(e: &serenity::Error) -> String {
    match e {
        serenity::Error::Http(HttpError::Request(r)) if r.is_timeout() => "timed out".to_owned(),
        serenity::Error::Http(HttpError::Request(r)) if r.is_connect() => "connection failed".to_owned(),
        serenity::Error::Http(HttpError::Request(_)) => "request failed".to_owned(),
        serenity::Error::Http(HttpError::UnsuccessfulRequest(r)) => format!("HTTP {}", r.status_code),
        _ => "unexpected answer".to_owned(),
    }
}

/// The client's final error, in the operator's words.
pub fn gateway_error(e: serenity::Error) -> DiscordError {
    match e {
        serenity::Error::Gateway(GatewayError::InvalidAuthentication) => {
            DiscordError::BadToken("the gateway refused it".to_owned())
        }
        serenity::Error::Gateway(GatewayError::DisallowedGatewayIntents | GatewayError::InvalidGatewayIntents) => {
            DiscordError::Client("the gateway refused the intents (GUILDS)".to_owned())
        }
        other => DiscordError::Client(other.to_string()),
    }
}
