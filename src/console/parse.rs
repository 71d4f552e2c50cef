//! The console's line syntax: the slash commands as typed in Discord
//! (`/cloud-deploy project_id:gcp-abc123 resource_type:vm resource_name:web-01`, values with spaces
//! in double quotes), plus `approve <session>`, `cancel <session>`, `preview <session>` (the lobby's
//! Terraform before approval), `as <user_id> [admin]`, `help` and `quit`.

use uuid::Uuid;

use crate::commands::{Command, CommandError, LobbyAction, MAX_VALUE_LEN, Press, Preview, SPECS, parse_user};

/// Longest line accepted.
pub const MAX_LINE_LEN: usize = 4_096;

/// One console line, understood.
#[derive(Debug, Clone, PartialEq)]
pub enum Line {
    /// Nothing to do (blank or a `#` comment).
    Empty,
    /// A command for the actors.
    Command(Command),
    /// Press a button of the last lobby this console opened (`approve` / `cancel` without an id).
    PressLast(LobbyAction),
    /// Press a button of the lobby whose id starts with `prefix` (`approve 1b1e`).
    PressPrefix {
        /// The start of the id, lowercase.
        prefix: String,
        /// Which button.
        action: LobbyAction,
    },
    /// Preview the Terraform of the last lobby this console opened (`preview` without an id).
    PreviewLast,
    /// Preview the Terraform of the lobby whose id starts with `prefix` (`preview 1b1e`).
    PreviewPrefix {
        /// The start of the id, lowercase.
        prefix: String,
    },
    /// Act as another member from now on.
    As { user_id: i64, admin: bool },
    /// Show the syntax (of one command).
    Help(Option<String>),
    /// Leave.
    Quit,
}

/// Parses one line; errors are one-line messages for the person typing.
pub fn parse_line(line: &str) -> Result<Line, CommandError> {
    if line.len() > MAX_LINE_LEN {
        return Err(CommandError(format!("line too long (at most {MAX_LINE_LEN} bytes)")));
    }
    let tokens = tokenize(line)?;
    let Some((first, rest)) = tokens.split_first() else { return Ok(Line::Empty) };
    if first.starts_with('#') {
        return Ok(Line::Empty);
    }
    match first.to_ascii_lowercase().as_str() {
        "help" | "/help" | "/cloud-help" => match rest {
            [] => Ok(Line::Help(None)),
            [topic] => Ok(Line::Help(Some(topic.clone()))),
            _ => Err(CommandError("usage: help [command]".into())),
        },
        "quit" | "exit" => Ok(Line::Quit),
        "as" => match rest {
            [user] => Ok(Line::As { user_id: parse_user(user)?, admin: false }),
            [user, flag] if flag.eq_ignore_ascii_case("admin") => {
                Ok(Line::As { user_id: parse_user(user)?, admin: true })
            }
            _ => Err(CommandError("usage: as <user_id> [admin]".into())),
        },
        "approve" | "cancel" => {
            let action = if first.eq_ignore_ascii_case("approve") { LobbyAction::Approve } else { LobbyAction::Cancel };
            match rest {
                [id] => match Uuid::parse_str(id) {
                    Ok(session_id) if id.len() == 36 => Ok(Line::Command(Command::Press(Press { session_id, action }))),
                    _ if is_id_prefix(id) => Ok(Line::PressPrefix { prefix: id.to_ascii_lowercase(), action }),
                    _ => {
                        Err(CommandError(format!("`{}` is not a session id", id.chars().take(40).collect::<String>())))
                    }
                },
                [] => Ok(Line::PressLast(action)),
                _ => Err(CommandError(format!("usage: {} [session id]", first.to_ascii_lowercase()))),
            }
        }
        "preview" => match rest {
            [id] => match Uuid::parse_str(id) {
                Ok(session_id) if id.len() == 36 => Ok(Line::Command(Command::Preview(Preview { session_id }))),
                _ if is_id_prefix(id) => Ok(Line::PreviewPrefix { prefix: id.to_ascii_lowercase() }),
                _ => Err(CommandError(format!("`{}` is not a session id", id.chars().take(40).collect::<String>()))),
            },
            [] => Ok(Line::PreviewLast),
            _ => Err(CommandError("usage: preview [session id]".into())),
        },
        name if name.starts_with('/') => {
            // A command with subcommands takes the next word as one (`/cloud-policy add ...`).
            let has_subcommands = SPECS
                .iter()
                .any(|s| s.name == &name[1..] && matches!(s.shape, crate::commands::spec::Shape::Subcommands(_)));
            let (name, options) = match rest.first() {
                Some(sub) if has_subcommands && !sub.contains(':') => {
                    (format!("{name} {}", sub.to_ascii_lowercase()), &rest[1..])
                }
                _ => (name.to_owned(), rest),
            };
            let mut pairs = Vec::with_capacity(options.len());
            for token in options {
                let (key, value) = token.split_once(':').ok_or_else(|| {
                    CommandError(format!(
                        "`{}` is not an option; write name:value",
                        token.chars().take(40).collect::<String>()
                    ))
                })?;
                pairs.push((key.to_owned(), value.to_owned()));
            }
            Command::from_options(&name, &pairs).map(Line::Command)
        }
        other => {
            Err(CommandError(format!("unknown command `{}`; type `help`", other.chars().take(40).collect::<String>())))
        }
    }
}

/// Whether `text` can start a session id: 1 to 35 hex digits and dashes.
fn is_id_prefix(text: &str) -> bool {
    (1..36).contains(&text.len()) && text.chars().all(|c| c.is_ascii_hexdigit() || c == '-')
}

/// Splits on whitespace; double quotes group (and are removed), `\"` and `\\` escape inside quotes.
fn tokenize(line: &str) -> Result<Vec<String>, CommandError> {
    let mut tokens = Vec::new();
    let mut current = String::new();
    let mut in_token = false;
    let mut quoted = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                quoted = !quoted;
                in_token = true;
            }
            '\\' if quoted => match chars.next() {
                Some(next @ ('"' | '\\')) => current.push(next),
                Some(other) => {
                    current.push('\\');
                    current.push(other);
                }
                None => return Err(CommandError("line ends inside an escape".into())),
            },
            c if c.is_whitespace() && !quoted => {
                if in_token {
                    tokens.push(std::mem::take(&mut current));
                    in_token = false;
                }
            }
            c => {
                current.push(c);
                in_token = true;
            }
        }
        if current.chars().count() > MAX_VALUE_LEN + 64 {
            return Err(CommandError(format!("a value is too long (at most {MAX_VALUE_LEN} characters)")));
        }
    }
    if quoted {
        return Err(CommandError("unbalanced double quote".into()));
    }
    if in_token {
        tokens.push(current);
    }
    Ok(tokens)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::{Init, Policy};

    #[test]
    fn quoted_values_and_subcommands() {
        let line = parse_line("/cloud-init provider:gcp project_name:\"Production API\"").unwrap();
        assert!(
            matches!(line, Line::Command(Command::Init(Init { ref project_name, .. })) if project_name == "Production API")
        );
        let line = parse_line("/cloud-policy remove policy_id:3").unwrap();
        assert_eq!(line, Line::Command(Command::Policy(Policy::Remove { policy_id: 3 })));
        assert_eq!(parse_line("as 222222222 admin").unwrap(), Line::As { user_id: 222_222_222, admin: true });
        assert_eq!(parse_line("   # comment").unwrap(), Line::Empty);
        assert_eq!(parse_line("preview 1B1E").unwrap(), Line::PreviewPrefix { prefix: "1b1e".into() });
        assert_eq!(parse_line("preview").unwrap(), Line::PreviewLast);
        assert!(parse_line("preview a b").is_err() && parse_line("preview zz").is_err());
        assert_eq!(
            parse_line("approve 1B1E").unwrap(),
            Line::PressPrefix { prefix: "1b1e".into(), action: LobbyAction::Approve }
        );
    }

    #[test]
    fn malformed_lines_are_one_line_errors() {
        for bad in ["/cloud-deploy project_id", "approve not-a-uuid", "frobnicate", "/cloud-init provider:\"gcp", "as"]
        {
            let err = parse_line(bad).unwrap_err().to_string();
            assert!(!err.contains('\n') && !err.is_empty(), "{bad}: {err}");
        }
    }
}
