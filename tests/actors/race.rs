use cloud_chatops::commands::{LobbyAction, Reply};
use cloud_chatops::domain::validate::Outcome;

use crate::harness::{ADMIN, USER, start};
use crate::support::{each_backend, settings};

/// 100 members race for the last 3 instances: exactly 3 lobbies can be approved.
#[tokio::test]
async fn a_hundred_lobbies_race_for_the_last_three_instances() {
    each_backend(|db| async move {
        let app = std::sync::Arc::new(start(db, settings()).await);
        // The sample project has 3 of 10 instances used; take 4 more so 3 remain.
        let first = app.run(ADMIN, "/cloud-deploy project_id:gcp-abc123 resource_type:vm resource_name:fill machine_type:e2-micro count:4").await;
        let Reply::Lobby(first) = first else { panic!("{first:?}") };
        assert!(matches!(app.press(ADMIN, first.session_id, LobbyAction::Approve).await, Reply::Deployed(_)));
        assert_eq!(app.quota("gcp-abc123", "compute.instances").await, (7, 0));

        let mut tasks = Vec::new();
        for i in 0..100 {
            let app = app.clone();
            tasks.push(tokio::spawn(async move {
                let lobby = app.run(USER, &format!("/cloud-deploy project_id:gcp-abc123 resource_type:vm resource_name:race-{i} machine_type:e2-micro")).await;
                match lobby {
                    Reply::Lobby(view) if view.verdict.outcome == Outcome::Allowed => {
                        matches!(app.press(USER, view.session_id, LobbyAction::Approve).await, Reply::Deployed(_))
                    }
                    _ => false,
                }
            }));
        }
        let mut approved = 0;
        for task in tasks {
            approved += usize::from(task.await.unwrap());
        }
        assert_eq!(approved, 3);
        assert_eq!(app.quota("gcp-abc123", "compute.instances").await, (10, 0), "used = 10, nothing left reserved");
        let app = std::sync::Arc::into_inner(app).expect("tasks done");
        app.stop().await
    })
    .await;
}
