//! Replies as Discord messages, every kind rendered natively: an embed with fields (the lobby with
//! its buttons), refusals and errors ephemeral. The wording comes from `commands::text`, shared
//! with the console; the limits are kept by [`Embed`]. Lists are cut into pages of [`PAGE_SIZE`]
//! items ([`render_page`]); the first page is what [`render`] shows.

use serenity::all::{
    ButtonStyle, CreateActionRow, CreateAttachment, CreateButton, CreateEmbed, CreateInteractionResponseFollowup,
    CreateInteractionResponseMessage, EditInteractionResponse, EditMessage,
};

use super::custom_id;
use super::embed::{Embed, colour, join_within};
use super::pages::{self, Source};
use crate::commands::{LobbyAction, LobbyView, Reply, text};
use crate::domain::validate::{Effect, Outcome};

pub use super::embed::{MAX_EMBED_TOTAL, MAX_FIELD_VALUE, MAX_FIELDS};

/// Characters in a message's content.
pub const MAX_CONTENT: usize = 2000;
/// Items of a list on one page (one field each, leaving room for the summary field).
pub const PAGE_SIZE: usize = 20;

/// A reply as a Discord message.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    /// Plain text (unused by the replies themselves; kept empty so an edit clears old text).
    pub content: Option<String>,
    /// The embed.
    pub embed: Option<CreateEmbed>,
    /// Button rows (an empty list removes the buttons).
    pub components: Vec<CreateActionRow>,
    /// Only the member who acted sees it.
    pub ephemeral: bool,
    /// Attached files (a list's CSV), as (file name, content).
    pub files: Vec<(String, Vec<u8>)>,
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
        for (name, data) in &self.files {
            m = m.add_file(CreateAttachment::bytes(data.clone(), name.clone()));
        }
        m
    }

    /// As an edit of the original response (deferred commands and buttons).
    pub fn edit(&self) -> EditInteractionResponse {
        let mut m = EditInteractionResponse::new()
            .components(self.components.clone())
            .content(self.content.clone().unwrap_or_default());
        for (name, data) in &self.files {
            m = m.new_attachment(CreateAttachment::bytes(data.clone(), name.clone()));
        }
        match &self.embed {
            Some(e) => m.embed(e.clone()),
            None => m.embeds(Vec::new()),
        }
    }

    /// As an ephemeral follow-up (a late refusal after a public deferral).
    pub fn followup(&self) -> CreateInteractionResponseFollowup {
        let mut m = CreateInteractionResponseFollowup::new().ephemeral(true);
        for (name, data) in &self.files {
            m = m.add_file(CreateAttachment::bytes(data.clone(), name.clone()));
        }
        let m = match &self.content {
            Some(c) => m.content(c.clone()),
            None => m,
        };
        match &self.embed {
            Some(e) => m.embed(e.clone()),
            None => m,
        }
    }

    /// As an edit of a channel message with the bot token (timer-driven updates): the new embed
    /// replaces the lobby's.
    pub fn channel_edit(&self) -> EditMessage {
        EditMessage::new()
            .components(self.components.clone())
            .content(self.content.clone().unwrap_or_default())
            .embeds(self.embed.iter().cloned().collect())
    }
}

/// Renders any reply (lists: their first page).
pub fn render(reply: &Reply) -> Rendered {
    render_page(reply, 0)
}

/// A command's reply as first sent: a list longer than one page gets Previous/Next buttons that run
/// `source` again, and the whole list attached as CSV.
pub fn render_command(reply: &Reply, source: Option<&Source>) -> Rendered {
    let mut rendered = render_list_page(reply, 0, source);
    if pages::count(reply) > 1
        && let Some((name, csv)) = crate::commands::csv::of(reply)
    {
        rendered.files.push((name, csv.into_bytes()));
    }
    rendered
}

/// Page `page` of a list with its Previous/Next buttons (other replies render as [`render_page`]).
pub fn render_list_page(reply: &Reply, page: usize, source: Option<&Source>) -> Rendered {
    let mut rendered = render_page(reply, page);
    if let Some(row) = source.and_then(|s| pages::buttons(reply, page, s)) {
        rendered.components.push(row);
    }
    rendered
}

/// How many items a list reply holds (0 for other replies).
pub fn items(reply: &Reply) -> usize {
    match reply {
        Reply::Resources { resources, .. } => resources.len(),
        Reply::Quota { lines, .. } => lines.len(),
        Reply::Projects { projects } => projects.len(),
        Reply::Policies { policies } => policies.len(),
        Reply::History { entries, .. } => entries.len(),
        _ => 0,
    }
}

/// Renders a reply; a list shows its page `page` (from 0; past the end shows the last page).
pub fn render_page(reply: &Reply, page: usize) -> Rendered {
    match reply {
        Reply::Lobby(lobby) => lobby_message(lobby),
        Reply::Refused { message } => private(Embed::new("⛔ Not allowed", colour::BAD).description(message)),
        Reply::Error { message } => private(Embed::new("⚠️ Could not do that", colour::WARN).description(message)),
        Reply::Preview(p) => super::preview::message(p),
        Reply::Deployed(_)
        | Reply::StackDeployed(_)
        | Reply::Resized(_)
        | Reply::Decommissioned(_)
        | Reply::Destroyed(_)
        | Reply::LobbyClosed { .. } => closed(embed(reply, page)),
        _ => public(embed(reply, page)),
    }
}

fn public(embed: Embed) -> Rendered {
    Rendered { embed: Some(embed.build()), ..Default::default() }
}

fn private(embed: Embed) -> Rendered {
    Rendered { embed: Some(embed.build()), ephemeral: true, ..Default::default() }
}

/// A lobby that ended: its embed, and no buttons.
fn closed(embed: Embed) -> Rendered {
    Rendered { content: Some(String::new()), embed: Some(embed.build()), ..Default::default() }
}

/// The items of page `page` of `items`, and the footer that says where it is.
fn page_of<T>(items: &[T], page: usize) -> (&[T], String) {
    let pages = items.len().div_ceil(PAGE_SIZE).max(1);
    let page = page.min(pages - 1);
    let start = page * PAGE_SIZE;
    let shown = &items[start..(start + PAGE_SIZE).min(items.len())];
    let footer = if pages > 1 {
        format!("page {} of {pages} · {} item(s) in all", page + 1, items.len())
    } else {
        format!("{} item(s)", items.len())
    };
    (shown, footer)
}

fn embed(reply: &Reply, page: usize) -> Embed {
    match reply {
        Reply::ProjectCreated { project: p } => {
            let mut e = Embed::new(&format!("Project created: {}", p.id), colour::GOOD).description(&p.name);
            e.field("Provider", &p.provider, true);
            e.field("Default region", &p.default_region, true);
            e.field("Owner", &format!("<@{}>", p.owner_user_id), true);
            let budget = p.monthly_budget.map(|b| format!("{}/month", b.cents()));
            e.field("Monthly budget", budget.as_deref().unwrap_or("none"), true);
            e
        }
        Reply::Deployed(d)
        | Reply::StackDeployed(d)
        | Reply::Resized(d)
        | Reply::Decommissioned(d)
        | Reply::Destroyed(d) => {
            let colour = if d.warning.is_some() { colour::WARN } else { colour::GOOD };
            let title = text::approved_title(reply).unwrap_or_default();
            let mut e = Embed::new(&title, colour)
                .description(&text::approved(reply).unwrap_or_default())
                .footer(&format!("session {}", d.session_id));
            e.field("Project", &d.project_id, true);
            e.field("Approved by", &format!("<@{}>", d.approved_by), true);
            match (reply, d.hourly_before) {
                (Reply::Resized(_), Some(before)) => {
                    e.field(
                        "Size",
                        &format!("{} → {}", d.from.as_deref().unwrap_or("-"), d.to.as_deref().unwrap_or("-")),
                        true,
                    );
                    e.field("Cost", &format!("{}/h → {}/h", before.rate(), d.hourly.rate()), true);
                }
                (Reply::Decommissioned(_) | Reply::Destroyed(_), Some(before)) => {
                    e.field("Saves", &text::cost(before, before.monthly_from_hourly()), true);
                }
                _ => e.field("Cost", &text::cost(d.hourly, d.monthly), true),
            }
            if let Some(dir) = &d.terraform_dir {
                e.field("Terraform", &format!("`{dir}/` ({})", d.files.join(", ")), false);
            }
            if let Some(w) = &d.warning {
                e.field("⚠️ Warning", w, false);
            }
            e
        }
        Reply::LobbyClosed { session_id, project_id, status, by, reason } => {
            let mut e = Embed::new(&format!("Lobby {status}"), colour::DONE).description(reason).footer(&text::closed(
                *session_id,
                *status,
                *by,
                reason,
            ));
            e.field("Project", project_id, true);
            if let Some(by) = by {
                e.field("By", &format!("<@{by}>"), true);
            }
            e
        }
        Reply::Resources { project_id, resources } => {
            let (shown, footer) = page_of(resources, page);
            let mut e = Embed::new(&format!("Resources in {project_id}"), colour::INFO)
                .description(&format!("Total: {}", text::total_cost(resources)))
                .footer(&footer);
            for r in shown {
                e.field(&r.name, &format!("{}\ncreated by <@{}>", text::resource(r), r.created_by), false);
            }
            e
        }
        Reply::Quota { project_id, lines } => {
            let (shown, footer) = page_of(lines, page);
            let mut e = Embed::new(&format!("Quota of {project_id}"), colour::INFO).footer(&footer);
            for q in shown {
                let bar = usage_bar(q.used, q.reserved, q.limit);
                e.field(&format!("{} ({})", q.quota_type, q.region), &format!("{bar}\n{}", text::quota_usage(q)), true);
            }
            e
        }
        Reply::Projects { projects } => {
            let (shown, footer) = page_of(projects, page);
            let mut e = Embed::new("Projects", colour::INFO).footer(&footer);
            for p in shown {
                let budget = p.monthly_budget.map(|b| format!(" · budget {}/month", b.cents())).unwrap_or_default();
                let value = format!("{} · {} · owner <@{}>{budget}", p.provider, p.default_region, p.owner_user_id);
                e.field(&format!("{} · {}", p.id, p.name), &value, false);
            }
            e
        }
        Reply::Granted { user_id, provider, role, summary } => {
            let mut e = Embed::new("Role granted", colour::GOOD)
                .description(&format!("<@{user_id}> is now **{role}** for {provider}"));
            e.field("Permissions", summary, false);
            e
        }
        Reply::Revoked { user_id, provider, existed } => {
            let title = if *existed { "Role revoked" } else { "No role to revoke" };
            Embed::new(title, colour::DONE).description(&text::revoked(*user_id, provider, *existed))
        }
        Reply::PolicyAdded { policy: p } => {
            let mut e = Embed::new(&format!("Policy #{} added: {}", p.id, p.name), colour::GOOD);
            e.field("Type", &p.policy_type, true);
            e.field("Applies to", &format!("`{}`", p.resource_pattern), true);
            e.field("Priority", &p.priority.to_string(), true);
            e.field("Values", &text::policy_values(p), false);
            e
        }
        Reply::Policies { policies } => {
            let (shown, footer) = page_of(policies, page);
            let mut e = Embed::new("Active policies", colour::INFO).footer(&footer);
            for p in shown {
                let value = format!("{} on `{}` · {}", p.policy_type, p.resource_pattern, text::policy_values(p));
                e.field(&format!("#{} · {} (priority {})", p.id, p.name, p.priority), &value, false);
            }
            e
        }
        Reply::PolicyRemoved { policy_id } => Embed::new(&format!("Policy #{policy_id} removed"), colour::DONE),
        Reply::History { project_id, entries } => {
            let (shown, footer) = page_of(entries, page);
            let mut e = Embed::new(&format!("History of {project_id}"), colour::INFO)
                .description("Newest first; the CSV attached to a long trail holds every event.")
                .footer(&footer);
            for h in shown {
                let decided = h.decided_by.map(|d| format!(" · decided by <@{d}>")).unwrap_or_default();
                let value = format!(
                    "<t:{}:f> · requested by <@{}>{decided}\n{}",
                    unix(&h.at),
                    h.requested_by,
                    text::history_detail(h)
                );
                e.field(&text::history_what(h), &value, false);
            }
            e
        }
        Reply::WhoAmI(w) => {
            let admin = if w.is_guild_admin { " · guild administrator" } else { "" };
            let mut e = Embed::new("Who am I", colour::INFO).description(&format!("<@{}>{admin}", w.user_id));
            for r in &w.roles {
                e.field(&format!("Role for {}", r.provider), &text::role_line(r), false);
            }
            for b in &w.projects {
                e.field(&format!("Budget of {} · {}", b.project_id, b.name), &text::budget_line(b), false);
            }
            e
        }
        Reply::QuotaSet { project_id, quota: q } => {
            let mut e = Embed::new(&format!("Quota of {project_id} set"), colour::GOOD);
            let bar = usage_bar(q.used, q.reserved, q.limit);
            let figures = format!(
                "{} used + {} reserved of {}",
                text::quota_amount(&q.quota_type, q.used),
                text::quota_amount(&q.quota_type, q.reserved),
                text::quota_amount(&q.quota_type, q.limit)
            );
            e.field(&q.quota_type, &format!("{bar}\n{figures}"), false);
            e
        }
        // Rendered by `render_page` itself; kept total so a new kind cannot fall through silently.
        Reply::Lobby(l) => Embed::new(&format!("Lobby {}", l.session_id), colour::INFO),
        Reply::Preview(p) => Embed::new(&format!("Terraform of lobby {}", p.session_id), colour::INFO),
        Reply::Refused { message } | Reply::Error { message } => Embed::new("⚠️", colour::BAD).description(message),
    }
}

/// Unix seconds of an RFC 3339 time (0 if unreadable), for Discord's `<t:..>` timestamps.
fn unix(at: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(at).map(|t| t.timestamp()).unwrap_or(0)
}

/// `████░░░░░░` of `limit`: used solid, reserved shaded.
fn usage_bar(used: i64, reserved: i64, limit: i64) -> String {
    const WIDTH: i64 = 10;
    if limit <= 0 {
        return "`no limit set`".to_owned();
    }
    // In i128 and clamped before narrowing: a count far above its limit must not wrap around.
    let cells = |n: i64| (i128::from(n.max(0)) * i128::from(WIDTH) / i128::from(limit)).min(i128::from(WIDTH)) as i64;
    let full = cells(used);
    let held = cells(used.saturating_add(reserved)).max(full) - full;
    let free = WIDTH - full - held;
    format!("`{}{}{}`", "█".repeat(full as usize), "▒".repeat(held as usize), "░".repeat(free as usize))
}

/// The lobby: one embed with the verdict, quota and cost, and the two buttons.
pub fn lobby_message(lobby: &LobbyView) -> Rendered {
    Rendered {
        content: None,
        embed: Some(lobby_embed(lobby).build()),
        components: vec![buttons(lobby)],
        ..Default::default()
    }
}

fn buttons(lobby: &LobbyView) -> CreateActionRow {
    CreateActionRow::Buttons(vec![
        CreateButton::new(custom_id::format(lobby.session_id, LobbyAction::Approve))
            .label(text::approve_label(lobby.lobby))
            .style(ButtonStyle::Success)
            .disabled(!lobby.can_approve),
        CreateButton::new(custom_id::format(lobby.session_id, LobbyAction::Cancel))
            .label("Cancel")
            .style(ButtonStyle::Danger),
        CreateButton::new(custom_id::format_view(lobby.session_id))
            .label("View Terraform")
            .style(ButtonStyle::Secondary),
    ])
}

fn lobby_embed(l: &LobbyView) -> Embed {
    let v = &l.verdict;
    let colour = match v.outcome {
        Outcome::Allowed => colour::GOOD,
        Outcome::NeedsApproval => colour::WARN,
        Outcome::Denied => colour::BAD,
    };
    let rule = text::approval_rule(l.can_approve, v.outcome);
    let mut rule = rule.to_owned();
    rule[..1].make_ascii_uppercase();
    let mut e = Embed::new(&text::lobby_title(l), colour)
        .description(&v.summary())
        .more_hint("not shown; see /cloud-quota and the policy list")
        .footer(&format!("{rule} · session {}", l.session_id));
    e.field("Request", &format!("`{}` · {}", l.project_id, text::lobby_request(l)), false);
    e.field("Requested by", &format!("<@{}>", l.requested_by), true);
    e.field("Cost", &text::lobby_cost(l), true);
    e.field("Expires", &format!("<t:{}:R>", l.expires_at), true);
    if let Some(s) = &l.suggestion {
        let value = format!("{}\n`{}`", text::suggestion(s), text::suggestion_command(l, s));
        e.field("💡 Nearest allowed", &value, false);
    }
    let quota: Vec<String> =
        v.quota.iter().map(|q| format!("`{}` ({}): {}", q.quota_type, q.region, text::lobby_quota(q))).collect();
    if !quota.is_empty() {
        e.field("Quota", &join_within(&quota, MAX_FIELD_VALUE), false);
    }
    let items = text::lobby_items(l);
    if !items.is_empty() {
        e.field("Resources", &join_within(&items, MAX_FIELD_VALUE), false);
    }
    if let Some(written) = text::lobby_written_as(l) {
        e.field("Written as", &written, false);
    }
    let exposure = text::lobby_exposure(l);
    if !exposure.is_empty() {
        e.field("Exposure", &join_within(&exposure, MAX_FIELD_VALUE), false);
    }
    let internet = text::lobby_exposure_warnings(l);
    if !internet.is_empty() {
        e.field("⚠️ Reachable from the internet", &join_within(&internet, MAX_FIELD_VALUE), false);
    }
    for violation in &v.violations {
        let mark = match violation.effect {
            Effect::Deny => "⛔",
            Effect::RequireApproval => "🟠",
        };
        let source =
            violation.policy_name.as_deref().map(|p| format!("policy “{p}”")).unwrap_or_else(|| violation.rule.clone());
        e.field(&format!("{mark} {} · {source}", text::effect(violation.effect)), &violation.message, false);
    }
    if !v.warnings.is_empty() {
        e.field("Warnings", &join_within(&v.warnings, MAX_FIELD_VALUE), false);
    }
    e
}

#[cfg(test)]
mod tests {
    use super::usage_bar;

    #[test]
    fn usage_bars_show_used_and_reserved_within_ten_cells() {
        assert_eq!(usage_bar(3, 1, 10), "`███▒░░░░░░`");
        assert_eq!(usage_bar(0, 0, 5), "`░░░░░░░░░░`");
        assert_eq!(usage_bar(i64::MAX, i64::MAX, 1), "`██████████`");
        assert_eq!(usage_bar(1, 0, 0), "`no limit set`");
    }
}
