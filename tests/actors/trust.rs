//! Approvals decided on current facts, with two actor systems on one database standing for two bot
//! processes: the clicker's and the requester's permissions as they are now, every grant and policy
//! committed before the click in either process, budgets held by the database, one approval per
//! lobby, and each process hosting only its shards' lobbies. On SQLite and PostgreSQL.

use std::time::Duration;

use cloud_chatops::commands::{Invoker, LobbyAction, Reply};
use cloud_chatops::domain::validate::Outcome;
use cloud_chatops::domain::{SessionStatus, ShardRange};
use cloud_chatops::store;

use crate::harness::{ADMIN, App, USER, start, start_serving};
use crate::support::{each_backend, settings};

/// A member with Discord's Administrator permission and no grant: CloudAdmin through it.
const GUILD_ADMIN: Invoker = Invoker { user_id: 444_444_444, is_guild_admin: true, ..USER };
/// The sample CloudAdmin, with Discord's Manage Server permission (to manage roles and policies).
const GUILD_MANAGER: Invoker = Invoker { is_guild_admin: true, ..ADMIN };
/// The same member once the permission is taken away.
const FORMER_ADMIN: Invoker = Invoker { is_guild_admin: false, ..GUILD_ADMIN };

fn deploy(name: &str, machine_type: &str) -> String {
    format!("/cloud-deploy project_id:gcp-abc123 resource_type:vm resource_name:{name} machine_type:{machine_type}")
}

async fn open(app: &App, who: Invoker, name: &str, machine_type: &str) -> uuid::Uuid {
    match app.run(who, &deploy(name, machine_type)).await {
        Reply::Lobby(view) => view.session_id,
        other => panic!("expected a lobby, got {other:?}"),
    }
}

async fn resources_named(app: &App, name: &str) -> usize {
    let all = store::resources::list(&app.db.db, "gcp-abc123", None).await.unwrap();
    all.iter().filter(|r| r.name == name).count()
}

/// Not deployed: the lobby failed on re-validation and gave its reservation back.
async fn assert_refused_and_released(app: &App, reply: &Reply, session: uuid::Uuid, name: &str) {
    assert!(!matches!(reply, Reply::Deployed(_)), "{}: must not deploy: {reply:?}", app.db.backend);
    assert_eq!(resources_named(app, name).await, 0, "{}", app.db.backend);
    let status = app.status(session).await;
    assert!(status == "failed" || status == "pending", "{}: {status}", app.db.backend);
    if status == "failed" {
        assert_eq!(app.quota("gcp-abc123", "compute.instances").await, (3, 0), "{}", app.db.backend);
    }
}

#[tokio::test]
async fn a_member_who_lost_discord_administrator_cannot_approve_their_own_lobby() {
    each_backend(|db| async move {
        let app = start(db, settings()).await;
        let lobby = open(&app, GUILD_ADMIN, "web-admin", "e2-micro").await;
        let reply = app.press(FORMER_ADMIN, lobby, LobbyAction::Approve).await;
        assert!(
            matches!(&reply, Reply::LobbyClosed { status: SessionStatus::Failed, reason, .. } if reason.contains("PERMISSION")),
            "{}: {reply:?}",
            app.db.backend
        );
        assert_refused_and_released(&app, &reply, lobby, "web-admin").await;
        app.stop().await
    })
    .await;
}

#[tokio::test]
async fn a_cloud_admin_cannot_approve_for_a_requester_who_lost_discord_administrator() {
    each_backend(|db| async move {
        let app = start(db, settings()).await;
        let lobby = open(&app, GUILD_ADMIN, "web-admin2", "e2-micro").await;
        // Discord took the permission away; the process learns it only by asking.
        app.discord_says_admin(GUILD_ADMIN, false);
        let reply = app.press(ADMIN, lobby, LobbyAction::Approve).await;
        assert_refused_and_released(&app, &reply, lobby, "web-admin2").await;

        // Still an administrator: the approval goes through.
        let other = open(&app, GUILD_ADMIN, "web-admin3", "e2-micro").await;
        app.discord_says_admin(GUILD_ADMIN, true);
        let reply = app.press(ADMIN, other, LobbyAction::Approve).await;
        assert!(matches!(reply, Reply::Deployed(_)), "{}: {reply:?}", app.db.backend);
        app.stop().await
    })
    .await;
}

#[tokio::test]
async fn grants_and_policies_changed_in_another_process_decide_the_approval() {
    each_backend(|db| async move {
        let app = start(db, settings()).await;
        let peer = app.peer(None).await;
        let changes = [
            "/cloud-revoke user:111111111 provider:gcp",
            "/cloud-grant user:111111111 provider:gcp role:user regions:asia-southeast1",
            "/cloud-grant user:111111111 provider:gcp role:user max_vm_size:micro",
            "/cloud-grant user:111111111 provider:gcp role:user budget_limit:1",
            "/cloud-policy add name:no-us policy_type:region resource_pattern:* denied_values:us-central1",
        ];
        for (i, change) in changes.iter().enumerate() {
            // The lobby opens (and the member's grant is cached) in this process...
            let name = format!("web-fresh-{i}");
            let lobby = open(&app, USER, &name, "e2-small").await;
            // ...the other process changes the grant or adds a policy...
            let changed = app.run_in(&peer, GUILD_MANAGER, change).await;
            assert!(!matches!(changed, Reply::Error { .. } | Reply::Refused { .. }), "{change}: {changed:?}");
            // ...and the approval here a moment later sees it.
            let reply = app.press(USER, lobby, LobbyAction::Approve).await;
            assert_refused_and_released(&app, &reply, lobby, &name).await;
            // Back to the sample data's grant and policies for the next change.
            app.run_in(&peer, GUILD_MANAGER, "/cloud-grant user:111111111 provider:gcp role:user regions:us-central1,asia-southeast1 budget_limit:3000").await;
            if change.contains("policy") {
                let listed = app.run(GUILD_MANAGER, "/cloud-policy list").await;
                let Reply::Policies { policies } = listed else { panic!("{listed:?}") };
                let id = policies.iter().find(|p| p.name == "no-us").unwrap().id;
                app.run_in(&peer, GUILD_MANAGER, &format!("/cloud-policy remove policy_id:{id}")).await;
            }
        }
        // With nothing changed the same approval deploys, so the refusals above came from the changes.
        let lobby = open(&app, USER, "web-fresh-ok", "e2-small").await;
        let reply = app.press(USER, lobby, LobbyAction::Approve).await;
        assert!(matches!(reply, Reply::Deployed(_)), "{}: {reply:?}", app.db.backend);
        peer.system.shutdown().await;
        app.stop().await
    })
    .await;
}

#[tokio::test]
async fn a_budget_holds_across_processes() {
    each_backend(|db| async move {
        let app = start(db, settings()).await;
        let peer = app.peer(None).await;
        let created =
            app.run(ADMIN, "/cloud-init provider:gcp project_name:tight region:us-central1 budget_limit:40").await;
        let Reply::ProjectCreated { project } = created else { panic!("{created:?}") };
        let line = |name: &str| {
            format!(
                "/cloud-deploy project_id:{} resource_type:vm resource_name:{name} machine_type:e2-micro",
                project.id
            )
        };
        // $6.132 a month each, and the first brings its network's NAT gateway ($32.12): one fits the
        // $40 budget, two do not.
        let first = app.run(ADMIN, &line("one")).await;
        let second = app.run_in(&peer, ADMIN, &line("two")).await;
        let mut deployed = 0;
        for (reply, in_peer) in [(first, false), (second, true)] {
            let Reply::Lobby(view) = reply else { continue };
            if view.verdict.outcome == Outcome::Denied {
                continue;
            }
            let pressed = if in_peer {
                app.press_in(&peer, ADMIN, view.session_id, LobbyAction::Approve).await
            } else {
                app.press(ADMIN, view.session_id, LobbyAction::Approve).await
            };
            deployed += usize::from(matches!(pressed, Reply::Deployed(_)));
        }
        assert_eq!(deployed, 1, "{}", app.db.backend);
        let spend = store::resources::project_hourly_spend(&app.db.db, &project.id).await.unwrap();
        assert!(spend.monthly_from_hourly() <= cloud_chatops::domain::Money::from_dollars(40), "{spend}");
        peer.system.shutdown().await;
        app.stop().await
    })
    .await;
}

/// Each process remembers the projects' spend it summed, by revision: what the other process
/// deployed since counts in the next lobby's verdict here.
#[tokio::test]
async fn spend_deployed_in_another_process_counts_in_the_next_verdict() {
    each_backend(|db| async move {
        let app = start(db, settings()).await;
        let peer = app.peer(None).await;
        let created =
            app.run(ADMIN, "/cloud-init provider:gcp project_name:tight region:us-central1 budget_limit:40").await;
        let Reply::ProjectCreated { project } = created else { panic!("{created:?}") };
        let line = |name: &str| {
            format!(
                "/cloud-deploy project_id:{} resource_type:vm resource_name:{name} machine_type:e2-micro",
                project.id
            )
        };
        // This process sums the project's spend (nothing yet) for a lobby it then cancels.
        let Reply::Lobby(probe) = app.run(ADMIN, &line("probe")).await else { panic!("no lobby") };
        assert_ne!(probe.verdict.outcome, Outcome::Denied, "{}", app.db.backend);
        app.press(ADMIN, probe.session_id, LobbyAction::Cancel).await;
        // The other process deploys a VM and its network's NAT gateway: $38.25 of the $40 a month.
        let Reply::Lobby(one) = app.run_in(&peer, ADMIN, &line("one")).await else { panic!("no lobby") };
        let pressed = app.press_in(&peer, ADMIN, one.session_id, LobbyAction::Approve).await;
        assert!(matches!(pressed, Reply::Deployed(_)), "{pressed:?}");
        // Here, one more VM ($6.13) is over the budget: the lobby says so. (Summed from a stale
        // memory, the verdict would allow it and only the database's budget line refuse it.)
        let reply = app.run(ADMIN, &line("two")).await;
        let Reply::Lobby(two) = reply else { panic!("{}: {reply:?}", app.db.backend) };
        assert_eq!(two.verdict.outcome, Outcome::Denied, "{}: {:?}", app.db.backend, two.verdict);
        peer.system.shutdown().await;
        app.stop().await
    })
    .await;
}

#[tokio::test]
async fn a_lobby_approved_in_one_process_is_not_deployed_again_in_another() {
    each_backend(|db| async move {
        let app = start(db, settings()).await;
        let lobby = open(&app, USER, "web-twice", "e2-micro").await;
        // The second process starts and restores the pending lobby too.
        let peer = app.peer(None).await;
        assert_eq!(peer.system.services.lobbies.count().await.unwrap(), 1);
        let first = app.press(USER, lobby, LobbyAction::Approve).await;
        assert!(matches!(first, Reply::Deployed(_)), "{first:?}");
        let second = app.press_in(&peer, ADMIN, lobby, LobbyAction::Approve).await;
        assert!(
            matches!(&second, Reply::Refused { message } if message.contains("already approved by member 111111111")),
            "{}: {second:?}",
            app.db.backend
        );
        assert_eq!(resources_named(&app, "web-twice").await, 1);
        let history = store::history::list_for_project(&app.db.db, "gcp-abc123").await.unwrap();
        assert_eq!(history.iter().filter(|h| h.action == "deploy").count(), 1);
        peer.system.shutdown().await;
        app.stop().await
    })
    .await;
}

/// A guild on shard 0 of 2 (`(id >> 22) % 2 == 0`); the sample guild 123456789 is on shard 1.
const EVEN_GUILD: i64 = 64 << 22;

#[tokio::test]
async fn a_process_hosts_and_expires_only_the_lobbies_of_its_shards() {
    each_backend(|db| async move {
        assert_eq!(ShardRange::shard_of(EVEN_GUILD, 2), 0);
        assert_eq!(ShardRange::shard_of(USER.guild_id, 2), 1);
        let mut s = settings();
        s.lobby.timeout_secs = 600;
        let app = start(db, s.clone()).await;
        let even_admin = Invoker { guild_id: EVEN_GUILD, user_id: 555, is_guild_admin: true, ..USER };
        let created = app.run(even_admin, "/cloud-init provider:gcp project_name:even region:us-central1").await;
        let Reply::ProjectCreated { project } = created else { panic!("{created:?}") };
        let even = app
            .run(
                even_admin,
                &format!(
                    "/cloud-deploy project_id:{} resource_type:vm resource_name:e1 machine_type:e2-micro",
                    project.id
                ),
            )
            .await;
        let Reply::Lobby(even) = even else { panic!("{even:?}") };
        let odd = open(&app, USER, "web-odd", "e2-micro").await;
        let db = app.stop().await;

        // Shard 0 of 2 restores only the even guild's lobby, and expires only it.
        let mut shard0 = start_serving(db, s, Some(ShardRange { first: 0, last: 0, total: 2 })).await;
        assert_eq!(shard0.system.services.lobbies.count().await.unwrap(), 1);
        let shard1 = shard0.peer(Some(ShardRange { first: 1, last: 1, total: 2 })).await;
        assert_eq!(shard1.system.services.lobbies.count().await.unwrap(), 1);
        tokio::time::pause();
        tokio::time::advance(Duration::from_secs(605)).await;
        tokio::time::resume();
        let update = tokio::time::timeout(Duration::from_secs(20), shard0.updates.recv()).await.unwrap().unwrap();
        assert!(matches!(update, Reply::LobbyClosed { session_id, .. } if session_id == even.session_id), "{update:?}");
        let mut shard1 = shard1;
        let update = tokio::time::timeout(Duration::from_secs(20), shard1.updates.recv()).await.unwrap().unwrap();
        assert!(matches!(update, Reply::LobbyClosed { session_id, .. } if session_id == odd), "{update:?}");
        // Each lobby was expired once, by the process of its shard.
        for (peer_updates, what) in [(&mut shard0.updates, "shard 0"), (&mut shard1.updates, "shard 1")] {
            assert!(peer_updates.try_recv().is_err(), "{what} expired another shard's lobby");
        }
        assert_eq!(shard0.status(even.session_id).await, "expired");
        assert_eq!(shard0.status(odd).await, "expired");
        shard1.system.shutdown().await;
        shard0.stop().await
    })
    .await;
}

#[tokio::test]
async fn kept_grants_and_policies_serve_until_any_process_changes_them() {
    use cloud_chatops::domain::Provider;
    each_backend(|db| async move {
        let app = start(db, settings()).await;
        let peer = app.peer(None).await;
        let policy = &app.system.services.policy;
        // An unchanged guild: the second lobby decides on what the first one read.
        let first = open(&app, USER, "kept-1", "e2-small").await;
        let (hits, misses) = policy.cache_stats();
        let second = open(&app, USER, "kept-2", "e2-small").await;
        let (hits_after, misses_after) = policy.cache_stats();
        assert!(hits_after > hits, "{}: the guild's facts were kept ({hits} -> {hits_after})", app.db.backend);
        assert_eq!(misses_after, misses, "{}: and nothing was read again", app.db.backend);

        // The other process takes the member's grant away: the next decision here reads it again.
        assert!(
            peer.system
                .services
                .policy
                .revoke(USER.user_id, USER.guild_id, Provider::Gcp, ADMIN.user_id)
                .await
                .unwrap()
        );
        let approved = app.press(USER, first, LobbyAction::Approve).await;
        assert!(
            approved.approval().is_none(),
            "{}: a revoked grant counts at the next click: {approved:?}",
            app.db.backend
        );
        let (_, misses_now) = policy.cache_stats();
        assert!(misses_now > misses_after, "{}: the change was read", app.db.backend);
        let reopened = app.run(USER, &deploy("kept-3", "e2-small")).await;
        let denied = match &reopened {
            Reply::Lobby(view) => view.verdict.outcome == Outcome::Denied,
            _ => true,
        };
        assert!(denied, "{}: nor may the member open one: {reopened:?}", app.db.backend);
        let _ = second;
        peer.system.shutdown().await;
        app.stop().await
    })
    .await;
}
