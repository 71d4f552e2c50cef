//! What members see when things fail underneath: a Terraform root that cannot be written, a table
//! gone from the database. Every reply stays clear and carries no SQL, no host path and no trace.

use cloud_chatops::commands::{LobbyAction, Reply};
use sea_orm::ConnectionTrait;

use crate::harness::{ADMIN, GUILD_ADMIN, USER, start};
use crate::support::{each_backend, settings};

/// Text that must never reach a member, whatever failed.
const FORBIDDEN: &[&str] = &[
    "SELECT",
    "INSERT",
    "UPDATE ",
    "DELETE",
    " FROM ",
    "WHERE",
    "sqlx",
    "SQLITE",
    "sqlite",
    "postgres",
    "no such table",
    "relation",
    "error returned from database",
    "Query Error",
    "/tmp",
    "/work",
    "/home",
    "/root",
    ".rs:",
    "panicked",
    "backtrace",
    "os error",
];

fn leaks(reply: &Reply, extra: &str) -> Vec<String> {
    let text = serde_json::to_string(reply).unwrap();
    FORBIDDEN
        .iter()
        .copied()
        .chain([extra])
        .filter(|bad| text.contains(bad))
        .map(|bad| format!("{bad}: {text}"))
        .collect()
}

#[tokio::test]
async fn failures_underneath_reach_members_as_clean_messages() {
    each_backend(|db| async move {
        let app = start(db, settings()).await;
        let root = app.terraform.to_string_lossy().into_owned();
        let mut replies = Vec::new();

        // The Terraform root becomes a file: the approval is refused before it commits anything.
        std::fs::remove_dir_all(&app.terraform).unwrap();
        std::fs::write(&app.terraform, "not a directory").unwrap();
        let lobby = app.open_vm(USER, "web-warn", "e2-small").await;
        let refused = app.press(USER, lobby.session_id, LobbyAction::Approve).await;
        let Reply::Refused { message } = &refused else { panic!("{refused:?}") };
        assert!(message.contains("cannot be written, so nothing was approved"), "{message}");
        assert_eq!(app.status(lobby.session_id).await, "pending", "nothing consumed; the lobby stays open");
        replies.push(refused);

        // A table disappears: reads and writes that need it fail, clearly.
        let pending = app.open_vm(USER, "web-pending", "e2-micro").await;
        app.db.db.execute_unprepared("DROP TABLE cloud_resources").await.unwrap();
        for line in [
            "/cloud-list project_id:gcp-abc123",
            "/cloud-deploy project_id:gcp-abc123 resource_type:vm resource_name:web-x machine_type:e2-small",
            "/cloud-quota project_id:gcp-ffffff",
            "/cloud-deploy project_id:gcp-abc123 resource_type:vm resource_name:UPPER_case!",
        ] {
            replies.push(app.run(USER, line).await);
        }
        replies.push(app.press(ADMIN, pending.session_id, LobbyAction::Approve).await);

        let errors = replies.iter().filter(|r| matches!(r, Reply::Error { .. })).count();
        assert!(errors >= 4, "the failures were real: {replies:#?}");
        assert!(
            replies
                .iter()
                .any(|r| matches!(r, Reply::Error { message } if message.contains("database is unavailable"))),
            "{replies:#?}"
        );
        let leaked: Vec<String> = replies.iter().flat_map(|r| leaks(r, &root)).collect();
        assert!(leaked.is_empty(), "{}: {leaked:#?}", app.db.backend);
        app.stop().await
    })
    .await;
}

/// Names the cloud would take for one it has already, refused at open with a clear message
/// (issue 29 item 3): on Azure a name that differs from a deployed one only in case, and on every
/// cloud one of the generator's own physical names (`chatops-<project>-<region>`).
#[tokio::test]
async fn names_the_cloud_treats_as_taken_are_refused_at_open() {
    each_backend(|db| async move {
        let app = start(db, settings()).await;
        let init = app.run(GUILD_ADMIN, "/cloud-init provider:azure project_name:\"Case Test\" region:eastus").await;
        let Reply::ProjectCreated { project } = init else { panic!("{init:?}") };
        let deploy =
            |name: &str| format!("/cloud-deploy project_id:{} resource_type:vm resource_name:{name}", project.id);
        let Reply::Lobby(first) = app.run(GUILD_ADMIN, &deploy("Web-01")).await else { panic!("Web-01 should open") };
        let approved = app.press(GUILD_ADMIN, first.session_id, LobbyAction::Approve).await;
        assert!(matches!(approved, Reply::Deployed(_)), "{approved:?}");
        for twin in ["web-01", "WEB-01"] {
            let refused = app.run(GUILD_ADMIN, &deploy(twin)).await;
            let (Reply::Refused { message } | Reply::Error { message }) = &refused else {
                panic!("{twin} opened: {refused:?}")
            };
            assert!(message.contains("only in case"), "{twin}: {message}");
        }
        let other = app.run(GUILD_ADMIN, &deploy("web-02")).await;
        assert!(matches!(other, Reply::Lobby(_)), "a different name still opens: {other:?}");

        let own = format!("chatops-{}-eastus", project.id);
        let line = format!("/cloud-deploy project_id:{} resource_type:network resource_name:{own}", project.id);
        let refused = app.run(GUILD_ADMIN, &line).await;
        let (Reply::Refused { message } | Reply::Error { message }) = &refused else {
            panic!("{own} opened: {refused:?}")
        };
        assert!(message.contains("generator"), "{message}");
        let line =
            "/cloud-deploy project_id:gcp-abc123 resource_type:network resource_name:chatops-gcp-abc123-us-central1";
        let refused = app.run(USER, line).await;
        let (Reply::Refused { message } | Reply::Error { message }) = &refused else {
            panic!("the GCP network opened: {refused:?}")
        };
        assert!(message.contains("generator"), "{message}");
        app.stop().await
    })
    .await;
}

/// AWS names databases, load balancers and EKS clusters per account and region: the lobby shows
/// the name with the project's suffix, approval writes it, and a name too long to carry the suffix
/// is refused at open (never cut, which could make two names one).
#[tokio::test]
async fn aws_names_unique_per_account_carry_the_project_suffix_and_too_long_ones_are_refused() {
    each_backend(|db| async move {
        let app = start(db, settings()).await;
        let init = app.run(GUILD_ADMIN, "/cloud-init provider:aws project_name:\"Names\" region:us-east-1").await;
        let Reply::ProjectCreated { project } = init else { panic!("{init:?}") };
        let hex = project.id.rsplit('-').next().unwrap().to_owned();
        let deploy = |kind: &str, name: &str| {
            format!("/cloud-deploy project_id:{} resource_type:{kind} resource_name:{name}", project.id)
        };
        let long = "e".repeat(26);
        let refused = app.run(GUILD_ADMIN, &deploy("load_balancer", &long)).await;
        let (Reply::Refused { message } | Reply::Error { message }) = &refused else {
            panic!("a 26-character load balancer opened: {refused:?}")
        };
        assert!(message.contains("leaves 25 characters") && message.contains(&hex), "{message}");
        let Reply::Lobby(lobby) = app.run(GUILD_ADMIN, &deploy("database", "orders")).await else {
            panic!("orders should open")
        };
        assert_eq!(lobby.written_as, [("orders".to_owned(), format!("orders-{hex}"))]);
        let approved = app.press(GUILD_ADMIN, lobby.session_id, LobbyAction::Approve).await;
        assert!(matches!(approved, Reply::Deployed(_)), "{approved:?}");
        let file = app.terraform.join(format!("terraform_aws_{}", project.id)).join("database.tf");
        let written = std::fs::read_to_string(&file).unwrap();
        assert!(written.contains(&format!("identifier                          = \"orders-{hex}\"")), "{written}");
        app.stop().await
    })
    .await;
}
