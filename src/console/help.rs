//! `help`, derived from the command layer's specs: every command with its usage line, and
//! `help <command>` with each option's meaning and limits. As text, or as one JSON object.

use std::fmt::Write;

use crate::commands::spec::{self, CommandHelp};

/// The console's own lines, after the slash commands.
const CONSOLE_LINES: &str = "\
  approve [session]   cancel [session]   preview [session] (the Terraform approval would write)
  (no session: the last lobby opened here; a unique prefix of the id will do)
  as <user_id> [admin]   help [command]   quit";

/// The help for `topic` (a command name, with or without `/`), or for every command.
pub fn render(topic: Option<&str>, json: bool) -> String {
    let all = spec::help();
    let topic = topic.map(|t| t.trim_start_matches('/').to_ascii_lowercase());
    let chosen: Vec<&CommandHelp> = match &topic {
        None => all.iter().collect(),
        Some(t) => all.iter().filter(|c| c.name == *t || c.name.starts_with(&format!("{t} "))).collect(),
    };
    if json {
        let commands: Vec<&CommandHelp> = chosen;
        return serde_json::json!({ "kind": "help", "commands": commands }).to_string();
    }
    if chosen.is_empty() {
        let shown = crate::commands::text::visible(&topic.unwrap_or_default().chars().take(40).collect::<String>());
        return format!("error: no command `/{shown}`; type `help` for the list");
    }
    let mut out = String::new();
    if topic.is_none() {
        out.push_str(
            "commands (the same options as the Discord slash commands; [optional], `help <command>` for details):",
        );
        for c in &chosen {
            let _ = write!(out, "\n  {}\n      {}", c.usage, c.description);
        }
        let _ = write!(out, "\nconsole:\n{CONSOLE_LINES}");
        return out;
    }
    for (i, c) in chosen.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let _ = write!(out, "{}\n  {}", c.usage, c.description);
        for o in &c.options {
            let required = if o.required { "required" } else { "optional" };
            let _ = write!(out, "\n  {:<18} {required}: {}; {}", o.name, o.description, o.accepts);
        }
    }
    out
}
