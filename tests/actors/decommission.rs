//! Destroy and resize lobbies (issue 16): quota, cost, Terraform and audit follow the resource out
//! of the project and through a change of size; who may ask; what depends on what.

use cloud_chatops::check::{self, Repair};
use cloud_chatops::commands::{LobbyAction, LobbyView, Reply};
use cloud_chatops::domain::validate::Outcome;
use cloud_chatops::domain::{Catalog, LobbyKind};
use cloud_chatops::{seed, store};

use crate::harness::{ADMIN, App, USER, VIEWER, start};
use crate::support::{each_backend, settings};

const P: &str = seed::PROJECT_ID;

fn lobby(reply: Reply) -> LobbyView {
    match reply {
        Reply::Lobby(view) => view,
        other => panic!("expected a lobby, got {other:?}"),
    }
}

fn refusal(reply: &Reply) -> &str {
    match reply {
        Reply::Refused { message } | Reply::Error { message } => message,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// Approves and answers the reply, which must report an approval (of whichever kind).
async fn approve(app: &App, who: cloud_chatops::commands::Invoker, view: &LobbyView) -> Reply {
    let done = app.press(who, view.session_id, LobbyAction::Approve).await;
    assert!(done.approval().is_some(), "{done:?}");
    done
}

/// The console's line for a reply.
fn said(reply: &Reply) -> String {
    cloud_chatops::commands::text::approved(reply).unwrap_or_default()
}

async fn live(app: &App) -> Vec<(String, Option<String>)> {
    let rows = store::resources::list(&app.db.db, P, None).await.unwrap();
    rows.into_iter().map(|r| (r.name, store::spec::stored_size(&r.config).map(str::to_owned))).collect()
}

async fn terraform(app: &App, file: &str) -> String {
    std::fs::read_to_string(app.terraform.join(format!("terraform_gcp_{P}")).join(file)).unwrap_or_default()
}

async fn assert_clean(app: &App) {
    let report = check::run(&app.db.db, &Catalog::builtin(), &app.terraform, Repair::Nothing).await.unwrap();
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
}

#[tokio::test]
async fn destroying_a_vm_frees_its_quota_and_name_and_leaves_the_terraform() {
    each_backend(|db| async move {
        let app = start(db, settings()).await;
        assert_eq!(app.quota(P, "compute.instances").await, (3, 0));
        let view = lobby(app.run(ADMIN, &format!("/cloud-destroy project_id:{P} resource_name:worker-01")).await);
        assert_eq!(view.lobby, LobbyKind::Destroy);
        assert_eq!(view.verdict.outcome, Outcome::Allowed, "{:?}", view.verdict);
        let freed = view.verdict.quota.iter().find(|q| q.quota_type.as_str() == "compute.instances").unwrap();
        assert_eq!(freed.requested, -1, "the lobby shows what it frees");
        assert!(view.verdict.hourly_before.is_some(), "and the saving");
        assert_eq!(app.quota(P, "compute.instances").await, (3, 0), "a destroy reserves nothing");
        assert!(terraform(&app, "compute.tf").await.contains("\"worker-01\""));

        let done = approve(&app, ADMIN, &view).await;
        let Reply::Destroyed(destroyed) = &done else { panic!("a destroy is told as one: {done:?}") };
        let saved = view.verdict.hourly_before.unwrap();
        assert_eq!(destroyed.hourly_before, Some(saved));
        assert_eq!(
            said(&done),
            format!(
                "destroyed worker-01 in gcp-abc123 (approved by 222222222): it left the Terraform; saves {}/h, {}/month",
                saved.rate(),
                saved.monthly_from_hourly().cents()
            )
        );
        let json = serde_json::to_value(&done).unwrap();
        assert_eq!(json["kind"], "destroyed", "{json}");
        assert_eq!(app.quota(P, "compute.instances").await, (2, 0), "used −1");
        assert_eq!(app.quota(P, "compute.cpus").await, (4, 0), "e2-small's 2 CPUs back");
        assert!(!live(&app).await.iter().any(|(n, _)| n == "worker-01"), "gone from /cloud-list");
        assert!(!terraform(&app, "compute.tf").await.contains("worker-01"), "gone from the Terraform");
        let again = app.press(ADMIN, view.session_id, LobbyAction::Approve).await;
        assert!(refusal(&again).contains("already approved"), "{again:?}");
        assert_eq!(app.quota(P, "compute.instances").await, (2, 0), "a second approve changes nothing");
        let history = store::history::list_for_project(&app.db.db, P).await.unwrap();
        assert!(
            history.iter().any(|h| h.action == "destroy" && h.resource_name.as_deref() == Some("worker-01")),
            "audited"
        );

        // The name is free again.
        let redeploy = app.open_vm(ADMIN, "worker-01", "e2-small").await;
        assert_eq!(redeploy.verdict.outcome, Outcome::Allowed);
        approve(&app, ADMIN, &redeploy).await;
        assert_eq!(app.quota(P, "compute.instances").await, (3, 0));
        assert_clean(&app).await;
        app.stop().await
    })
    .await;
}

#[tokio::test]
async fn resizing_a_vm_moves_its_quota_by_the_difference_and_writes_the_new_type() {
    each_backend(|db| async move {
        let app = start(db, settings()).await;
        let (cpus, _) = app.quota(P, "compute.cpus").await;
        let line = format!("/cloud-resize project_id:{P} resource_name:worker-01 machine_type:e2-standard-4");
        let view = lobby(app.run(ADMIN, &line).await);
        assert_eq!(view.lobby, LobbyKind::Resize);
        assert_eq!(view.size_before.as_deref(), Some("e2-small"));
        assert_eq!(view.verdict.size_name.as_deref(), Some("e2-standard-4"));
        let grown = view.verdict.quota.iter().find(|q| q.quota_type.as_str() == "compute.cpus").unwrap();
        assert_eq!(grown.requested, 2, "e2-small (2) → e2-standard-4 (4)");
        assert_eq!(app.quota(P, "compute.cpus").await, (cpus, 2), "what grows is reserved on open");
        assert_eq!(app.quota(P, "compute.instances").await, (3, 0), "the count does not change");
        let before = view.verdict.hourly_before.expect("cost before");
        assert!(view.verdict.hourly > before, "{before} -> {}", view.verdict.hourly);

        let resized = approve(&app, ADMIN, &view).await;
        assert!(matches!(resized, Reply::Resized(_)), "a resize is told as one: {resized:?}");
        assert!(
            said(&resized).starts_with("resized worker-01 in gcp-abc123 from e2-small to e2-standard-4"),
            "{}",
            said(&resized)
        );
        assert!(
            said(&resized).contains(&format!("{}/h -> {}/h", before.rate(), view.verdict.hourly.rate())),
            "{}",
            said(&resized)
        );
        assert_eq!(app.quota(P, "compute.cpus").await, (cpus + 2, 0), "+2 CPUs used");
        assert!(live(&app).await.contains(&("worker-01".into(), Some("e2-standard-4".into()))));
        let compute = terraform(&app, "compute.tf").await;
        let block = compute.split("resource ").find(|b| b.contains("\"worker-01\"")).unwrap();
        assert!(block.contains("machine_type = \"e2-standard-4\""), "{block}");
        let spend = store::resources::project_hourly_spend(&app.db.db, P).await.unwrap();
        let others = 2 * 33_500; // api-server-01 and -02, e2-medium
        assert_eq!(spend.micros(), view.verdict.hourly.micros() + others, "priced anew");

        // Back down: the difference is freed.
        let line = format!("/cloud-resize project_id:{P} resource_name:worker-01 machine_type:e2-small");
        let down = lobby(app.run(ADMIN, &line).await);
        let shrunk = down.verdict.quota.iter().find(|q| q.quota_type.as_str() == "compute.cpus").unwrap();
        assert_eq!(shrunk.requested, -2);
        approve(&app, ADMIN, &down).await;
        assert_eq!(app.quota(P, "compute.cpus").await, (cpus, 0));
        assert_clean(&app).await;
        app.stop().await
    })
    .await;
}

#[tokio::test]
async fn members_without_can_delete_cannot_destroy_or_resize_and_nothing_is_held() {
    each_backend(|db| async move {
        let app = start(db, settings()).await;
        for who in [USER, VIEWER] {
            for line in [
                format!("/cloud-destroy project_id:{P} resource_name:worker-01"),
                format!("/cloud-resize project_id:{P} resource_name:worker-01 machine_type:e2-medium"),
            ] {
                let view = lobby(app.run(who, &line).await);
                assert_eq!(view.verdict.outcome, Outcome::Denied, "{line}");
                let why = if who == VIEWER { "read-only" } else { "can_delete" };
                assert!(view.verdict.violations.iter().any(|v| v.message.contains(why)), "{:?}", view.verdict);
                assert!(!view.can_approve);
                let pressed = app.press(who, view.session_id, LobbyAction::Approve).await;
                assert!(matches!(pressed, Reply::Refused { .. }), "{pressed:?}");
                // And a CloudAdmin cannot approve a request the requester had no right to make.
                let pressed = app.press(ADMIN, view.session_id, LobbyAction::Approve).await;
                assert!(matches!(pressed, Reply::Refused { .. }), "{pressed:?}");
                let cancelled = app.press(who, view.session_id, LobbyAction::Cancel).await;
                assert!(matches!(cancelled, Reply::LobbyClosed { .. }), "{cancelled:?}");
            }
        }
        assert_eq!(app.quota(P, "compute.cpus").await, (6, 0));
        assert_eq!(live(&app).await.len(), 3);
        app.stop().await
    })
    .await;
}

#[tokio::test]
async fn unknown_targets_dependents_and_a_second_lobby_are_refused() {
    each_backend(|db| async move {
        let app = start(db, settings()).await;
        let unknown = app.run(ADMIN, &format!("/cloud-destroy project_id:{P} resource_name:nope")).await;
        assert!(refusal(&unknown).contains("nothing named `nope`"), "{unknown:?}");
        let hostile = app.run(ADMIN, &format!("/cloud-destroy project_id:{P} resource_name:{}", "x".repeat(90))).await;
        assert!(refusal(&hostile).contains("nothing named"), "{hostile:?}");
        let storage =
            app.run(ADMIN, &format!("/cloud-resize project_id:{P} resource_name:worker-01 node_count:3")).await;
        assert!(refusal(&storage).contains("node_count applies to Kubernetes"), "{storage:?}");
        // A resize to the size it has opens no card (whose prices would change nothing).
        let before = crate::support::counts(&app.db.db).await;
        let same = app
            .run(ADMIN, &format!("/cloud-resize project_id:{P} resource_name:worker-01 machine_type:e2-small"))
            .await;
        assert!(refusal(&same).contains("already runs e2-small; nothing to change"), "{same:?}");
        assert_eq!(crate::support::counts(&app.db.db).await, before, "a refused resize stores nothing");

        // A stack wires VMs into a network and behind a load balancer.
        let stack = lobby(app.run(ADMIN, &format!("/cloud-stack project_id:{P} template:web name:shop")).await);
        approve(&app, ADMIN, &stack).await;
        let net = app.run(ADMIN, &format!("/cloud-destroy project_id:{P} resource_name:shop-net")).await;
        let why = refusal(&net);
        assert!(why.contains("shop-vm-1") && why.contains("shop-vm-2") && why.contains("shop-db"), "{why}");
        let vm = app.run(ADMIN, &format!("/cloud-destroy project_id:{P} resource_name:shop-vm-1")).await;
        assert!(refusal(&vm).contains("load balancer shop-lb"), "{vm:?}");

        let first = lobby(app.run(ADMIN, &format!("/cloud-destroy project_id:{P} resource_name:worker-01")).await);
        let line = format!("/cloud-resize project_id:{P} resource_name:worker-01 machine_type:e2-medium");
        let second = app.run(ADMIN, &line).await;
        assert!(refusal(&second).contains("another lobby for worker-01"), "{second:?}");
        let cancelled = app.press(ADMIN, first.session_id, LobbyAction::Cancel).await;
        assert!(matches!(cancelled, Reply::LobbyClosed { .. }));
        let now = lobby(app.run(ADMIN, &line).await);
        assert_eq!(now.verdict.outcome, Outcome::Allowed, "free once the first lobby ended");
        app.stop().await
    })
    .await;
}

#[tokio::test]
async fn a_protected_resource_is_decommissioned_first_then_removed() {
    each_backend(|db| async move {
        let app = start(db, settings()).await;
        let line = format!("/cloud-deploy project_id:{P} resource_type:storage resource_name:archive-1");
        approve(&app, ADMIN, &lobby(app.run(ADMIN, &line).await)).await;
        assert_eq!(app.quota(P, "storage.buckets").await, (1, 0));

        let first = lobby(app.run(ADMIN, &format!("/cloud-destroy project_id:{P} resource_name:archive-1")).await);
        assert!(first.verdict.warnings.iter().any(|w| w.contains("protection")), "{:?}", first.verdict.warnings);
        let step1 = approve(&app, ADMIN, &first).await;
        assert!(matches!(step1, Reply::Decommissioned(_)), "{step1:?}");
        assert!(said(&step1).starts_with("destroy step 1 of 2: archive-1"), "{}", said(&step1));
        assert_eq!(app.quota(P, "storage.buckets").await, (0, 0), "its quota is freed at once");
        assert!(!live(&app).await.iter().any(|(n, _)| n == "archive-1"), "no longer listed");
        assert!(terraform(&app, "storage.tf").await.contains("archive-1"), "still written, to lift its protection");
        assert_clean(&app).await;

        // The name stays taken until the bucket is gone; the second destroy removes it.
        let reuse = app.run(ADMIN, &line).await;
        assert!(refusal(&reuse).contains("already exists"), "{reuse:?}");
        let second = lobby(app.run(ADMIN, &format!("/cloud-destroy project_id:{P} resource_name:archive-1")).await);
        assert!(second.verdict.quota.is_empty(), "nothing left to free: {:?}", second.verdict);
        assert_eq!(second.verdict.hourly_before, Some(cloud_chatops::domain::Money::ZERO), "nor to save");
        let step2 = approve(&app, ADMIN, &second).await;
        assert!(matches!(step2, Reply::Destroyed(_)), "{step2:?}");
        assert_eq!(said(&step2), "destroyed archive-1 in gcp-abc123 (approved by 222222222): it left the Terraform");
        let history = app.run(ADMIN, &format!("/cloud-history project_id:{P}")).await;
        let Reply::History { entries, .. } = history else { panic!("{history:?}") };
        let steps: Vec<_> = entries.iter().filter(|h| h.action == "destroy").filter_map(|h| h.change.clone()).collect();
        assert_eq!(
            steps,
            [
                "step 2 of 2: removed from the Terraform",
                "step 1 of 2: deletion protection lifted, quota and cost freed"
            ],
            "the two destroys read apart in the history, newest first"
        );
        assert!(!terraform(&app, "storage.tf").await.contains("archive-1"));
        assert_eq!(app.quota(P, "storage.buckets").await, (0, 0), "freed once, not twice");
        assert_clean(&app).await;
        app.stop().await
    })
    .await;
}

#[tokio::test]
async fn a_policy_that_flags_a_resource_makes_changing_it_need_approval() {
    each_backend(|db| async move {
        let app = start(db, settings()).await;
        let policy = "/cloud-policy add name:cheap-dbs policy_type:cost resource_pattern:type:database \
                      max_cost_per_hour:0.01 require_approval:true";
        let added = app.run(cloud_chatops::commands::Invoker { is_guild_admin: true, ..ADMIN }, policy).await;
        assert!(matches!(added, Reply::PolicyAdded { .. }), "{added:?}");
        let line = format!("/cloud-deploy project_id:{P} resource_type:database resource_name:orders");
        let deploy = lobby(app.run(ADMIN, &line).await);
        assert_eq!(deploy.verdict.outcome, Outcome::NeedsApproval);
        // A second CloudAdmin approves it.
        let other = cloud_chatops::commands::Invoker { user_id: 555_555_555, ..ADMIN };
        let guild_admin = cloud_chatops::commands::Invoker { is_guild_admin: true, ..ADMIN };
        let granted = app.run(guild_admin, "/cloud-grant user:555555555 provider:gcp role:admin").await;
        assert!(matches!(granted, Reply::Granted { .. }), "{granted:?}");
        approve(&app, other, &deploy).await;

        let destroy = lobby(app.run(ADMIN, &format!("/cloud-destroy project_id:{P} resource_name:orders")).await);
        assert_eq!(destroy.verdict.outcome, Outcome::NeedsApproval, "{:?}", destroy.verdict);
        let own = app.press(ADMIN, destroy.session_id, LobbyAction::Approve).await;
        assert!(matches!(own, Reply::Refused { .. }), "not by the requester: {own:?}");
        approve(&app, other, &destroy).await;
        assert_eq!(app.quota(P, "database.instances").await.0, 0, "decommissioned: its quota is back");

        // The cheap VMs the policy does not flag are destroyed by one CloudAdmin alone.
        let vm = lobby(app.run(ADMIN, &format!("/cloud-destroy project_id:{P} resource_name:worker-01")).await);
        assert_eq!(vm.verdict.outcome, Outcome::Allowed, "{:?}", vm.verdict);
        app.stop().await
    })
    .await;
}

#[tokio::test]
async fn names_already_deployed_or_sharing_an_identifier_are_refused_at_open_holding_nothing() {
    each_backend(|db| async move {
        let app = start(db, settings()).await;
        let bucket = |name: &str| format!("/cloud-deploy project_id:{P} resource_type:storage resource_name:{name}");
        let first = lobby(app.run(ADMIN, &bucket("my.bucket")).await);
        // A bucket name is global: the lobby shows the unique name the Terraform gives it.
        assert_eq!(first.written_as, [("my.bucket".to_owned(), "my.bucket-abc123".to_owned())]);
        approve(&app, ADMIN, &first).await;
        let storage = terraform(&app, "storage.tf").await;
        assert!(storage.contains("name                        = \"my.bucket-abc123\""), "{storage}");
        let before = (app.quota(P, "storage.buckets").await, app.quota(P, "compute.instances").await);
        let collide = app.run(ADMIN, &bucket("my_bucket")).await;
        let why = refusal(&collide);
        assert!(why.contains("google_storage_bucket.my_bucket") && why.contains("my.bucket"), "{why}");
        let again = app.run(ADMIN, &bucket("my.bucket")).await;
        assert!(refusal(&again).contains("already exists"), "{again:?}");
        let vm = app
            .run(ADMIN, &format!("/cloud-deploy project_id:{P} resource_type:vm resource_name:worker-01 machine_type:e2-small"))
            .await;
        assert!(refusal(&vm).contains("already exists"), "{vm:?}");
        // A batch whose generated names would collide with a live one.
        let batch = app
            .run(ADMIN, &format!("/cloud-deploy project_id:{P} resource_type:vm resource_name:web-server-0 count:2 machine_type:e2-small"))
            .await;
        assert!(matches!(batch, Reply::Lobby(_)), "web-server-0-1 and -2 are free: {batch:?}");
        let Reply::Lobby(batch) = batch else { unreachable!() };
        app.press(ADMIN, batch.session_id, LobbyAction::Cancel).await;
        let net = app.run(ADMIN, &format!("/cloud-deploy project_id:{P} resource_type:network resource_name:chatops")).await;
        assert!(refusal(&net).contains("reserved"), "the generator's own network names: {net:?}");
        let after = (app.quota(P, "storage.buckets").await, app.quota(P, "compute.instances").await);
        assert_eq!(after, before, "refusals reserve nothing");
        let pending = store::sessions::list_pending(&app.db.db).await.unwrap();
        assert!(pending.is_empty(), "and open no lobby: {pending:?}");
        app.stop().await
    })
    .await;
}

#[tokio::test]
async fn a_cluster_resize_shows_its_node_counts_before_and_after() {
    each_backend(|db| async move {
        let app = start(db, settings()).await;
        let line = format!("/cloud-deploy project_id:{P} resource_type:k8s resource_name:apps");
        approve(&app, ADMIN, &lobby(app.run(ADMIN, &line).await)).await;
        // Past the quota: the refusal states the figures its quota line shows (the cluster's own
        // nodes counted as used, only the difference requested).
        let big =
            lobby(app.run(ADMIN, &format!("/cloud-resize project_id:{P} resource_name:apps node_count:40")).await);
        let cpus = big.verdict.quota.iter().find(|q| q.quota_type.as_str() == "compute.cpus" && !q.fits()).unwrap();
        let stated = format!(
            "({} used + {} reserved of {}), {} requested",
            cpus.used, cpus.reserved, cpus.limit, cpus.requested
        );
        let refusal = big.verdict.violations.iter().find(|v| v.rule == "quota.compute.cpus").unwrap();
        assert!(refusal.message.contains(&stated), "{} / {stated}", refusal.message);
        app.press(ADMIN, big.session_id, LobbyAction::Cancel).await;
        let resize =
            lobby(app.run(ADMIN, &format!("/cloud-resize project_id:{P} resource_name:apps node_count:4")).await);
        let request = cloud_chatops::commands::text::lobby_request(&resize);
        assert_eq!(request, "k8s apps in us-central1: e2-standard-2 ×3 -> e2-standard-2 ×4");
        let instances = resize.verdict.quota.iter().find(|q| q.quota_type.as_str() == "compute.instances").unwrap();
        assert_eq!(instances.requested, 1, "one node more");
        let done = approve(&app, ADMIN, &resize).await;
        assert!(said(&done).contains("from e2-standard-2 ×3 to e2-standard-2 ×4"), "{}", said(&done));
        app.stop().await
    })
    .await;
}
