//! Quota exactness under load in one process: 1,000 members open a lobby and approve it at once on
//! a project limited to 10 instances. Never more than 10 are committed, and at rest `used` is the
//! active resources and `reserved` what the live lobbies hold (`check` finds nothing).

use std::sync::Arc;

use cloud_chatops::check::{self, Repair};
use cloud_chatops::commands::{Invoker, LobbyAction, Reply};
use cloud_chatops::domain::Catalog;
use cloud_chatops::store;

use crate::harness::{ADMIN, start};
use crate::support::{each_backend, settings};

/// Concurrent open-and-approve attempts.
const ATTEMPTS: usize = 1_000;
/// The project's `compute.instances` limit.
const LIMIT: i64 = 10;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_lobbies_never_commit_more_than_the_limit() {
    each_backend(|db| async move {
        let app = Arc::new(start(db, settings()).await);
        let admin = Invoker { is_guild_admin: true, ..ADMIN };
        let created = app.run(admin, "/cloud-init provider:gcp project_name:load region:us-central1").await;
        let Reply::ProjectCreated { project } = created else { panic!("{created:?}") };
        let project_id = project.id;

        let mut tasks = Vec::with_capacity(ATTEMPTS);
        for i in 0..ATTEMPTS {
            let (app, project_id) = (app.clone(), project_id.clone());
            tasks.push(tokio::spawn(async move {
                // Many members, so per-member budgets and caches play no part.
                let who = Invoker { user_id: 10_000 + i as i64, ..admin };
                let line = format!(
                    "/cloud-deploy project_id:{project_id} resource_type:vm resource_name:load-{i} machine_type:e2-micro"
                );
                match app.run(who, &line).await {
                    Reply::Lobby(view) => {
                        matches!(app.press(who, view.session_id, LobbyAction::Approve).await, Reply::Deployed(_))
                    }
                    _ => false,
                }
            }));
        }
        let mut deployed = 0;
        for task in tasks {
            deployed += i64::from(task.await.unwrap());
        }
        let used = app.quota(&project_id, "compute.instances").await;
        let active = store::resources::list(&app.db.db, &project_id, None).await.unwrap().len() as i64;
        println!(
            "{}: {ATTEMPTS} attempts, {deployed} deployed, limit {LIMIT}, over-commits {}",
            app.db.backend,
            (deployed - LIMIT).max(0)
        );
        assert_eq!(deployed, LIMIT, "exactly the limit is deployed, never more");
        assert_eq!(used, (LIMIT, 0), "used = the active resources, nothing left reserved");
        assert_eq!(active, LIMIT);
        let findings = check::run(&app.db.db, &Catalog::builtin(), &app.terraform, Repair::Nothing).await.unwrap().findings;
        let accounting: Vec<_> = findings.iter().filter(|f| f.subject.starts_with(&project_id)).collect();
        assert!(accounting.is_empty(), "{accounting:#?}");
        let app = Arc::into_inner(app).expect("tasks done");
        app.stop().await
    })
    .await;
}
