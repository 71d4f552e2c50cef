//! The "done when", end to end with the real serenity client: every command and button, no
//! reply in console text; a 60-resource list paginates, with its CSV, and its Next button works after
//! a restart; View Terraform shows the new block before approval and nothing is written until then;
//! autocomplete offers live resource names; a CloudUser denied e2-standard-8 is offered a medium type.

use std::time::Duration;

use cloud_chatops::domain::{Money, Provider, ResourceKind};
use cloud_chatops::store::resources::NewResource;
use cloud_chatops::{discord, seed, store};
use serde_json::{Value, json};

use super::fake::{Fake, Recorded};
use super::payloads::{self, ADMINISTRATOR, s, u};
use super::{Bot, content};

const USER: u64 = seed::USER_ID as u64;
const ADMIN: u64 = seed::ADMIN_ID as u64;
const PROJECT: &str = seed::PROJECT_ID;

/// Every button of a message, over all its rows.
fn all_buttons(message: &Value) -> Vec<Value> {
    let rows = message["components"].as_array().cloned().unwrap_or_default();
    rows.iter().flat_map(|r| r["components"].as_array().cloned().unwrap_or_default()).collect()
}

fn button(message: &Value, label: &str) -> Value {
    all_buttons(message)
        .into_iter()
        .find(|b| b["label"].as_str().is_some_and(|l| l.contains(label)))
        .unwrap_or_else(|| panic!("no {label} button in {message}"))
}

fn flags(r: &Recorded) -> u64 {
    r.body["data"]["flags"].as_u64().unwrap_or(0)
}

/// A reply as Discord users expect it: an embed, no console text.
fn native(what: &str, r: &Recorded) {
    let data = &r.body["data"];
    let text = data["content"].as_str().unwrap_or_default();
    assert!(text.is_empty(), "{what}: console text in the content: {text}");
    assert!(data["embeds"].as_array().is_some_and(|e| !e.is_empty()), "{what}: no embed: {}", r.body);
    let shown = content(r);
    for console in ["refused: ", "error: ", "quota of ", "resource(s) in ", "  actions: "] {
        assert!(!shown.starts_with(console), "{what}: reads like the console: {shown}");
    }
}

fn token_of(r: &Recorded) -> String {
    r.path.split('/').rev().nth(1).unwrap().to_owned()
}

impl Bot {
    async fn autocomplete(&mut self, user: u64, permissions: u64, name: &str, options: Value) -> Vec<(String, Value)> {
        self.next += 10;
        let token = format!("tok-{}", self.next);
        let mut auto = payloads::command(self.next, &token, user, permissions, name, options);
        auto["type"] = json!(4);
        self.fake.dispatch("INTERACTION_CREATE", auto).await;
        let r = self.callback(&token).await;
        assert_eq!(r.body["type"], 8);
        let choices = r.body["data"]["choices"].as_array().cloned().unwrap_or_default();
        assert!(choices.len() <= 25);
        choices.iter().map(|c| (c["name"].as_str().unwrap().to_owned(), c["value"].clone())).collect()
    }
}

async fn fixtures(db: sea_orm::DatabaseConnection) {
    let settings =
        cloud_chatops::settings::Settings::load_from(std::path::Path::new("/nonexistent"), Default::default()).unwrap();
    seed::load(&db, &settings.quotas, &cloud_chatops::domain::Catalog::builtin()).await.unwrap();
    for i in 0..60 {
        store::resources::create(
            &db,
            NewResource {
                project_id: PROJECT.into(),
                provider: Provider::Gcp,
                kind: ResourceKind::Storage,
                name: format!("e2e-bucket-{i:02}"),
                region: "us-central1".into(),
                config: json!({}),
                hourly_cost: Money::from_micros(1_000),
                created_by: seed::ADMIN_ID,
                session_id: None,
            },
        )
        .await
        .unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_command_and_button_answers_natively_and_pages_survive_a_restart() {
    let (fake, dir) = (Fake::start().await, tempfile::tempdir().unwrap());
    let mut bot = Bot::start_on(fake, dir, discord::ACK_DEADLINE, 600, fixtures).await;

    // A 63-resource list: page 1 of 4, Previous/Next, and the CSV of every resource.
    let list = bot.slash(USER, 0, "cloud-list", json!([s("project_id", PROJECT)])).await;
    native("/cloud-list", &list);
    let text = content(&list);
    assert!(text.contains("page 1 of 4") && text.contains("63 item(s)"), "{text}");
    let files = list.body["_files"].as_array().cloned().unwrap_or_default();
    assert_eq!(files.len(), 1, "the CSV is attached: {}", list.body);
    let csv = files[0]["content"].as_str().unwrap();
    assert_eq!(csv.lines().count(), 64, "a header and every resource");
    assert!(csv.contains("e2e-bucket-59"));
    let message = bot.fake.original(&token_of(&list)).await.unwrap();
    assert_eq!(button(&message, "Previous")["disabled"], true);
    let next_id = button(&message, "Next")["custom_id"].as_str().unwrap().to_owned();

    // The bot restarts; the Next button of the old message still works.
    let mut bot = bot.restart(600).await;
    let (_, page) = bot.click(USER, &next_id, message.clone()).await;
    assert_eq!(page.body["type"], 7, "the list message is updated in place: {}", page.body);
    native("Next", &page);
    assert!(content(&page).contains("page 2 of 4"), "{}", content(&page));
    let prev_id = button(&page.body["data"], "Previous")["custom_id"].as_str().unwrap().to_owned();
    let (_, back) = bot.click(USER, &prev_id, message.clone()).await;
    assert!(content(&back).contains("page 1 of 4"), "{}", content(&back));
    // A member without a role clicking the same button is refused privately.
    let (_, refused) = bot.click(444_444_444, &next_id, message).await;
    assert_eq!((refused.body["type"].as_u64(), flags(&refused) & 64), (Some(4), 64), "{}", refused.body);

    // Autocomplete offers the project's live resources for destroy, labelled, filtered.
    let names = bot
        .autocomplete(
            ADMIN,
            0,
            "cloud-destroy",
            json!([s("project_id", PROJECT), { "name": "resource_name", "type": 3, "value": "api-server", "focused": true }]),
        )
        .await;
    let values: Vec<&str> = names.iter().map(|(_, v)| v.as_str().unwrap()).collect();
    assert_eq!(values, ["api-server-01", "api-server-02"], "{names:?}");
    assert!(names[0].0.contains("e2-medium") && names[0].0.contains("/h"), "{names:?}");
    let sizes = bot
        .autocomplete(
            USER,
            0,
            "cloud-deploy",
            json!([s("project_id", PROJECT), { "name": "machine_type", "type": 3, "value": "e2-med", "focused": true }]),
        )
        .await;
    assert!(sizes.iter().any(|(l, v)| v == "e2-medium" && l.contains("2 vCPU, 4 GB") && l.contains("$")), "{sizes:?}");
    let templates = bot
        .autocomplete(
            USER,
            0,
            "cloud-stack",
            json!([s("project_id", PROJECT), { "name": "template", "type": 3, "value": "we", "focused": true }]),
        )
        .await;
    assert!(templates.iter().any(|(l, v)| v == "web" && l.starts_with("web · ")), "{templates:?}");
    assert!(templates.iter().all(|(_, v)| v.as_str().unwrap().contains("we")), "filtered: {templates:?}");

    // The lobby's View Terraform: the new block before approval, privately; nothing written yet.
    let compute = bot.dir.path().join("tf").join(format!("terraform_gcp_{PROJECT}")).join("compute.tf");
    let before = std::fs::read_to_string(&compute).unwrap();
    let deploy = json!([
        s("project_id", PROJECT),
        s("resource_type", "vm"),
        s("resource_name", "e2e-preview"),
        s("machine_type", "e2-small")
    ]);
    let lobby = bot.slash(USER, 0, "cloud-deploy", deploy).await;
    native("/cloud-deploy", &lobby);
    let lobby_message = bot.fake.original(&token_of(&lobby)).await.unwrap();
    let view_id = button(&lobby_message, "View Terraform")["custom_id"].as_str().unwrap().to_owned();
    let (_, shown) = bot.click(USER, &view_id, lobby_message.clone()).await;
    assert_eq!((shown.body["type"].as_u64(), flags(&shown) & 64), (Some(4), 64), "private: {}", shown.body);
    native("View Terraform", &shown);
    let diff = content(&shown);
    assert!(diff.contains("compute.tf (changed)") && diff.contains("+") && diff.contains("e2e-preview"), "{diff}");
    assert_eq!(std::fs::read_to_string(&compute).unwrap(), before, "nothing is written by a preview");
    let (_, approved) =
        bot.click(USER, button(&lobby_message, "Approve")["custom_id"].as_str().unwrap(), lobby_message).await;
    assert_eq!(approved.body["type"], 7);
    native("Approve", &approved);
    assert!(std::fs::read_to_string(&compute).unwrap().contains("e2e-preview"), "written on approval");

    // A CloudUser denied e2-standard-8 is offered a medium machine type with its price.
    let big = json!([
        s("project_id", PROJECT),
        s("resource_type", "vm"),
        s("resource_name", "e2e-big"),
        s("machine_type", "e2-standard-8")
    ]);
    let denied = bot.slash(USER, 0, "cloud-deploy", big).await;
    native("denied /cloud-deploy", &denied);
    let text = content(&denied);
    assert!(text.contains("Nearest allowed: e2-standard-2 in us-central1 at $0.0670/h"), "{text}");
    let denied_message = bot.fake.original(&token_of(&denied)).await.unwrap();
    let (_, cancelled) =
        bot.click(USER, button(&denied_message, "Cancel")["custom_id"].as_str().unwrap(), denied_message).await;
    native("Cancel", &cancelled);

    // Every other command answers with an embed (refusals and errors privately).
    let commands: Vec<(u64, u64, &str, Value)> = vec![
        (ADMIN, ADMINISTRATOR, "cloud-init", json!([s("provider", "aws"), s("project_name", "E2E Two")])),
        (USER, 0, "cloud-quota", json!([s("project_id", PROJECT)])),
        (USER, 0, "cloud-projects", json!([])),
        (USER, 0, "cloud-history", json!([s("project_id", PROJECT)])),
        (USER, 0, "cloud-whoami", json!([])),
        (ADMIN, ADMINISTRATOR, "cloud-grant", json!([u("user", 555), s("provider", "gcp"), s("role", "viewer")])),
        (ADMIN, ADMINISTRATOR, "cloud-revoke", json!([u("user", 555), s("provider", "gcp")])),
        (
            ADMIN,
            ADMINISTRATOR,
            "cloud-quota-set",
            json!([s("project_id", PROJECT), s("quota_type", "storage.buckets"), { "name": "limit", "type": 10, "value": 100.0 }]),
        ),
        (
            ADMIN,
            ADMINISTRATOR,
            "cloud-policy",
            json!([{ "name": "add", "type": 1, "options": [s("name", "e2e-cost"), s("policy_type", "cost"), { "name": "max_cost_per_hour", "type": 10, "value": 5.0 }] }]),
        ),
        (ADMIN, ADMINISTRATOR, "cloud-policy", json!([{ "name": "list", "type": 1, "options": [] }])),
        (
            ADMIN,
            0,
            "cloud-resize",
            json!([s("project_id", PROJECT), s("resource_name", "worker-01"), s("machine_type", "e2-medium")]),
        ),
        (ADMIN, 0, "cloud-destroy", json!([s("project_id", PROJECT), s("resource_name", "e2e-bucket-00")])),
        (
            USER,
            0,
            "cloud-quota-set",
            json!([s("project_id", PROJECT), s("quota_type", "storage.buckets"), { "name": "limit", "type": 10, "value": 1.0 }]),
        ),
        (USER, 0, "cloud-history", json!([s("project_id", "gcp-000000")])),
    ];
    let refused_at = commands.len() - 2;
    for (i, (user, permissions, name, options)) in commands.into_iter().enumerate() {
        let r = bot.slash(user, permissions, name, options.clone()).await;
        native(name, &r);
        let private = flags(&r) & 64 == 64;
        assert_eq!(private, i >= refused_at, "{name} {options}: {}", content(&r));
        let is_refusal = content(&r).contains("Not allowed") || content(&r).contains("Could not do that");
        assert_eq!(private, is_refusal, "{name} {options}: refusals and errors only are private: {}", content(&r));
    }
    let history = bot.slash(USER, 0, "cloud-history", json!([s("project_id", PROJECT)])).await;
    assert!(content(&history).contains("quota-set: success"), "{}", content(&history));
    let policies =
        bot.slash(ADMIN, ADMINISTRATOR, "cloud-policy", json!([{ "name": "list", "type": 1, "options": [] }])).await;
    assert!(content(&policies).contains("at most $5.0000/h"), "policies with their values: {}", content(&policies));
    let id_choices = bot
        .autocomplete(
            ADMIN,
            ADMINISTRATOR,
            "cloud-policy",
            json!([{ "name": "remove", "type": 1, "options": [{ "name": "policy_id", "type": 4, "value": "", "focused": true }] }]),
        )
        .await;
    let e2e_cost = id_choices.iter().find(|(l, _)| l.contains("e2e-cost")).expect("the new policy is offered");
    let remove =
        json!([{ "name": "remove", "type": 1, "options": [{ "name": "policy_id", "type": 4, "value": e2e_cost.1 }] }]);
    let removed = bot.slash(ADMIN, ADMINISTRATOR, "cloud-policy", remove).await;
    native("/cloud-policy remove", &removed);
    assert!(content(&removed).contains("removed"), "{}", content(&removed));

    for r in bot.fake.requests().await {
        assert!(!r.body.to_string().contains(super::TOKEN), "token leaked in {} {}", r.method, r.path);
    }
    tokio::time::timeout(Duration::from_secs(10), bot.system.shutdown()).await.expect("clean shutdown");
}
