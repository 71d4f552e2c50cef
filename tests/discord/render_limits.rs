//! Every reply renders inside Discord's limits: the largest lobby the validator can produce, and a
//! property test over generated replies of every kind (long and hostile text, long lists).
//! Case count fixed for RELIABILITY.md: 512.

use cloud_chatops::commands::{
    BudgetView, DeployedView, HistoryView, LobbyView, PolicyView, PreviewFile, PreviewView, ProjectView, QuotaView,
    Reply, ResourceView, RoleView, WhoAmIView,
};
use cloud_chatops::discord::{custom_id, pages, render};
use cloud_chatops::domain::validate::suggest::Suggestion;
use cloud_chatops::domain::validate::{Effect, Outcome, QuotaLine, Verdict, Violation};
use cloud_chatops::domain::{Money, QuotaType, SessionStatus};
use cloud_chatops::terraform::preview::FileChange;
use proptest::prelude::*;
use serde_json::Value;
use uuid::Uuid;

fn huge_lobby() -> LobbyView {
    let long = "x".repeat(2_000);
    let violations = (0..200)
        .map(|i| Violation {
            rule: format!("policy.region.{i}"),
            policy_id: Some(i),
            policy_name: Some(format!("{long}{i}")),
            message: format!("{long} #{i}"),
            effect: if i % 2 == 0 { Effect::Deny } else { Effect::RequireApproval },
        })
        .collect();
    let quota = QuotaType::ALL
        .iter()
        .flat_map(|q| {
            ["*", "us-central1"].map(|r| QuotaLine {
                quota_type: *q,
                region: r.into(),
                used: i64::MAX / 4,
                reserved: 1,
                requested: 1_000_000,
                limit: i64::MAX / 2,
            })
        })
        .collect();
    LobbyView {
        session_id: Uuid::new_v4(),
        lobby: cloud_chatops::domain::LobbyKind::Deploy,
        project_id: "gcp-abc123".into(),
        provider: "gcp".into(),
        resource_type: "load_balancer".into(),
        resource_name: "n".repeat(100),
        region: "r".repeat(100),
        count: 10,
        requested_by: i64::MAX,
        verdict: Verdict {
            outcome: Outcome::Denied,
            violations,
            quota,
            size_name: Some("s".repeat(100)),
            unit_hourly: Money::from_micros(i64::MAX),
            hourly: Money::from_micros(i64::MAX),
            monthly: Money::from_micros(i64::MAX),
            warnings: (0..100).map(|i| format!("{long} warning {i}")).collect(),
            hourly_before: Some(Money::from_micros(i64::MAX)),
            items: Vec::new(),
        },
        expires_at: i64::MAX,
        status: SessionStatus::Pending,
        can_approve: false,
        size_before: Some("s".repeat(100)),
        nodes_before: Some(u32::MAX),
        nodes_after: Some(u32::MAX),
        exposure: (0..60)
            .map(|i| cloud_chatops::commands::ExposureView {
                resource: format!("{long}{i}"),
                exposure: cloud_chatops::terraform::exposure::Exposure {
                    reach: cloud_chatops::terraform::exposure::Reach::Internet,
                    access: "public",
                    ingress: vec!["0.0.0.0/0".into()],
                    summary: long.clone(),
                },
            })
            .collect(),
        template: None,
        suggestion: Some(Suggestion {
            size: Some("s".repeat(100)),
            region: "r".repeat(100),
            unit_hourly: Money::from_micros(i64::MAX),
            hourly: Money::from_micros(i64::MAX),
            monthly: Money::from_micros(i64::MAX),
            needs_approval: true,
        }),
        written_as: (0..50).map(|i| (format!("{long}{i}"), format!("{long}{i}-3f9a1c"))).collect(),
    }
}

#[test]
fn the_largest_lobby_fits_discords_limits() {
    let lobby = huge_lobby();
    let rendered = render::lobby_message(&lobby);
    let embed = serde_json::to_value(rendered.embed.unwrap()).unwrap();
    let fields = embed["fields"].as_array().unwrap();
    assert!(fields.len() <= render::MAX_FIELDS, "{} fields", fields.len());
    let mut total = 0;
    for f in fields {
        let (name, value) = (f["name"].as_str().unwrap(), f["value"].as_str().unwrap());
        assert!(name.chars().count() <= 256 && value.chars().count() <= render::MAX_FIELD_VALUE);
        total += name.chars().count() + value.chars().count();
    }
    total += embed["title"].as_str().unwrap().chars().count();
    total += embed["description"].as_str().unwrap().chars().count();
    total += embed["footer"]["text"].as_str().unwrap().chars().count();
    assert!(total <= render::MAX_EMBED_TOTAL, "{total} characters");
    assert!(fields.last().unwrap()["value"].as_str().unwrap().contains("more"), "what does not fit is summarised");
    let rows = serde_json::to_value(&rendered.components).unwrap();
    for button in rows[0]["components"].as_array().unwrap() {
        assert!(button["custom_id"].as_str().unwrap().len() <= 100);
    }
    assert_eq!(rows[0]["components"][0]["disabled"], true, "a denied lobby cannot be approved");
    assert!(custom_id::parse(rows[0]["components"][1]["custom_id"].as_str().unwrap()).is_some());
}

/// Discord's limits on one message as sent: content, embeds and their parts, button rows.
fn assert_within_limits(message: &Value, what: &str) {
    let content = message["content"].as_str().unwrap_or_default();
    assert!(content.chars().count() <= render::MAX_CONTENT, "{what}: content of {} characters", content.len());
    assert!(!content.contains("```"), "{what}: console text in a code block");
    let embeds = message["embeds"].as_array().cloned().unwrap_or_default();
    assert!(embeds.len() <= 10, "{what}: {} embeds", embeds.len());
    for embed in &embeds {
        let chars = |v: &Value| v.as_str().map_or(0, |s| s.chars().count());
        let fields = embed["fields"].as_array().cloned().unwrap_or_default();
        assert!(fields.len() <= render::MAX_FIELDS, "{what}: {} fields", fields.len());
        assert!(chars(&embed["title"]) <= 256 && chars(&embed["description"]) <= 4096, "{what}: title or description");
        assert!(chars(&embed["footer"]["text"]) <= 2048, "{what}: footer");
        let mut total = chars(&embed["title"]) + chars(&embed["description"]) + chars(&embed["footer"]["text"]);
        for f in &fields {
            let (name, value) = (chars(&f["name"]), chars(&f["value"]));
            assert!((1..=256).contains(&name) && (1..=render::MAX_FIELD_VALUE).contains(&value), "{what}: field {f}");
            total += name + value;
        }
        assert!(total <= render::MAX_EMBED_TOTAL, "{what}: {total} characters in one embed");
    }
    let rows = message["components"].as_array().cloned().unwrap_or_default();
    assert!(rows.len() <= 5, "{what}: {} rows", rows.len());
    for row in &rows {
        let buttons = row["components"].as_array().cloned().unwrap_or_default();
        assert!(buttons.len() <= 5, "{what}: {} buttons in a row", buttons.len());
        for b in &buttons {
            assert!(b["custom_id"].as_str().unwrap().len() <= 100, "{what}: custom_id");
        }
    }
}

/// Every field value of a message's embeds, joined.
fn message_text_of(message: &Value) -> String {
    let mut out = String::new();
    for embed in message["embeds"].as_array().into_iter().flatten() {
        for f in embed["fields"].as_array().into_iter().flatten() {
            out.push_str(f["value"].as_str().unwrap_or_default());
            out.push('\n');
        }
    }
    out
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z0-9-]{0,24}",
        "\\PC{0,120}",
        (1usize..3000, any::<char>()).prop_map(|(n, c)| std::iter::repeat_n(c, n).collect()),
        Just(String::new()),
        Just("```\n@everyone\n```".to_owned()),
    ]
}

fn money() -> impl Strategy<Value = Money> {
    prop_oneof![Just(Money::from_micros(i64::MAX)), (0i64..10_000_000_000).prop_map(Money::from_micros)]
}

fn project() -> impl Strategy<Value = ProjectView> {
    (text(), text(), text(), any::<i64>(), prop::option::of(money())).prop_map(|(id, name, region, owner, budget)| {
        ProjectView {
            id,
            name,
            provider: "gcp".into(),
            default_region: region,
            owner_user_id: owner,
            monthly_budget: budget,
        }
    })
}

fn resource() -> impl Strategy<Value = ResourceView> {
    (text(), text(), prop::option::of(text()), money(), any::<i64>()).prop_map(|(name, region, size, hourly, by)| {
        ResourceView { resource_type: "vm".into(), name, region, size, hourly, created_by: by }
    })
}

fn quota() -> impl Strategy<Value = QuotaView> {
    let count = || prop_oneof![any::<i64>(), 0i64..20, Just(i64::MAX), Just(i64::MIN)];
    (text(), count(), count(), count()).prop_map(|(region, used, reserved, limit)| QuotaView {
        quota_type: "compute.instances".into(),
        region,
        used,
        reserved,
        limit,
        available: limit.saturating_sub(used),
    })
}

fn policy() -> impl Strategy<Value = PolicyView> {
    (any::<i64>(), text(), text(), prop::collection::vec(text(), 0..30), prop::option::of(money()), any::<bool>())
        .prop_map(|(id, name, pattern, values, max, approval)| PolicyView {
            id,
            name,
            policy_type: "region".into(),
            resource_pattern: pattern,
            allowed_values: values.clone(),
            denied_values: values,
            max_cost_per_hour: max,
            require_approval: approval,
            priority: 100,
        })
}

fn history() -> impl Strategy<Value = HistoryView> {
    (text(), text(), any::<i64>(), prop::option::of(any::<i64>()), prop::option::of(text()), prop::option::of(money()))
        .prop_map(|(action, name, by, decided, verdict, hourly)| HistoryView {
            change: verdict.clone(),
            at: "2026-12-01T12:00:00Z".into(),
            action: action.clone(),
            outcome: action,
            requested_by: by,
            decided_by: decided,
            verdict,
            resource_type: Some("vm".into()),
            resource_name: Some(name),
            hourly,
            session_id: Some(Uuid::new_v4()),
        })
}

fn whoami() -> impl Strategy<Value = WhoAmIView> {
    let role = (prop::option::of(text()), text(), prop::option::of(money()), money()).prop_map(
        |(role, summary, budget_limit, monthly_spend)| RoleView {
            provider: "gcp".into(),
            role,
            granted: true,
            summary,
            budget_limit,
            monthly_spend,
        },
    );
    let budget = (text(), text(), prop::option::of(money()), money()).prop_map(|(project_id, name, budget, spent)| {
        BudgetView { project_id, name, budget, committed: spent, held: spent, remaining: budget }
    });
    (prop::collection::vec(role, 0..4), prop::collection::vec(budget, 0..60), any::<i64>())
        .prop_map(|(roles, projects, user_id)| WhoAmIView { user_id, is_guild_admin: true, roles, projects })
}

fn preview() -> impl Strategy<Value = PreviewView> {
    let change = prop_oneof![
        Just(FileChange::Added),
        Just(FileChange::Changed),
        Just(FileChange::Removed),
        Just(FileChange::Unchanged)
    ];
    let file = (text(), change, prop::collection::vec(text(), 0..40)).prop_map(|(name, change, lines)| PreviewFile {
        name,
        change,
        diff: lines.join("\n"),
    });
    (prop::collection::vec(file, 0..40), text()).prop_map(|(files, dir)| PreviewView {
        session_id: Uuid::new_v4(),
        project_id: "gcp-abc123".into(),
        dir,
        files,
    })
}

fn reply() -> impl Strategy<Value = Reply> {
    let many = |n| 0..n;
    prop_oneof![
        project().prop_map(|project| Reply::ProjectCreated { project }),
        (0usize..200).prop_map(|n| {
            let mut lobby = huge_lobby();
            lobby.verdict.violations.truncate(n);
            lobby.verdict.warnings.truncate(n / 2);
            Reply::Lobby(lobby)
        }),
        (
            prop::collection::vec(text(), many(60)),
            money(),
            prop::option::of(text()),
            prop::collection::vec(text(), many(20)),
            prop::option::of(text()),
            (0..5usize, text(), text(), money()),
        )
            .prop_map(|(resources, hourly, dir, files, warning, (which, from, to, before))| {
                let view = DeployedView {
                    session_id: Uuid::new_v4(),
                    project_id: "gcp-abc123".into(),
                    approved_by: 1,
                    resources,
                    hourly,
                    monthly: hourly.monthly_from_hourly(),
                    terraform_dir: dir,
                    files,
                    warning,
                    hourly_before: Some(before),
                    monthly_before: Some(before.monthly_from_hourly()),
                    from: Some(from.clone()),
                    to: Some(to.clone()),
                    stack: Some((from, to)),
                };
                match which {
                    0 => Reply::Deployed(view),
                    1 => Reply::StackDeployed(view),
                    2 => Reply::Resized(view),
                    3 => Reply::Decommissioned(view),
                    _ => Reply::Destroyed(view),
                }
            }),
        (text(), prop::option::of(any::<i64>())).prop_map(|(reason, by)| Reply::LobbyClosed {
            session_id: Uuid::new_v4(),
            project_id: "gcp-abc123".into(),
            status: SessionStatus::Expired,
            by,
            reason,
        }),
        (text(), prop::collection::vec(resource(), many(120)))
            .prop_map(|(project_id, resources)| Reply::Resources { project_id, resources }),
        (text(), prop::collection::vec(quota(), many(40)))
            .prop_map(|(project_id, lines)| Reply::Quota { project_id, lines }),
        prop::collection::vec(project(), many(60)).prop_map(|projects| Reply::Projects { projects }),
        (any::<i64>(), text(), text()).prop_map(|(user_id, role, summary)| Reply::Granted {
            user_id,
            provider: "gcp".into(),
            role,
            summary
        }),
        (any::<i64>(), any::<bool>()).prop_map(|(user_id, existed)| Reply::Revoked {
            user_id,
            provider: "aws".into(),
            existed
        }),
        policy().prop_map(|policy| Reply::PolicyAdded { policy }),
        prop::collection::vec(policy(), many(60)).prop_map(|policies| Reply::Policies { policies }),
        any::<i64>().prop_map(|policy_id| Reply::PolicyRemoved { policy_id }),
        (text(), prop::collection::vec(history(), many(120)))
            .prop_map(|(project_id, entries)| Reply::History { project_id, entries }),
        whoami().prop_map(Reply::WhoAmI),
        preview().prop_map(Reply::Preview),
        (text(), quota()).prop_map(|(project_id, quota)| Reply::QuotaSet { project_id, quota }),
        text().prop_map(|message| Reply::Refused { message }),
        text().prop_map(|message| Reply::Error { message }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn every_reply_kind_renders_within_discords_limits(reply in reply(), page in 0usize..5) {
        let rendered = render::render_page(&reply, page);
        let message = serde_json::to_value(rendered.message()).unwrap();
        assert_within_limits(&message, &format!("{:?}", std::mem::discriminant(&reply)));
        let edit = serde_json::to_value(rendered.channel_edit()).unwrap();
        assert_within_limits(&edit, "channel edit");
        prop_assert!(rendered.embed.is_some(), "rendered natively, as an embed");
        prop_assert_eq!(rendered.ephemeral, reply.is_private());
        prop_assert_eq!(rendered.ephemeral, matches!(reply, Reply::Refused { .. } | Reply::Error { .. } | Reply::Preview(_)));

        // With its Previous/Next row (a list of several pages) and the CSV of the whole list.
        let source = pages::Source::of("cloud-list", &[("project_id".into(), "gcp-abc123".into())]).unwrap();
        let first = render::render_command(&reply, Some(&source));
        let message = serde_json::to_value(first.message()).unwrap();
        assert_within_limits(&message, "first page");
        let pages_of = pages::count(&reply);
        let rows = message["components"].as_array().cloned().unwrap_or_default();
        let page_rows: Vec<&Value> = rows
            .iter()
            .filter(|r| r["components"][0]["custom_id"].as_str().is_some_and(|id| id.starts_with("page:")))
            .collect();
        prop_assert_eq!(page_rows.len(), usize::from(pages_of > 1), "{} pages", pages_of);
        if let Reply::Preview(p) = &reply {
            // The whole diff is attached exactly when some of it is not in the embed.
            let shown = message_text_of(&message);
            let all_shown = p.files.iter().filter(|f| f.change != FileChange::Unchanged).all(|f| {
                let body = f.diff.replace("```", "`\u{200b}``");
                shown.contains(body.trim_end())
            });
            prop_assert_eq!(first.files.len(), usize::from(!all_shown), "the diff is attached when cut");
        } else {
            prop_assert_eq!(first.files.len(), usize::from(pages_of > 1), "the CSV comes with a long list");
        }
        let shown = render::render_list_page(&reply, page, Some(&source));
        let message = serde_json::to_value(shown.message()).unwrap();
        assert_within_limits(&message, "a later page");
        for row in message["components"].as_array().cloned().unwrap_or_default() {
            for b in row["components"].as_array().cloned().unwrap_or_default() {
                let id = b["custom_id"].as_str().unwrap();
                if let Some((_, target)) = pages::parse(id) {
                    prop_assert!(target < pages_of, "page {} of {}", target, pages_of);
                }
            }
        }
    }
}

/// A stack lobby lists its resources with their cost in one field, folded ("… N more") when a
/// template holds more than fits, and stays within every limit.
#[test]
fn a_stack_lobby_of_hundreds_of_resources_folds_within_discords_limits() {
    use cloud_chatops::domain::ResourceKind;
    use cloud_chatops::domain::validate::ItemCost;
    let mut lobby = huge_lobby();
    lobby.lobby = cloud_chatops::domain::LobbyKind::Stack;
    lobby.template = Some("web".into());
    lobby.verdict.items = (0..300)
        .map(|i| ItemCost {
            name: format!("{}-{i}", "shop".repeat(15)),
            kind: ResourceKind::ALL[i % ResourceKind::ALL.len()],
            size: Some("e2-standard-4".into()),
            hourly: Money::from_micros(33_500),
        })
        .collect();
    let message = serde_json::to_value(render::lobby_message(&lobby).message()).unwrap();
    assert_within_limits(&message, "stack lobby");
    let fields = message["embeds"][0]["fields"].as_array().unwrap();
    let resources = fields.iter().find(|f| f["name"] == "Resources").expect("a Resources field");
    let value = resources["value"].as_str().unwrap();
    assert!(value.contains("shop") && value.contains("$0.0335"), "{value}");
    assert!(value.contains("more"), "folded: {value}");
}
