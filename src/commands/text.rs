//! The wording every front end shares: the console prints these pieces as they are, Discord places
//! them in embed fields. One place decides how money, quota and a lobby's state read.

use uuid::Uuid;

use super::{BudgetView, HistoryView, LobbyView, PolicyView, QuotaView, Reply, ResourceView, RoleView};
use crate::domain::validate::{Effect, Outcome, QuotaLine};
use crate::domain::{LobbyKind, Money, SessionStatus};

/// `$0.0168/h, $12.26/month`.
pub fn cost(hourly: Money, monthly: Money) -> String {
    format!("{}/h, {}/month", hourly.rate(), monthly.cents())
}

/// A lobby's quota line: `3 used + 0 reserved + 1 requested of 10` (a destroy or a shrinking
/// resize: `3 used + 0 reserved, 1 freed, of 10`).
pub fn lobby_quota(q: &QuotaLine) -> String {
    if q.requested < 0 {
        format!("{} used + {} reserved, {} freed, of {}", q.used, q.reserved, -q.requested, q.limit)
    } else {
        format!("{} used + {} reserved + {} requested of {}", q.used, q.reserved, q.requested, q.limit)
    }
}

/// A lobby's title: `Deployment lobby · vm web-1`, `Decommission lobby · ...`, `Resize lobby · ...`,
/// `Stack lobby · web shop`.
pub fn lobby_title(l: &LobbyView) -> String {
    let what = match l.lobby {
        LobbyKind::Deploy => "Deployment",
        LobbyKind::Destroy => "Decommission",
        LobbyKind::Resize => "Resize",
        LobbyKind::Stack => "Stack",
    };
    let subject = match (&l.lobby, &l.template) {
        (LobbyKind::Stack, Some(template)) => template.as_str(),
        _ => l.resource_type.as_str(),
    };
    format!("{what} lobby · {subject} {}", l.resource_name)
}

/// What the lobby changes, in one line.
pub fn lobby_request(l: &LobbyView) -> String {
    let size = l.verdict.size_name.as_deref().map(|s| format!(" ({s})")).unwrap_or_default();
    match l.lobby {
        LobbyKind::Deploy => {
            format!("{} {}{size} x{} in {}", l.resource_type, l.resource_name, l.count, l.region)
        }
        LobbyKind::Destroy => format!("{} {}{size} in {} goes away", l.resource_type, l.resource_name, l.region),
        LobbyKind::Resize => {
            let before = crate::domain::plan::sized(l.size_before.as_deref(), l.nodes_before);
            let after = crate::domain::plan::sized(l.verdict.size_name.as_deref(), l.nodes_after);
            format!("{} {} in {}: {before} -> {after}", l.resource_type, l.resource_name, l.region)
        }
        LobbyKind::Stack => format!("stack {}: {} resources in {}", l.resource_name, l.count, l.region),
    }
}

/// What the lobby costs: `$0.0168/h, $12.26/month`; a destroy's saving; a resize's before -> after.
pub fn lobby_cost(l: &LobbyView) -> String {
    let v = &l.verdict;
    match (l.lobby, v.hourly_before) {
        (LobbyKind::Destroy, Some(before)) => format!("saves {}", cost(before, before.monthly_from_hourly())),
        (LobbyKind::Resize, Some(before)) => format!(
            "{}/h -> {}/h ({}/month -> {}/month)",
            before.rate(),
            v.hourly.rate(),
            before.monthly_from_hourly().cents(),
            v.monthly.cents()
        ),
        _ => cost(v.hourly, v.monthly),
    }
}

/// The global names the Terraform gives: `assets → assets-3f9a1c`; `None` when there are none.
pub fn lobby_written_as(l: &LobbyView) -> Option<String> {
    if l.written_as.is_empty() {
        return None;
    }
    let pairs: Vec<String> = l.written_as.iter().map(|(name, physical)| format!("{name} → {physical}")).collect();
    Some(format!("{} (a globally unique name: the project's suffix is added)", pairs.join(", ")))
}

/// Each new resource's exposure: `orders: public endpoint, only from 203.0.113.0/24, TLS enforced`.
pub fn lobby_exposure(l: &LobbyView) -> Vec<String> {
    l.exposure.iter().map(|e| format!("{}: {}", e.resource, e.exposure.summary)).collect()
}

/// A warning for each new resource reachable from the whole internet.
pub fn lobby_exposure_warnings(l: &LobbyView) -> Vec<String> {
    use crate::terraform::exposure::Reach;
    l.exposure
        .iter()
        .filter(|e| e.exposure.reach == Reach::Internet)
        .map(|e| format!("{} will be reachable from the whole internet once applied", e.resource))
        .collect()
}

/// A stack's resources with their prices: `shop-vm-1 · vm · e2-small · $0.0168/h`.
pub fn lobby_items(l: &LobbyView) -> Vec<String> {
    l.verdict
        .items
        .iter()
        .map(|i| format!("{} · {} · {} · {}/h", i.name, i.kind, i.size.as_deref().unwrap_or("-"), i.hourly.rate()))
        .collect()
}

/// A denied deploy's nearest alternative: `e2-standard-2 in us-central1 at $0.0670/h ($48.91/month)`.
pub fn suggestion(s: &crate::domain::validate::suggest::Suggestion) -> String {
    let size = s.size.as_deref().map(|z| format!("{z} in ")).unwrap_or_default();
    let approval = if s.needs_approval { "; it needs a CloudAdmin's approval" } else { "" };
    format!("{size}{} at {}{approval}", s.region, cost(s.hourly, s.monthly))
}

/// The command that asks for the alternative in one step.
pub fn suggestion_command(l: &LobbyView, s: &crate::domain::validate::suggest::Suggestion) -> String {
    let mut line = format!(
        "/cloud-deploy project_id:{} resource_type:{} resource_name:{}",
        l.project_id, l.resource_type, l.resource_name
    );
    if let Some(size) = &s.size {
        line.push_str(&format!(" machine_type:{size}"));
    }
    line.push_str(&format!(" region:{}", s.region));
    if l.count > 1 {
        line.push_str(&format!(" count:{}", l.count));
    }
    line
}

/// The Approve button's words for a lobby of this kind.
pub fn approve_label(kind: LobbyKind) -> &'static str {
    match kind {
        LobbyKind::Deploy | LobbyKind::Stack => "Approve & Deploy",
        LobbyKind::Destroy => "Approve & Destroy",
        LobbyKind::Resize => "Approve & Resize",
    }
}

/// A project's quota line: `1 used + 0 reserved of 10 (9 available)`; the monthly budget line in
/// dollars.
pub fn quota_usage(q: &QuotaView) -> String {
    let n = |v: i64| quota_amount(&q.quota_type, v);
    format!("{} used + {} reserved of {} ({} available)", n(q.used), n(q.reserved), n(q.limit), n(q.available))
}

/// An amount of a quota line: units, or for `budget.monthly` (micro-dollars) money.
pub fn quota_amount(quota_type: &str, amount: i64) -> String {
    if super::reply::counts_money(quota_type) {
        crate::domain::Money::from_micros(amount).cents()
    } else {
        amount.to_string()
    }
}

/// What a violation does: `denied` or `needs approval`.
pub fn effect(effect: Effect) -> &'static str {
    match effect {
        Effect::Deny => "denied",
        Effect::RequireApproval => "needs approval",
    }
}

/// Who may press Approve, for a lobby in this state.
pub fn approval_rule(can_approve: bool, outcome: Outcome) -> &'static str {
    match (can_approve, outcome) {
        (true, Outcome::NeedsApproval) => "needs approval by a CloudAdmin other than the requester",
        (true, _) => "the requester or a CloudAdmin may approve",
        (false, _) => "denied: this request cannot be approved",
    }
}

/// `lobby <id> expired (by 42): the lobby timed out`.
pub fn closed(session_id: Uuid, status: SessionStatus, by: Option<i64>, reason: &str) -> String {
    let by = by.map(|b| format!(" (by {b})")).unwrap_or_default();
    format!("lobby {session_id} {status}{by}: {reason}")
}

/// What an approval did, in one line with its cost: `deployed web-1 in gcp-abc123 (approved by
/// 42): $0.0168/h, $12.26/month`, `resized api-1 … from e2-small to e2-medium …: $0.0168/h ->
/// $0.0335/h, …`, `destroy step 1 of 2: …`, `destroyed etl-vm-1 …: saves …`. `None` for a reply
/// that is not an approval.
pub fn approved(reply: &Reply) -> Option<String> {
    let d = reply.approval()?;
    let (names, project, by) = (d.resources.join(", "), &d.project_id, d.approved_by);
    let before = d.hourly_before.unwrap_or_default();
    let monthly_before = d.monthly_before.unwrap_or_default();
    Some(match reply {
        Reply::StackDeployed(_) => {
            let (name, template) = d.stack.clone().unwrap_or_default();
            format!(
                "deployed stack {name} (template {template}: {names}) in {project} (approved by {by}): {}",
                cost(d.hourly, d.monthly)
            )
        }
        Reply::Resized(_) => format!(
            "resized {names} in {project} from {} to {} (approved by {by}): {}/h -> {}/h, {}/month -> {}/month",
            d.from.as_deref().unwrap_or("-"),
            d.to.as_deref().unwrap_or("-"),
            before.rate(),
            d.hourly.rate(),
            monthly_before.cents(),
            d.monthly.cents()
        ),
        Reply::Decommissioned(_) => format!(
            "destroy step 1 of 2: {names} in {project} is decommissioned (approved by {by}): its deletion \
             protection is lifted in the Terraform and {} no longer counts; destroy it again to remove it",
            cost(before, monthly_before)
        ),
        Reply::Destroyed(_) if before == Money::ZERO => {
            format!("destroyed {names} in {project} (approved by {by}): it left the Terraform")
        }
        Reply::Destroyed(_) => format!(
            "destroyed {names} in {project} (approved by {by}): it left the Terraform; saves {}",
            cost(before, monthly_before)
        ),
        _ => format!("deployed {names} in {project} (approved by {by}): {}", cost(d.hourly, d.monthly)),
    })
}

/// The title of an approval's card: `✅ Deployed web-1`, `🗑️ Destroyed etl-vm-1`, ….
pub fn approved_title(reply: &Reply) -> Option<String> {
    let d = reply.approval()?;
    let names = d.resources.join(", ");
    Some(match reply {
        Reply::StackDeployed(_) => format!("✅ Deployed stack {}", d.stack.as_ref().map_or("", |(n, _)| n.as_str())),
        Reply::Resized(_) => format!("✅ Resized {names}"),
        Reply::Decommissioned(_) => format!("⏳ Decommissioned {names} (step 1 of 2)"),
        Reply::Destroyed(_) => format!("🗑️ Destroyed {names}"),
        _ => format!("✅ Deployed {names}"),
    })
}

/// `vm · e2-small · us-central1 · $0.0168/h`.
pub fn resource(r: &ResourceView) -> String {
    format!("{} · {} · {} · {}/h", r.resource_type, r.size.as_deref().unwrap_or("-"), r.region, r.hourly.rate())
}

/// The sum of the resources' hourly costs and its month: `$0.05/h, $36.5/month`.
pub fn total_cost(resources: &[ResourceView]) -> String {
    let hourly = resources.iter().fold(Money::ZERO, |sum, r| sum.checked_add(r.hourly).unwrap_or(sum));
    cost(hourly, hourly.monthly_from_hourly())
}

/// `granted 42 CloudUser for gcp: may create VMs; VMs up to medium`.
pub fn granted(user_id: i64, role: &str, provider: &str, summary: &str) -> String {
    format!("{user_id} is now {role} for {provider}: {summary}")
}

/// `revoked 42's gcp role` or `42 had no gcp role`.
pub fn revoked(user_id: i64, provider: &str, existed: bool) -> String {
    if existed { format!("revoked {user_id}'s {provider} role") } else { format!("{user_id} had no {provider} role") }
}

/// What a policy holds: `allowed us-central1, europe-west1; denied public; at most $0.5/h; needs approval`.
pub fn policy_values(p: &PolicyView) -> String {
    let mut parts = Vec::new();
    if !p.allowed_values.is_empty() {
        parts.push(format!("allowed {}", p.allowed_values.join(", ")));
    }
    if !p.denied_values.is_empty() {
        parts.push(format!("denied {}", p.denied_values.join(", ")));
    }
    if let Some(max) = p.max_cost_per_hour {
        parts.push(format!("at most {}/h", max.rate()));
    }
    if p.require_approval {
        parts.push("violations need approval".to_owned());
    }
    if parts.is_empty() { "no values".to_owned() } else { parts.join("; ") }
}

/// What an audit event was about and how it ended: `deploy vm web-1: success`.
pub fn history_what(h: &HistoryView) -> String {
    let subject = match (&h.resource_type, &h.resource_name) {
        (Some(kind), Some(name)) => format!(" {kind} {name}"),
        (None, Some(name)) => format!(" {name}"),
        _ => String::new(),
    };
    format!("{}{subject}: {}", h.action, h.outcome)
}

/// The rest of an audit event: `verdict allowed · $0.0168/h`.
pub fn history_detail(h: &HistoryView) -> String {
    let mut parts = Vec::new();
    if let Some(change) = &h.change {
        parts.push(change.clone());
    }
    if let Some(v) = &h.verdict {
        parts.push(format!("verdict {v}"));
    }
    if let Some(cost) = h.hourly {
        parts.push(format!("{}/h", cost.rate()));
    }
    if parts.is_empty() { "-".to_owned() } else { parts.join(" · ") }
}

/// A member's role for a provider: `CloudUser (granted): may create VMs; VMs up to medium`.
pub fn role_line(r: &RoleView) -> String {
    match &r.role {
        None => "no role: ask an administrator for /cloud-grant".to_owned(),
        Some(role) => {
            let how = if r.granted { "granted" } else { "as guild administrator" };
            let mut line = format!("{role} ({how}): {}", r.summary);
            match r.budget_limit {
                Some(limit) => {
                    line.push_str(&format!("; your spend {}/month of {}/month", r.monthly_spend.cents(), limit.cents()))
                }
                None => line.push_str(&format!("; your spend {}/month", r.monthly_spend.cents())),
            }
            line
        }
    }
}

/// A project's budget: `$63.5 left of $100/month ($36.5 committed, $0 held by open lobbies)`.
pub fn budget_line(b: &BudgetView) -> String {
    let spent = format!("{} committed, {} held by open lobbies", b.committed.cents(), b.held.cents());
    match (b.budget, b.remaining) {
        (Some(budget), Some(left)) => format!("{} left of {}/month ({spent})", left.cents(), budget.cents()),
        _ => format!("no monthly budget set ({spent})"),
    }
}

/// A value typed by a member, made safe to print on a terminal or in a message: control characters
/// (escape codes, bell, newlines) are shown escaped (`\u{1b}`), so input can never rewrite the screen.
pub fn visible(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_shown_escaped() {
        assert_eq!(visible("a\u{1b}[2Jb\u{7}\n"), "a\\u{1b}[2Jb\\u{7}\\n");
        assert_eq!(visible("plain · ünïcode"), "plain · ünïcode");
    }
}
