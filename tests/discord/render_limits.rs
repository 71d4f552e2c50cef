//! The lobby embed stays inside Discord's limits for the largest verdict the validator can produce.

use cloud_chatops::commands::LobbyView;
use cloud_chatops::discord::{custom_id, render};
use cloud_chatops::domain::validate::{Effect, Outcome, QuotaLine, Verdict, Violation};
use cloud_chatops::domain::{Money, QuotaType, SessionStatus};
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
        template: None,
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
