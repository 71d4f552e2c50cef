use std::time::Duration;

use cloud_chatops::actors::ActorError;
use cloud_chatops::commands::{LobbyAction, Reply};

use crate::harness::{USER, start};
use crate::support::{TestDb, settings};

async fn eventually<T, F, Fut>(mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, ActorError>>,
{
    for _ in 0..200 {
        if let Ok(v) = f().await {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the actor did not come back");
}

#[tokio::test]
async fn a_failed_child_is_restarted_and_its_caller_gets_an_error() {
    let app = start(TestDb::sqlite().await, settings()).await;
    let s = &app.system.services;

    let err = tokio::time::timeout(Duration::from_secs(5), s.quota.inject_failure()).await.expect("no hang");
    assert!(matches!(err, Err(ActorError::Failed(_))), "{err:?}");
    let rows = eventually(|| s.quota.usage("gcp-abc123")).await;
    assert_eq!(
        rows.iter().find(|r| r.resource_type.as_str() == "compute.instances").unwrap().used,
        3,
        "rebuilt from the database"
    );

    assert!(matches!(s.policy.inject_failure().await, Err(ActorError::Failed(_))));
    let policies = eventually(|| s.policy.policies(cloud_chatops::seed::GUILD_ID)).await;
    assert_eq!(policies.len(), 4, "the four sample policies");

    assert!(matches!(s.records.inject_failure().await, Err(ActorError::Failed(_))));
    let project = eventually(|| s.records.project(cloud_chatops::seed::GUILD_ID, "gcp-abc123")).await;
    assert_eq!(project.name, "Production API");
    app.stop().await.teardown().await;
}

#[tokio::test]
async fn a_failed_lobby_is_restored_and_the_others_keep_running() {
    let app = start(TestDb::sqlite().await, settings()).await;
    let a = app.open_vm(USER, "web-a", "e2-micro").await;
    let b = app.open_vm(USER, "web-b", "e2-micro").await;
    let lobbies = &app.system.services.lobbies;
    let actor = lobbies.actor_id(a.session_id).await.unwrap().unwrap();
    let crashed = lobbies.inject_failure(a.session_id).await.unwrap();
    assert!(crashed, "the caller sees the failure");

    // The other lobby never stopped.
    let view = lobbies.actor_id(b.session_id).await.unwrap().expect("b is alive");
    assert!(view != actor);
    // The failed one comes back from its row and still works.
    for _ in 0..200 {
        if lobbies.actor_id(a.session_id).await.unwrap().is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let deployed = app.press(USER, a.session_id, LobbyAction::Approve).await;
    assert!(matches!(deployed, Reply::Deployed(_)), "{deployed:?}");
    let deployed = app.press(USER, b.session_id, LobbyAction::Approve).await;
    assert!(matches!(deployed, Reply::Deployed(_)), "{deployed:?}");
    assert_eq!(app.quota("gcp-abc123", "compute.instances").await, (5, 0));
    app.stop().await.teardown().await;
}

#[tokio::test]
async fn a_failed_generator_is_restarted_and_the_next_approval_writes_terraform() {
    let app = start(TestDb::sqlite().await, settings()).await;
    let failed =
        tokio::time::timeout(Duration::from_secs(5), app.system.generator.inject_failure()).await.expect("no hang");
    assert!(failed.is_err(), "{failed:?}");
    for _ in 0..200 {
        if app.system.generator.actor().is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let lobby = app.open_vm(USER, "web-gen", "e2-micro").await;
    let deployed = app.press(USER, lobby.session_id, LobbyAction::Approve).await;
    let Reply::Deployed(view) = &deployed else { panic!("{deployed:?}") };
    assert!(view.warning.is_none(), "the restarted generator wrote the files: {view:?}");
    assert!(app.terraform.join(view.terraform_dir.as_deref().unwrap()).join("compute.tf").exists());
    app.stop().await.teardown().await;
}

#[tokio::test]
async fn a_restarted_lobby_supervisor_leaves_one_actor_per_pending_lobby() {
    let mut app = start(TestDb::sqlite().await, settings()).await;
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(app.open_vm(USER, &format!("web-r{i}"), "e2-micro").await.session_id);
    }
    let lobbies = app.system.services.lobbies.clone();
    assert_eq!(lobbies.registered_actors().len(), 5);

    let failed = tokio::time::timeout(Duration::from_secs(5), lobbies.inject_supervisor_failure()).await;
    assert!(matches!(failed, Ok(Err(_))), "the caller sees the failure: {failed:?}");
    // The root restarts the supervisor, which restores every pending lobby from its row.
    let restored = eventually(|| async {
        match lobbies.count().await? {
            5 => Ok(5),
            _ => Err(ActorError::Unavailable("lobbies")),
        }
    })
    .await;
    assert_eq!(restored, 5);
    let mut names = lobbies.registered_actors();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), 5, "one named actor per lobby: {names:?}");

    // Each lobby expires exactly once: a second actor would close it (and tell the front end) again.
    tokio::time::pause();
    tokio::time::advance(Duration::from_secs(app.settings.lobby.timeout_secs + 5)).await;
    tokio::time::resume();
    let mut expired = Vec::new();
    while expired.len() < 5 {
        let update = tokio::time::timeout(Duration::from_secs(20), app.updates.recv()).await.unwrap().unwrap();
        let Reply::LobbyClosed { session_id, .. } = update else { panic!("{update:?}") };
        expired.push(session_id);
    }
    // Every actor has stopped, so nothing is left that could close a lobby again.
    eventually(|| async {
        match lobbies.count().await? {
            0 => Ok(()),
            _ => Err(ActorError::Unavailable("lobbies")),
        }
    })
    .await;
    assert!(ractor::registry::registered().iter().all(|n| !names.contains(n)), "no lobby actor is left");
    assert!(app.updates.try_recv().is_err(), "no lobby was expired twice");
    expired.sort();
    ids.sort();
    assert_eq!(expired, ids);
    assert_eq!(app.quota("gcp-abc123", "compute.instances").await, (3, 0));
    app.stop().await.teardown().await;
}
