use std::time::Duration;

use cloud_chatops::actors::ActorError;
use cloud_chatops::actors::lobby::SessionMsg;
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
    assert_eq!(policies.len(), 3);

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
    let actor = app.system.services.lobbies.lookup(a.session_id).await.unwrap().unwrap();
    let crashed = actor.call(SessionMsg::InjectFailure, Some(Duration::from_secs(5))).await;
    assert!(!matches!(crashed, Ok(ractor::rpc::CallResult::Success(_))), "the caller sees the failure");

    // The other lobby never stopped.
    let view = app.system.services.lobbies.lookup(b.session_id).await.unwrap().expect("b is alive");
    assert!(view.get_id() != actor.get_id());
    // The failed one comes back from its row and still works.
    for _ in 0..200 {
        if app.system.services.lobbies.lookup(a.session_id).await.unwrap().is_some() {
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
