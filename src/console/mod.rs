//! The local console front end: reads lines from a terminal or a pipe, turns them into the same
//! `Command`s Discord does, and prints the `Reply`s. Lobby expiry is printed when it happens.

pub mod help;
pub mod input;
mod parse;
mod render;

pub use input::{BoundedLines, Input, Source, Terminal};
pub use parse::{Line, MAX_LINE_LEN, parse_line};
pub use render::{render, visible_lines};

use std::future::Future;
use std::sync::Arc;

use tokio::io::{AsyncBufRead, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;
use uuid::Uuid;

use crate::actors::notifier::{LobbyEvent, LobbyNotifier, LobbyTarget};
use crate::commands::{Command, Invoker, LobbyAction, Press, Reply, Services, execute, outcomes};

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

/// Runs the console until `quit`, the end of input or `stop` (a database fault).
pub async fn run<R, W>(
    services: &Services,
    mut options: ConsoleOptions,
    mut input: Source<R>,
    mut output: W,
    mut updates: mpsc::UnboundedReceiver<Reply>,
    stop: impl Future<Output = ()>,
) -> std::io::Result<()>
where
    R: AsyncBufRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut last_lobby = None;
    let mut stop = std::pin::pin!(stop);
    loop {
        tokio::select! {
            biased;
            () = &mut stop => break,
            Some(update) = updates.recv() => {
                let text = render(&update, options.json);
                let printed = match &mut input {
                    Source::Terminal(term) => term.print(&text),
                    Source::Pipe(_) => false,
                };
                if !printed {
                    write_line(&mut output, &text).await?;
                }
            }
            line = input.next() => {
                let Some(line) = line? else { break };
                let line = match line {
                    Input::Line(line) => line,
                    Input::TooLong => {
                        let reply = Reply::error(format!("line too long (at most {MAX_LINE_LEN} bytes); it was skipped"));
                        write_line(&mut output, &render(&reply, options.json)).await?;
                        continue;
                    }
                    Input::NotUtf8 => {
                        let reply = Reply::error("the line is not valid UTF-8; it was skipped");
                        write_line(&mut output, &render(&reply, options.json)).await?;
                        continue;
                    }
                };
                let reply = match parse_line(&line) {
                    Ok(Line::Empty) => continue,
                    Ok(Line::Quit) => break,
                    Ok(Line::Help(topic)) => {
                        write_line(&mut output, &help::render(topic.as_deref(), options.json)).await?;
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
                        Some(session_id) => press(services, options.invoker, session_id, action).await,
                        None => Reply::error("no lobby opened in this console yet; give a session id"),
                    },
                    Ok(Line::PressPrefix { prefix, action }) => match resolve(services, options.invoker, &prefix).await {
                        Ok(session_id) => press(services, options.invoker, session_id, action).await,
                        Err(reply) => reply,
                    },
                    Ok(Line::PreviewLast) => match last_lobby {
                        Some(session_id) => preview(services, options.invoker, session_id).await,
                        None => Reply::error("no lobby opened in this console yet; give a session id"),
                    },
                    Ok(Line::PreviewPrefix { prefix }) => match resolve(services, options.invoker, &prefix).await {
                        Ok(session_id) => preview(services, options.invoker, session_id).await,
                        Err(reply) => reply,
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

async fn press(services: &Services, invoker: Invoker, session_id: Uuid, action: LobbyAction) -> Reply {
    execute(services, invoker, Command::Press(Press { session_id, action })).await
}

async fn preview(services: &Services, invoker: Invoker, session_id: Uuid) -> Reply {
    execute(services, invoker, Command::Preview(crate::commands::Preview { session_id })).await
}

/// The one lobby of this guild whose id starts with `prefix`, or the error to show.
async fn resolve(services: &Services, invoker: Invoker, prefix: &str) -> Result<Uuid, Reply> {
    match services.records.sessions_with_prefix(invoker.guild_id, prefix, 3).await {
        Ok(ids) => match ids.as_slice() {
            [id] => Ok(*id),
            [] => Err(Reply::error(format!("no lobby id starts with `{prefix}`"))),
            several => {
                let shown: Vec<String> = several.iter().map(|id| id.to_string()[..13].to_owned() + "…").collect();
                let more = if several.len() >= 3 { " and more" } else { "" };
                Err(Reply::error(format!(
                    "`{prefix}` is the start of several lobby ids ({}{more}); type more of it",
                    shown.join(", ")
                )))
            }
        },
        Err(e) => Err(crate::commands::user_error(&e)),
    }
}

async fn write_line<W: AsyncWrite + Unpin>(output: &mut W, text: &str) -> std::io::Result<()> {
    output.write_all(text.as_bytes()).await?;
    output.write_all(b"\n").await?;
    output.flush().await
}
