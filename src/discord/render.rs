//! Replies as Discord messages: the lobby embed with its buttons, and short texts for the rest.
//! Everything stays inside Discord's limits whatever the verdict holds: at most 25 fields, 1,024
//! characters a field, 4,096 in the description and 6,000 in the whole embed.

use serenity::all::{
    ButtonStyle, Colour, CreateActionRow, CreateButton, CreateEmbed, CreateEmbedFooter,
    CreateInteractionResponseFollowup, CreateInteractionResponseMessage, EditInteractionResponse, EditMessage,
};

use super::custom_id;
use crate::commands::{LobbyAction, LobbyView, Reply};
use crate::domain::validate::{Effect, Outcome};

/// Discord's limits.
pub const MAX_FIELDS: usize = 25;
/// Characters in one field value.
pub const MAX_FIELD_VALUE: usize = 1024;
/// Characters in a whole embed.
pub const MAX_EMBED_TOTAL: usize = 6000;
/// Characters in a message's content.
pub const MAX_CONTENT: usize = 2000;
const MAX_TITLE: usize = 256;
const MAX_DESCRIPTION: usize = 4096;
/// Kept below the 6,000 total so the footer and titles always fit.
const FIELD_BUDGET: usize = 5000;

/// A reply as a Discord message.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    /// Plain text.
    pub content: Option<String>,
    /// The lobby embed, if any.
    pub embed: Option<CreateEmbed>,
    /// Button rows (an empty list removes the buttons).
    pub components: Vec<CreateActionRow>,
    /// Only the member who acted sees it.
    pub ephemeral: bool,
}

impl Rendered {
    /// As a new interaction response.
    pub fn message(&self) -> CreateInteractionResponseMessage {
        let mut m =
            CreateInteractionResponseMessage::new().ephemeral(self.ephemeral).components(self.components.clone());
        if let Some(c) = &self.content {
            m = m.content(c.clone());
        }
        if let Some(e) = &self.embed {
            m = m.embed(e.clone());
        }
        m
    }

    /// As an edit of the original response (deferred commands and buttons).
    pub fn edit(&self) -> EditInteractionResponse {
        let mut m = EditInteractionResponse::new()
            .components(self.components.clone())
            .content(self.content.clone().unwrap_or_default());
        m = match &self.embed {
            Some(e) => m.embed(e.clone()),
            None => m.embeds(Vec::new()),
        };
        m
    }

    /// As an ephemeral follow-up (a late refusal after a public deferral).
    pub fn followup(&self) -> CreateInteractionResponseFollowup {
        CreateInteractionResponseFollowup::new().ephemeral(true).content(self.content.clone().unwrap_or_default())
    }

    /// As an edit of a channel message with the bot token (timer-driven updates).
    pub fn channel_edit(&self) -> EditMessage {
        let mut m =
            EditMessage::new().components(self.components.clone()).content(self.content.clone().unwrap_or_default());
        if let Some(e) = &self.embed {
            m = m.embed(e.clone());
        }
        m
    }
}

/// Renders any reply.
pub fn render(reply: &Reply) -> Rendered {
    match reply {
        Reply::Lobby(lobby) => lobby_message(lobby),
        Reply::Deployed(d) => {
            let mut lines = vec![format!(
                "✅ **Deployed** {} in `{}` — approved by <@{}>; {}/h, {}/month",
                d.resources.join(", "),
                d.project_id,
                d.approved_by,
                d.hourly.format(2),
                d.monthly.format(2)
            )];
            if let Some(dir) = &d.terraform_dir {
                lines.push(format!("Terraform: `{dir}/` ({})", d.files.join(", ")));
            }
            if let Some(w) = &d.warning {
                lines.push(format!("⚠️ {w}"));
            }
            closed(lines.join("\n"))
        }
        Reply::LobbyClosed { session_id, project_id, status, by, reason } => {
            let who = by.map(|b| format!(" by <@{b}>")).unwrap_or_default();
            closed(format!("Lobby `{session_id}` for `{project_id}` **{status}**{who}: {reason}"))
        }
        Reply::Refused { message } => private(format!("⛔ {message}")),
        Reply::Error { message } => private(format!("⚠️ {message}")),
        other => public(crate::console::render(other, false)),
    }
}

fn public(text: String) -> Rendered {
    Rendered { content: Some(code_block(&text)), ..Default::default() }
}

fn private(text: String) -> Rendered {
    Rendered { content: Some(truncate(&text, MAX_CONTENT)), ephemeral: true, ..Default::default() }
}

/// A lobby that ended: its text, and no buttons.
fn closed(text: String) -> Rendered {
    Rendered { content: Some(truncate(&text, MAX_CONTENT)), embed: None, components: Vec::new(), ephemeral: false }
}

fn code_block(text: &str) -> String {
    let body = truncate(&text.replace("```", "'''"), MAX_CONTENT - 8);
    format!("```\n{body}\n```")
}

/// The lobby: one embed with the verdict, quota and cost, and the two buttons.
pub fn lobby_message(lobby: &LobbyView) -> Rendered {
    Rendered { content: None, embed: Some(lobby_embed(lobby)), components: vec![buttons(lobby)], ephemeral: false }
}

fn buttons(lobby: &LobbyView) -> CreateActionRow {
    CreateActionRow::Buttons(vec![
        CreateButton::new(custom_id::format(lobby.session_id, LobbyAction::Approve))
            .label("Approve & Deploy")
            .style(ButtonStyle::Success)
            .disabled(!lobby.can_approve),
        CreateButton::new(custom_id::format(lobby.session_id, LobbyAction::Cancel))
            .label("Cancel")
            .style(ButtonStyle::Danger),
    ])
}

/// Fields added under a total budget; what does not fit is summarised in one last field.
struct Fields {
    fields: Vec<(String, String, bool)>,
    used: usize,
    dropped: usize,
}

impl Fields {
    fn push(&mut self, name: &str, value: &str, inline: bool) {
        let (name, value) = (truncate(name, MAX_TITLE), truncate(value, MAX_FIELD_VALUE));
        let cost = name.chars().count() + value.chars().count();
        if self.fields.len() >= MAX_FIELDS - 1 || self.used + cost > FIELD_BUDGET {
            self.dropped += 1;
            return;
        }
        self.used += cost;
        self.fields.push((name, value, inline));
    }

    fn finish(mut self) -> Vec<(String, String, bool)> {
        if self.dropped > 0 {
            self.fields.push((
                "…".into(),
                format!("{} more item(s) not shown; see /cloud-quota and the policy list", self.dropped),
                false,
            ));
        }
        self.fields
    }
}

fn lobby_embed(l: &LobbyView) -> CreateEmbed {
    let v = &l.verdict;
    let colour = match v.outcome {
        Outcome::Allowed => Colour::from_rgb(0x2e, 0xcc, 0x71),
        Outcome::NeedsApproval => Colour::from_rgb(0xf3, 0x9c, 0x12),
        Outcome::Denied => Colour::from_rgb(0xe7, 0x4c, 0x3c),
    };
    let size = v.size_name.as_deref().map(|s| format!(" · `{s}`")).unwrap_or_default();
    let title = truncate(&format!("Deployment lobby · {} {}", l.resource_type, l.resource_name), MAX_TITLE);
    let description = truncate(&v.summary(), MAX_DESCRIPTION.min(1000));
    let mut fields = Fields { fields: Vec::new(), used: title.len() + description.len(), dropped: 0 };
    fields.push(
        "Request",
        &format!("`{}` · {}{size} ×{} in `{}`", l.project_id, l.resource_type, l.count, l.region),
        false,
    );
    fields.push("Requested by", &format!("<@{}>", l.requested_by), true);
    fields.push("Cost", &format!("{}/h · {}/month", v.hourly.format(2), v.monthly.format(2)), true);
    fields.push("Expires", &format!("<t:{}:R>", l.expires_at), true);
    let quota: Vec<String> = v
        .quota
        .iter()
        .map(|q| {
            format!(
                "`{}` ({}): {} used + {} reserved + **{}** of {}",
                q.quota_type, q.region, q.used, q.reserved, q.requested, q.limit
            )
        })
        .collect();
    if !quota.is_empty() {
        fields.push("Quota", &join_within(&quota, MAX_FIELD_VALUE), false);
    }
    for violation in &v.violations {
        let effect = match violation.effect {
            Effect::Deny => "⛔ denied",
            Effect::RequireApproval => "🟠 needs approval",
        };
        let source =
            violation.policy_name.as_deref().map(|p| format!("policy “{p}”")).unwrap_or_else(|| violation.rule.clone());
        fields.push(&format!("{effect} · {source}"), &violation.message, false);
    }
    if !v.warnings.is_empty() {
        fields.push("Warnings", &join_within(&v.warnings, MAX_FIELD_VALUE), false);
    }
    let mut embed = CreateEmbed::new().title(title).description(description).colour(colour);
    for (name, value, inline) in fields.finish() {
        embed = embed.field(name, value, inline);
    }
    let footer = match (l.can_approve, v.outcome) {
        (true, Outcome::NeedsApproval) => "Needs approval by a CloudAdmin other than the requester",
        (true, _) => "The requester or a CloudAdmin may approve",
        (false, _) => "Denied: this request cannot be approved",
    };
    embed.footer(CreateEmbedFooter::new(format!("{footer} · session {}", l.session_id)))
}

fn join_within(lines: &[String], max: usize) -> String {
    let mut out = String::new();
    for (i, line) in lines.iter().enumerate() {
        let more = format!("\n… {} more", lines.len() - i);
        if out.chars().count() + line.chars().count() + 1 + more.len() > max {
            out.push_str(more.trim_start_matches('\n'));
            return out;
        }
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(line);
    }
    out
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}
