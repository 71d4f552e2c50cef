use std::time::Duration;

use chrono::TimeDelta;
use cloud_chatops::commands::{LobbyAction, Reply};
use cloud_chatops::domain::SessionStatus;
use cloud_chatops::domain::validate::Outcome;
use cloud_chatops::store;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, IntoActiveModel};

use crate::harness::{ADMIN, STRANGER, USER, VIEWER, start, start_on};
use crate::support::{TestDb, each_backend, settings};

#[tokio::test]
async fn the_seed_examples_through_the_whole_tree() {
    each_backend(|db| async move {
        let app = start(db, settings()).await;
        let lobby = app.open_vm(USER, "web-server-01b", "e2-small").await;
        assert_eq!(lobby.verdict.outcome, Outcome::Allowed, "{:?}", lobby.verdict);
        assert_eq!(lobby.verdict.hourly.rate(), "$0.0168");
        let instances = lobby.verdict.quota.iter().find(|q| q.quota_type.as_str() == "compute.instances").unwrap();
        assert_eq!((instances.used, instances.limit, instances.available()), (3, 10, 7));
        assert!(lobby.can_approve);

        let viewer = app.open_vm(VIEWER, "test-vm", "e2-small").await;
        assert_eq!(viewer.verdict.outcome, Outcome::Denied);
        assert!(viewer.verdict.violations.iter().any(|v| v.message.contains("can_create_vm")));
        assert!(!viewer.can_approve);
        app.stop().await
    })
    .await;
}

#[tokio::test]
async fn approve_deploys_once_and_a_second_click_changes_nothing() {
    each_backend(|db| async move {
        let app = start(db, settings()).await;
        let lobby = app.open_vm(USER, "web-server-09", "e2-small").await;
        assert_eq!(app.quota("gcp-abc123", "compute.instances").await, (3, 1), "reserved on open");

        let refused = app.press(STRANGER, lobby.session_id, LobbyAction::Approve).await;
        assert!(matches!(refused, Reply::Refused { .. }), "{refused:?}");
        let refused = app.press(VIEWER, lobby.session_id, LobbyAction::Cancel).await;
        assert!(matches!(refused, Reply::Refused { .. }), "{refused:?}");
        assert_eq!(app.status(lobby.session_id).await, "pending", "refusals change nothing");

        let deployed = app.press(USER, lobby.session_id, LobbyAction::Approve).await;
        let Reply::Deployed(view) = &deployed else { panic!("{deployed:?}") };
        assert_eq!(view.resources, ["web-server-09"]);
        let dir = app.terraform.join(view.terraform_dir.as_deref().unwrap());
        let compute = std::fs::read_to_string(dir.join("compute.tf")).unwrap();
        assert!(compute.contains("web-server-09"), "{compute}");
        assert_eq!(app.quota("gcp-abc123", "compute.instances").await, (4, 0));
        assert_eq!(app.status(lobby.session_id).await, "approved");

        for who in [USER, ADMIN] {
            let again = app.press(who, lobby.session_id, LobbyAction::Approve).await;
            assert!(matches!(&again, Reply::Refused { message } if message.contains("already approved")), "{again:?}");
        }
        assert_eq!(app.quota("gcp-abc123", "compute.instances").await, (4, 0), "no double effect");
        let resources = store::resources::list(&app.db.db, "gcp-abc123", None).await.unwrap();
        assert_eq!(resources.iter().filter(|r| r.name == "web-server-09").count(), 1);
        let history = store::history::list_for_project(&app.db.db, "gcp-abc123").await.unwrap();
        assert_eq!(history.iter().filter(|h| h.action == "deploy").count(), 1);
        app.stop().await
    })
    .await;
}

#[tokio::test]
async fn self_approval_of_a_lobby_that_needs_approval_is_refused() {
    each_backend(|db| async move {
        let app = start(db, settings()).await;
        // An admin's k8s cluster of 3 x n2-standard-4 costs more than the $0.50/h policy: needs approval.
        app.run(ADMIN, "/cloud-policy add name:\"Max k8s\" policy_type:cost resource_pattern:type:k8s max_cost_per_hour:0.50 require_approval:true")
            .await;
        let admin_is_guild_admin = cloud_chatops::commands::Invoker { is_guild_admin: true, ..ADMIN };
        let added = app
            .run(admin_is_guild_admin, "/cloud-policy add name:\"Max k8s\" policy_type:cost resource_pattern:type:k8s max_cost_per_hour:0.50 require_approval:true")
            .await;
        assert!(matches!(added, Reply::PolicyAdded { .. }), "{added:?}");
        let reply = app
            .run(ADMIN, "/cloud-deploy project_id:gcp-abc123 resource_type:k8s resource_name:main machine_type:n2-standard-4 node_count:3")
            .await;
        let Reply::Lobby(lobby) = reply else { panic!("{reply:?}") };
        assert_eq!(lobby.verdict.outcome, Outcome::NeedsApproval, "{:?}", lobby.verdict);
        let own = app.press(ADMIN, lobby.session_id, LobbyAction::Approve).await;
        assert!(matches!(&own, Reply::Refused { message } if message.contains("other than the requester")), "{own:?}");
        let user = app.press(USER, lobby.session_id, LobbyAction::Approve).await;
        assert!(matches!(user, Reply::Refused { .. }), "{user:?}");
        assert_eq!(app.status(lobby.session_id).await, "pending");
        // Another CloudAdmin (a guild administrator without a grant) may approve it.
        let other_admin = cloud_chatops::commands::Invoker { user_id: 555, is_guild_admin: true, ..USER };
        let deployed = app.press(other_admin, lobby.session_id, LobbyAction::Approve).await;
        assert!(matches!(deployed, Reply::Deployed(_)), "{deployed:?}");
        app.stop().await
    })
    .await;
}

#[tokio::test]
async fn a_lobby_expires_at_its_deadline_and_not_before() {
    let mut s = settings();
    s.lobby.timeout_secs = 1800;
    let app = start(TestDb::sqlite().await, s).await;
    let lobby = app.open_vm(USER, "web-exp", "e2-micro").await;
    assert_eq!(app.quota("gcp-abc123", "compute.instances").await, (3, 1));

    tokio::time::pause();
    tokio::time::advance(Duration::from_secs(1795)).await;
    for _ in 0..10 {
        tokio::task::yield_now().await;
    }
    assert!(
        app.system.services.lobbies.actor_id(lobby.session_id).await.unwrap().is_some(),
        "alive before the deadline"
    );
    tokio::time::resume();
    assert_eq!(app.status(lobby.session_id).await, "pending");
    let mut app = app;
    assert!(app.updates.try_recv().is_err(), "no expiry before the deadline");

    tokio::time::pause();
    tokio::time::advance(Duration::from_secs(10)).await;
    for _ in 0..10 {
        tokio::task::yield_now().await;
    }
    tokio::time::resume();
    let update = tokio::time::timeout(Duration::from_secs(20), app.updates.recv()).await.unwrap().unwrap();
    assert!(
        matches!(&update, Reply::LobbyClosed { session_id, status: SessionStatus::Expired, by: None, .. } if *session_id == lobby.session_id),
        "{update:?}"
    );
    assert_eq!(app.status(lobby.session_id).await, "expired");
    assert_eq!(app.quota("gcp-abc123", "compute.instances").await, (3, 0), "reservation released");
    let late = app.press(USER, lobby.session_id, LobbyAction::Approve).await;
    assert!(matches!(&late, Reply::Refused { message } if message.contains("already expired")), "{late:?}");
    app.stop().await.teardown().await;
}

#[tokio::test]
async fn pending_lobbies_are_rehydrated_and_overdue_ones_expire_at_once() {
    each_backend(|db| async move {
        let app = start(db, settings()).await;
        let alive = app.open_vm(USER, "web-keep", "e2-micro").await;
        let overdue = app.open_vm(USER, "web-late", "e2-micro").await;
        assert_eq!(app.quota("gcp-abc123", "compute.instances").await, (3, 2));
        let (settings, db) = (app.settings.clone(), app.stop().await);

        // While "down", the second lobby's deadline passes.
        let mut row = store::sessions::get(&db.db, overdue.session_id).await.unwrap().into_active_model();
        row.expires_at = Set(store::now() - TimeDelta::minutes(1));
        row.update(&db.db).await.unwrap();

        let mut app = start_on(db, settings).await;
        let update = tokio::time::timeout(Duration::from_secs(20), app.updates.recv()).await.unwrap().unwrap();
        assert!(
            matches!(&update, Reply::LobbyClosed { session_id, .. } if *session_id == overdue.session_id),
            "{update:?}"
        );
        assert_eq!(app.status(overdue.session_id).await, "expired");
        assert_eq!(app.status(alive.session_id).await, "pending");
        assert_eq!(app.quota("gcp-abc123", "compute.instances").await, (3, 1));
        let deployed = app.press(USER, alive.session_id, LobbyAction::Approve).await;
        assert!(matches!(deployed, Reply::Deployed(_)), "the rehydrated lobby still works: {deployed:?}");
        assert_eq!(app.quota("gcp-abc123", "compute.instances").await, (4, 0));
        app.stop().await
    })
    .await;
}

#[tokio::test]
async fn cancel_releases_and_other_guilds_cannot_touch_a_lobby() {
    each_backend(|db| async move {
        let app = start(db, settings()).await;
        let lobby = app.open_vm(USER, "web-c", "e2-small").await;
        let outsider = cloud_chatops::commands::Invoker { guild_id: 999, is_guild_admin: true, ..ADMIN };
        let r = app.press(outsider, lobby.session_id, LobbyAction::Cancel).await;
        assert!(matches!(r, Reply::Error { .. }), "{r:?}");
        let seen = app.run(outsider, "/cloud-quota project_id:gcp-abc123").await;
        assert!(matches!(&seen, Reply::Error { message } if message.contains("not found")), "{seen:?}");
        let r = app.press(ADMIN, lobby.session_id, LobbyAction::Cancel).await;
        assert!(matches!(r, Reply::LobbyClosed { status: SessionStatus::Cancelled, .. }), "{r:?}");
        assert_eq!(app.quota("gcp-abc123", "compute.instances").await, (3, 0));
        app.stop().await
    })
    .await;
}
