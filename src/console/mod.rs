//! The local console front end: reads lines from a terminal or a pipe, turns them into the same
//! `Command`s Discord does, and prints the `Reply`s. Lobby expiry is printed when it happens.

mod parse;
mod render;

pub use parse::{HELP, Line, parse_line};
pub use render::render;

use std::sync::Arc;

use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;

use crate::actors::notifier::{LobbyEvent, LobbyNotifier, LobbyTarget};
use crate::commands::{Command, Invoker, Reply, Services, execute, outcomes};

/// Who the console acts as, and how it prints.
#[derive(Debug, Clone, Copy)]
pub struct ConsoleOptions {
    /// The acting member.
    pub invoker: Invoker,
    /// One JSON object per line instead of text.
    pub json: bool,
}

/// Forwards lobby updates to the console loop, which prints them between commands.
pub struct ConsoleNotifier {
    tx: mpsc::UnboundedSender<Reply>,
}

impl ConsoleNotifier {
    /// A notifier and the receiver the console loop reads.
    pub fn new() -> (Arc<ConsoleNotifier>, mpsc::UnboundedReceiver<Reply>) {
        let (tx, rx) = mpsc::unbounded_channel();
        (Arc::new(ConsoleNotifier { tx }), rx)
    }
}

impl LobbyNotifier for ConsoleNotifier {
    fn lobby_updated(&self, _target: LobbyTarget, event: LobbyEvent) {
        let _ = self.tx.send(outcomes::event(event));
    }
}

/// Runs the console until `quit` or the end of input.
pub async fn run<R, W>(
    services: &Services,
    mut options: ConsoleOptions,
    input: R,
    mut output: W,
    mut updates: mpsc::UnboundedReceiver<Reply>,
) -> std::io::Result<()>
where
    R: AsyncBufRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut lines = input.lines();
    let mut last_lobby = None;
    loop {
        tokio::select! {
            biased;
            Some(update) = updates.recv() => {
                write_line(&mut output, &render(&update, options.json)).await?;
            }
            line = lines.next_line() => {
                let Some(line) = line? else { break };
                let reply = match parse_line(&line) {
                    Ok(Line::Empty) => continue,
                    Ok(Line::Quit) => break,
                    Ok(Line::Help) => {
                        write_line(&mut output, HELP).await?;
                        continue;
                    }
                    Ok(Line::As { user_id, admin }) => {
                        options.invoker.user_id = user_id;
                        options.invoker.is_guild_admin = admin;
                        // What `as` says is this member's permission from now on (approvals by
                        // others re-check it).
                        services.lobbies.saw(options.invoker);
                        let who = if admin { " (guild administrator)" } else { "" };
                        if !options.json {
                            write_line(&mut output, &format!("now acting as {user_id}{who}")).await?;
                        }
                        continue;
                    }
                    Ok(Line::Command(command)) => execute(services, options.invoker, command).await,
                    Ok(Line::PressLast(action)) => match last_lobby {
                        Some(session_id) => execute(services, options.invoker, Command::Press { session_id, action }).await,
                        None => Reply::error("no lobby opened in this console yet; give a session id"),
                    },
                    Err(e) => Reply::error(e.to_string()),
                };
                if let Reply::Lobby(view) = &reply {
                    last_lobby = Some(view.session_id);
                }
                write_line(&mut output, &render(&reply, options.json)).await?;
            }
        }
    }
    // Print what arrived while the last command ran.
    while let Ok(update) = updates.try_recv() {
        write_line(&mut output, &render(&update, options.json)).await?;
    }
    output.flush().await
}

async fn write_line<W: AsyncWrite + Unpin>(output: &mut W, text: &str) -> std::io::Result<()> {
    output.write_all(text.as_bytes()).await?;
    output.write_all(b"\n").await?;
    output.flush().await
}
