//! End to end: the real serenity client against a fake Discord (REST + gateway) on 127.0.0.1.

mod commands_agree;
#[path = "../common/pg.rs"]
mod common_pg;
mod day_one;
mod fake;
mod ops;
mod payloads;
mod process;
mod render_limits;
mod shards;

use std::sync::Arc;
use std::time::Duration;

use cloud_chatops::actors::supervisor::System;
use cloud_chatops::discord;
use cloud_chatops::domain::Catalog;
use cloud_chatops::settings::Settings;
use serde_json::{Value, json};

use fake::{Fake, Recorded};
use payloads::{ADMINISTRATOR, CHANNEL_ID, GUILD_ID, s, u};

const TOKEN: &str = "fake-bot-token-e2e";
const ADMIN: u64 = 222_222_222;
const USER: u64 = 111_111_111;
const NOBODY: u64 = 444_444_444;

struct Bot {
    fake: Fake,
    system: System,
    dir: tempfile::TempDir,
    next: u64,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    client: Option<tokio::task::JoinHandle<Result<(), discord::DiscordError>>>,
}

impl Bot {
    async fn start() -> Bot {
        Bot::start_with(discord::ACK_DEADLINE).await
    }

    async fn start_with(ack_deadline: Duration) -> Bot {
        // Short lobbies so the expiry edit shows within the test (the settings' floor is for production).
        Bot::start_on(Fake::start().await, tempfile::tempdir().unwrap(), ack_deadline, 3, |_| async {}).await
    }

    /// The bot on `fake` with its database and Terraform under `dir`; `before` runs on the database
    /// before the bot starts (sample data, fixtures).
    async fn start_on<F, Fut>(
        fake: Fake,
        dir: tempfile::TempDir,
        ack_deadline: Duration,
        lobby_secs: u64,
        before: F,
    ) -> Bot
    where
        F: FnOnce(sea_orm::DatabaseConnection) -> Fut,
        Fut: std::future::Future<Output = ()>,
    {
        let env = [
            ("DISCORD_TOKEN", TOKEN.to_owned()),
            ("DISCORD_API_BASE", fake.base.clone()),
            ("CHATOPS_DISCORD__GUILD_ID", GUILD_ID.to_string()),
            ("DATABASE_URL", format!("sqlite://{}?mode=rwc", dir.path().join("bot.db").display())),
            ("CHATOPS_TERRAFORM__OUTPUT_DIR", dir.path().join("tf").display().to_string()),
        ];
        let mut settings = Settings::load_from(
            std::path::Path::new("/nonexistent"),
            env.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect(),
        )
        .unwrap();
        settings.lobby.timeout_secs = lobby_secs;
        let db = cloud_chatops::store::open(&settings.database.url).await.unwrap();
        before(db.clone()).await;
        let identified = fake.identifies().await;
        let bot = discord::start(Arc::new(settings), db, Arc::new(Catalog::builtin())).await.unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let client = tokio::spawn(bot.client(ack_deadline, async move {
            let _ = stopped.await;
        }));
        let system = bot.system;
        fake.wait_identifies(identified + 1).await;
        Bot { fake, system, dir, next: 1_000, stop: Some(stop), client: Some(client) }
    }

    /// Stops the bot (client and actors) and starts it again on the same database and fake Discord.
    async fn restart(mut self, lobby_secs: u64) -> Bot {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(client) = self.client.take() {
            tokio::time::timeout(Duration::from_secs(10), client).await.expect("the client stops").unwrap().unwrap();
        }
        tokio::time::timeout(Duration::from_secs(10), self.system.shutdown()).await.expect("clean shutdown");
        let next = self.next;
        let mut bot = Bot::start_on(self.fake, self.dir, discord::ACK_DEADLINE, lobby_secs, |_| async {}).await;
        bot.next = next;
        bot
    }

    /// Sends a slash command and returns the callback the bot answered with.
    async fn slash(&mut self, user: u64, permissions: u64, name: &str, options: Value) -> Recorded {
        self.next += 10;
        let token = format!("tok-{}", self.next);
        self.fake
            .dispatch("INTERACTION_CREATE", payloads::command(self.next, &token, user, permissions, name, options))
            .await;
        self.callback(&token).await
    }

    async fn click(&mut self, user: u64, custom_id: &str, message: Value) -> (String, Recorded) {
        self.next += 10;
        let token = format!("tok-{}", self.next);
        self.fake.dispatch("INTERACTION_CREATE", payloads::click(self.next, &token, user, 0, custom_id, message)).await;
        let cb = self.callback(&token).await;
        (token, cb)
    }

    async fn callback(&self, token: &str) -> Recorded {
        let needle = format!("/{token}/callback");
        self.fake.wait_for(&format!("callback {token}"), |r| r.path.ends_with(&needle)).await
    }
}

/// Everything a member reads in a message: its content and its embeds' texts.
fn message_text(message: &Value) -> String {
    let mut out = message["content"].as_str().unwrap_or_default().to_owned();
    for embed in message["embeds"].as_array().into_iter().flatten() {
        for key in ["title", "description"] {
            out.push('\n');
            out.push_str(embed[key].as_str().unwrap_or_default());
        }
        for field in embed["fields"].as_array().into_iter().flatten() {
            out.push_str(&format!("\n{}: {}", field["name"].as_str().unwrap(), field["value"].as_str().unwrap()));
        }
        out.push('\n');
        out.push_str(embed["footer"]["text"].as_str().unwrap_or_default());
    }
    out
}

/// The text of an interaction callback's message.
fn content(r: &Recorded) -> String {
    message_text(&r.body["data"])
}

fn buttons(message: &Value) -> Vec<Value> {
    message["components"][0]["components"].as_array().cloned().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bot_runs_the_whole_flow_against_a_fake_discord() {
    let mut bot = Bot::start().await;

    // Commands are registered in the configured guild.
    let put = bot
        .fake
        .wait_for("command registration", |r| {
            r.method == "PUT" && r.path.ends_with(&format!("/guilds/{GUILD_ID}/commands"))
        })
        .await;
    let names: Vec<&str> = put.body.as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    for expected in
        ["cloud-init", "cloud-deploy", "cloud-list", "cloud-quota", "cloud-grant", "cloud-projects", "cloud-policy"]
    {
        assert!(names.contains(&expected), "{expected} not registered: {names:?}");
    }

    // A guild administrator creates a project and grants a member the CloudUser role.
    let init = bot
        .slash(
            ADMIN,
            ADMINISTRATOR,
            "cloud-init",
            json!([s("provider", "gcp"), s("project_name", "E2E API"), s("region", "us-central1")]),
        )
        .await;
    let text = content(&init);
    assert!(text.contains("Project created: gcp-"), "{text}");
    let start = text.find("gcp-").unwrap();
    let project = text[start..start + 10].to_owned();
    let grant = bot
        .slash(ADMIN, ADMINISTRATOR, "cloud-grant", json!([u("user", USER), s("provider", "gcp"), s("role", "user")]))
        .await;
    assert!(content(&grant).contains("CloudUser"), "{}", content(&grant));

    // Only guild administrators may grant: a member is refused privately.
    let denied =
        bot.slash(USER, 0, "cloud-grant", json!([u("user", USER), s("provider", "gcp"), s("role", "admin")])).await;
    assert_eq!(denied.body["data"]["flags"].as_u64().unwrap_or(0) & 64, 64, "ephemeral: {}", denied.body);

    // Autocomplete offers the guild's projects and the provider's machine types.
    bot.next += 10;
    let (id, token) = (bot.next, format!("tok-{}", bot.next));
    let mut auto = payloads::command(
        id,
        &token,
        USER,
        0,
        "cloud-deploy",
        json!([{ "name": "project_id", "type": 3, "value": &project[..5], "focused": true }]),
    );
    auto["type"] = json!(4);
    bot.fake.dispatch("INTERACTION_CREATE", auto).await;
    let choices = bot.callback(&token).await;
    assert_eq!(choices.body["type"], 8);
    let values: Vec<&str> =
        choices.body["data"]["choices"].as_array().unwrap().iter().map(|c| c["value"].as_str().unwrap()).collect();
    assert!(values.contains(&project.as_str()), "{values:?}");

    // The member opens a lobby: public, with both buttons.
    let deploy_options = |name: &str| {
        json!([
            s("project_id", &project),
            s("resource_type", "vm"),
            s("resource_name", name),
            s("machine_type", "e2-small")
        ])
    };
    let lobby = bot.slash(USER, 0, "cloud-deploy", deploy_options("web-e2e")).await;
    assert_eq!(lobby.body["type"], 4);
    assert_eq!(lobby.body["data"]["flags"].as_u64().unwrap_or(0) & 64, 0, "the lobby is public");
    let embed = &lobby.body["data"]["embeds"][0];
    assert!(embed["title"].as_str().unwrap().contains("web-e2e"), "{embed}");
    let row = buttons(&lobby.body["data"]);
    assert_eq!(row.len(), 3, "{row:?}");
    assert_eq!(row[2]["label"].as_str(), Some("View Terraform"));
    assert_eq!((row[0]["label"].as_str(), row[0]["style"].as_u64()), (Some("Approve & Deploy"), Some(3)));
    assert_eq!((row[1]["label"].as_str(), row[1]["style"].as_u64()), (Some("Cancel"), Some(4)));
    assert_ne!(row[0]["disabled"], true);
    let approve_id = row[0]["custom_id"].as_str().unwrap().to_owned();
    let token = lobby.path.split('/').rev().nth(1).unwrap().to_owned();
    let message = bot.fake.original(&token).await.expect("the lobby message");

    // A member without a role is refused privately; the lobby is unchanged.
    let (_, refused) = bot.click(NOBODY, &approve_id, message.clone()).await;
    assert_eq!(refused.body["type"], 4);
    assert_eq!(refused.body["data"]["flags"].as_u64().unwrap_or(0) & 64, 64, "ephemeral");
    assert_eq!(bot.fake.original(&token).await.unwrap()["components"], message["components"], "lobby unchanged");

    // The requester approves: the lobby is updated in place, buttons gone, Terraform written.
    let (_, approved) = bot.click(USER, &approve_id, message).await;
    assert_eq!(approved.body["type"], 7, "updates the lobby message");
    assert!(content(&approved).contains("Deployed"), "{}", content(&approved));
    assert_eq!(approved.body["data"]["components"], json!([]));
    let tf = bot.dir.path().join("tf").join(format!("terraform_gcp_{project}")).join("compute.tf");
    assert!(std::fs::read_to_string(&tf).unwrap().contains("web-e2e"));

    // /cloud-quota shows 1 of 10 instances, as a field of its embed.
    let quota = bot.slash(USER, 0, "cloud-quota", json!([s("project_id", &project)])).await;
    let fields = quota.body["data"]["embeds"][0]["fields"].as_array().unwrap().clone();
    let field = fields.iter().find(|f| f["name"].as_str().unwrap().contains("compute.instances")).unwrap();
    let line = field["value"].as_str().unwrap();
    assert!(line.contains("1 used") && line.contains("of 10"), "{line}");
    assert_eq!(quota.body["data"]["content"].as_str().unwrap_or_default(), "", "no console text");

    // A lobby left alone is edited to expired through the channel API, buttons removed.
    let idle = bot.slash(USER, 0, "cloud-deploy", deploy_options("web-idle")).await;
    let idle_token = idle.path.split('/').rev().nth(1).unwrap().to_owned();
    bot.fake.wait_for("the bot reading back the lobby", |r| r.method == "GET" && r.path.contains(&idle_token)).await;
    let idle_id: u64 = bot.fake.original(&idle_token).await.unwrap()["id"].as_str().unwrap().parse().unwrap();
    let edit_path = format!("/channels/{CHANNEL_ID}/messages/{idle_id}");
    let edit = bot.fake.wait_for("the expiry edit", |r| r.method == "PATCH" && r.path.ends_with(&edit_path)).await;
    assert!(message_text(&edit.body).contains("expired"), "{}", edit.body);
    assert_eq!(edit.body["components"], json!([]));

    // The token never appears in what the bot sent.
    for r in bot.fake.requests().await {
        assert!(!r.body.to_string().contains(TOKEN), "token leaked in {} {}", r.method, r.path);
    }
    tokio::time::timeout(Duration::from_secs(10), bot.system.shutdown()).await.expect("clean shutdown");
}

/// With a zero acknowledgement deadline every interaction takes the slow path: deferred at once,
/// then the reply edited in (or, for a refusal, replaced by a private follow-up).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_replies_are_deferred_then_edited_in() {
    let mut bot = Bot::start_with(Duration::ZERO).await;
    let project = "gcp-abc123";
    cloud_chatops::seed::load(
        &cloud_chatops::store::open(&format!("sqlite://{}?mode=rwc", bot.dir.path().join("bot.db").display()))
            .await
            .unwrap(),
        &cloud_chatops::settings::Settings::load_from(std::path::Path::new("/nonexistent"), Default::default())
            .unwrap()
            .quotas,
        &Catalog::builtin(),
    )
    .await
    .unwrap();

    let deploy = bot
        .slash(
            USER,
            0,
            "cloud-deploy",
            json!([s("project_id", project), s("resource_type", "vm"), s("resource_name", "slow-1")]),
        )
        .await;
    assert_eq!(deploy.body["type"], 5, "deferred: {}", deploy.body);
    let token = deploy.path.split('/').rev().nth(1).unwrap().to_owned();
    let edit = bot.fake.wait_for("the deferred edit", |r| r.method == "PATCH" && r.path.contains(&token)).await;
    assert_eq!(buttons(&edit.body).len(), 3, "the lobby is edited in: {}", edit.body);
    let message = bot.fake.original(&token).await.unwrap();
    let approve_id = buttons(&message)[0]["custom_id"].as_str().unwrap().to_owned();

    // A refusal after a public deferral is deleted and sent privately instead.
    let refused = bot.slash(USER, 0, "cloud-policy", json!([{ "name": "list", "type": 1, "options": [] }])).await;
    assert_eq!(refused.body["type"], 5);
    let token = refused.path.split('/').rev().nth(1).unwrap().to_owned();
    bot.fake.wait_for("the deletion", |r| r.method == "DELETE" && r.path.contains(&token)).await;
    let followup = bot.fake.wait_for("the private follow-up", |r| r.method == "POST" && r.path.ends_with(&token)).await;
    assert_eq!(followup.body["flags"].as_u64().unwrap_or(0) & 64, 64, "{}", followup.body);

    // A slow click is acknowledged, then the lobby edited in place.
    let (click_token, ack) = bot.click(USER, &approve_id, message).await;
    assert_eq!(ack.body["type"], 6, "deferred update: {}", ack.body);
    let edit = bot.fake.wait_for("the click's edit", |r| r.method == "PATCH" && r.path.contains(&click_token)).await;
    assert!(message_text(&edit.body).contains("Deployed"), "{}", edit.body);
    tokio::time::timeout(Duration::from_secs(10), bot.system.shutdown()).await.expect("clean shutdown");
}
