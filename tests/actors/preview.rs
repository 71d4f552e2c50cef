//! The lobby's Terraform before approval (`preview`, "View Terraform"): a diff against the files on
//! disk that writes nothing; and what it renders is exactly what approval then writes, for a
//! deploy of several, a database, a resize, a destroy, and a protected resource's two destroys.

use std::sync::Arc;

use cloud_chatops::commands::{Command, Invoker, LobbyAction, Preview, Reply, execute};
use cloud_chatops::domain::Catalog;
use cloud_chatops::store;
use cloud_chatops::store::spec::StoreSpecSource;
use cloud_chatops::terraform::preview::{FileChange, apply_plan};
use cloud_chatops::terraform::{GeneratorSettings, SpecSource, read_generated, render};
use uuid::Uuid;

use crate::harness::{ADMIN, App, STRANGER, USER, VIEWER, start};
use crate::support::{each_backend, settings};

const DIR: &str = "terraform_gcp_gcp-abc123";

async fn preview(app: &App, who: Invoker, session_id: Uuid) -> Reply {
    execute(&app.system.services, who, Command::Preview(Preview { session_id })).await
}

/// What the preview renders for a lobby, computed from its stored row as the command does.
async fn previewed_files(app: &App, session_id: Uuid) -> Vec<cloud_chatops::terraform::RenderedFile> {
    let row = store::sessions::get(&app.db.db, session_id).await.unwrap();
    let (plan, verdict) = store::sessions::plan_of(&row).unwrap();
    let catalog = Arc::new(Catalog::builtin());
    let source = StoreSpecSource::new(app.db.db.clone(), catalog.clone(), GeneratorSettings::default());
    let spec = source.load("gcp-abc123").await.unwrap();
    render(&apply_plan(&spec, &plan, &verdict, &catalog).unwrap()).unwrap()
}

fn on_disk(app: &App) -> Vec<cloud_chatops::terraform::RenderedFile> {
    read_generated(&app.terraform.join(DIR)).unwrap().expect("the sample project's Terraform is written at start")
}

#[tokio::test]
async fn the_preview_shows_the_new_block_and_writes_nothing() {
    each_backend(|db| async move {
        let app = start(db, settings()).await;
        let before = on_disk(&app);
        let lobby = app.open_vm(USER, "preview-web", "e2-small").await;
        let reply = preview(&app, USER, lobby.session_id).await;
        let Reply::Preview(p) = &reply else { panic!("{reply:?}") };
        assert!(reply.is_private(), "only the member sees it");
        assert_eq!(p.dir, DIR);
        let compute = p.files.iter().find(|f| f.name == "compute.tf").unwrap();
        assert_eq!(compute.change, FileChange::Changed);
        assert!(
            compute.diff.lines().any(|l| l.starts_with('+') && l.contains("\"preview-web\"")),
            "the new resource's block: {}",
            compute.diff
        );
        assert!(!compute.diff.lines().any(|l| l.starts_with('-') && !l.starts_with("---")), "only additions");
        assert!(p.files.iter().any(|f| f.name == "versions.tf" && f.change == FileChange::Unchanged));
        assert_eq!(on_disk(&app), before, "a preview writes nothing");

        // A viewer of the provider may look; a member without a role may not; another guild's id is unknown.
        assert!(matches!(preview(&app, VIEWER, lobby.session_id).await, Reply::Preview(_)));
        assert!(matches!(preview(&app, STRANGER, lobby.session_id).await, Reply::Refused { .. }));
        let elsewhere = Invoker { guild_id: 1, ..USER };
        assert!(matches!(preview(&app, elsewhere, lobby.session_id).await, Reply::Error { .. }));

        let approved = app.press(USER, lobby.session_id, LobbyAction::Approve).await;
        assert!(matches!(approved, Reply::Deployed(_)), "{approved:?}");
        let ended = preview(&app, USER, lobby.session_id).await;
        assert!(matches!(&ended, Reply::Error { message } if message.contains("approved")), "{ended:?}");
        app.stop().await
    })
    .await;
}

#[tokio::test]
async fn what_the_preview_renders_is_what_approval_writes() {
    each_backend(|db| async move {
        let app = start(db, settings()).await;
        // A second administrator approves what a CloudAdmin asks for (policies may want another one).
        let other = Invoker { user_id: 555_555_555, is_guild_admin: true, ..ADMIN };
        app.discord_says_admin(other, true);
        let lines = [
            (USER, USER, "/cloud-deploy project_id:gcp-abc123 resource_type:vm resource_name:batch machine_type:e2-small count:2"),
            (USER, USER, "/cloud-deploy project_id:gcp-abc123 resource_type:database resource_name:orders-db"),
            (ADMIN, other, "/cloud-resize project_id:gcp-abc123 resource_name:worker-01 machine_type:e2-medium"),
            (ADMIN, other, "/cloud-destroy project_id:gcp-abc123 resource_name:api-server-02"),
            // A protected database: the first destroy decommissions it, the second removes it.
            (ADMIN, other, "/cloud-destroy project_id:gcp-abc123 resource_name:orders-db resource_type:database"),
            (ADMIN, other, "/cloud-destroy project_id:gcp-abc123 resource_name:orders-db resource_type:database"),
        ];
        for (who, approver, line) in lines {
            let reply = app.run(who, line).await;
            let Reply::Lobby(lobby) = reply else { panic!("{line}: {reply:?}") };
            let expected = previewed_files(&app, lobby.session_id).await;
            let approved = app.press(approver, lobby.session_id, LobbyAction::Approve).await;
            assert!(approved.approval().is_some(), "{line}: {approved:?}");
            assert_eq!(on_disk(&app), expected, "{line}: approval wrote what the preview showed");
        }
        app.stop().await
    })
    .await;
}
