//! `cloud-chatops demo`: a scripted tour on a fresh temporary database — the sample data, a deploy
//! that is approved (and its Terraform), a quota-exceeded request, a permission denial and a lobby
//! that expires. It drives the same command layer as the console and Discord.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};

use crate::actors::supervisor::{System, SystemArgs};
use crate::commands::{Command, Invoker, LobbyAction, Press, Reply, Services, execute};
use crate::console::{ConsoleNotifier, parse_line, render};
use crate::settings::Settings;
use crate::{console::Line, seed, store};

/// Lifetime of the demo's lobbies, so the expiry shows within seconds.
const DEMO_LOBBY_SECS: u64 = 2;

/// Runs the tour; fails if a step does not end the way the tour says it does.
pub async fn run(mut settings: Settings) -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!("cloud-chatops-demo-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).context("cannot create the demo directory")?;
    settings.database.url = format!("sqlite://{}?mode=rwc", dir.join("demo.db").display());
    settings.terraform.output_dir = dir.join("terraform");
    settings.lobby.timeout_secs = DEMO_LOBBY_SECS;
    let result = tour(settings).await;
    std::fs::remove_dir_all(&dir).ok();
    result
}

async fn tour(settings: Settings) -> anyhow::Result<()> {
    let catalog = Arc::new(settings.catalog()?);
    let db = store::open(&settings.database.url).await?;
    println!("# 1. Sample data (guild {}, project {})", seed::GUILD_ID, seed::PROJECT_ID);
    for line in seed::load(&db, &settings.quotas, &catalog).await? {
        println!("  created {line}");
    }
    let output_dir = settings.terraform.output_dir.clone();
    let (notifier, mut updates) = ConsoleNotifier::new();
    let system = System::start(SystemArgs { db: db.clone(), settings: Arc::new(settings), catalog, notifier }).await?;
    let s = &system.services;
    let user = Invoker { user_id: seed::USER_ID, guild_id: seed::GUILD_ID, channel_id: 1, is_guild_admin: false };
    let viewer = Invoker { user_id: seed::VIEWER_ID, ..user };

    println!("\n# 2. CloudUser {} deploys an e2-small and approves it", seed::USER_ID);
    let lobby = step(
        s,
        user,
        "/cloud-deploy project_id:gcp-abc123 resource_type:vm resource_name:web-server-04 machine_type:e2-small",
    )
    .await?;
    let deployed = press(s, user, &lobby, LobbyAction::Approve).await?;
    let Reply::Deployed(view) = &deployed else { bail!("the approval did not deploy") };
    if let Some(tf) = &view.terraform_dir {
        let compute = std::fs::read_to_string(output_dir.join(tf).join("compute.tf")).unwrap_or_default();
        println!(
            "  compute.tf begins:\n{}",
            compute.lines().take(12).map(|l| format!("    {l}")).collect::<Vec<_>>().join("\n")
        );
    }
    step(s, user, "/cloud-quota project_id:gcp-abc123").await?;

    println!("\n# 3. A request for 10 more VMs exceeds the quota");
    let denied = step(
        s,
        user,
        "/cloud-deploy project_id:gcp-abc123 resource_type:vm resource_name:batch machine_type:e2-micro count:10",
    )
    .await?;
    expect_denied(&denied, "quota")?;
    press(s, user, &denied, LobbyAction::Cancel).await?;

    println!("\n# 4. CloudViewer {} may not create VMs", seed::VIEWER_ID);
    let viewer_lobby =
        step(s, viewer, "/cloud-deploy project_id:gcp-abc123 resource_type:vm resource_name:test-vm").await?;
    expect_denied(&viewer_lobby, "can_create_vm")?;
    press(s, viewer, &viewer_lobby, LobbyAction::Cancel).await?;

    println!("\n# 5. A lobby left alone expires after {DEMO_LOBBY_SECS} s and gives its quota back");
    step(
        s,
        user,
        "/cloud-deploy project_id:gcp-abc123 resource_type:vm resource_name:web-server-05 machine_type:e2-micro",
    )
    .await?;
    let update = tokio::time::timeout(Duration::from_secs(DEMO_LOBBY_SECS + 10), updates.recv())
        .await
        .context("the lobby did not expire in time")?
        .context("the notifier closed")?;
    println!("{}", indent(&render(&update, false)));
    step(s, user, "/cloud-quota project_id:gcp-abc123").await?;

    system.shutdown().await;
    db.close().await.ok();
    println!("\ndemo finished");
    Ok(())
}

async fn step(services: &Services, invoker: Invoker, line: &str) -> anyhow::Result<Reply> {
    println!("> {line}");
    let Ok(Line::Command(command)) = parse_line(line) else { bail!("demo line does not parse: {line}") };
    let reply = execute(services, invoker, command).await;
    println!("{}", indent(&render(&reply, false)));
    if let Reply::Error { message } = &reply {
        bail!("demo step failed: {message}");
    }
    Ok(reply)
}

async fn press(services: &Services, invoker: Invoker, lobby: &Reply, action: LobbyAction) -> anyhow::Result<Reply> {
    let Reply::Lobby(view) = lobby else { bail!("expected a lobby") };
    let verb = if action == LobbyAction::Approve { "approve" } else { "cancel" };
    println!("> {verb} {}", view.session_id);
    let reply = execute(services, invoker, Command::Press(Press { session_id: view.session_id, action })).await;
    println!("{}", indent(&render(&reply, false)));
    Ok(reply)
}

fn expect_denied(reply: &Reply, needle: &str) -> anyhow::Result<()> {
    match reply {
        Reply::Lobby(l)
            if !l.can_approve
                && l.verdict.violations.iter().any(|v| v.rule.contains(needle) || v.message.contains(needle)) =>
        {
            Ok(())
        }
        _ => bail!("expected a denial mentioning {needle}"),
    }
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("  {l}")).collect::<Vec<_>>().join("\n")
}
