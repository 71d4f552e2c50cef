//! What members see when things fail underneath: a Terraform root that cannot be written, a table
//! gone from the database. Every reply stays clear and carries no SQL, no host path and no trace.

use cloud_chatops::commands::{LobbyAction, Reply};
use sea_orm::ConnectionTrait;

use crate::harness::{ADMIN, USER, start};
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
