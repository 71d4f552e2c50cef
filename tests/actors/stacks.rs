//! Stack lobbies (issue 17): one verdict, one reservation and one approval for every resource of a
//! template, all or none, through races, cancel, expiry and restarts; destroy and resize lobbies
//! rehydrate and expire like the others.

use std::sync::Arc;
use std::time::Duration;

use cloud_chatops::check::{self, Repair};
use cloud_chatops::commands::{Invoker, LobbyAction, LobbyView, Reply};
use cloud_chatops::domain::validate::Outcome;
use cloud_chatops::domain::{Catalog, QuotaType, SessionStatus};
use cloud_chatops::{seed, store};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, IntoActiveModel};

use crate::harness::{ADMIN, App, STRANGER, USER, VIEWER, start, start_on};
use crate::support::{TestDb, each_backend, settings};

const P: &str = seed::PROJECT_ID;
const WEB: [&str; 5] = ["shop-net", "shop-vm-1", "shop-vm-2", "shop-lb", "shop-db"];
const LINES: [(&str, i64); 5] = [
    ("compute.instances", 2),
    ("database.instances", 1),
    ("network.load_balancers", 1),
    ("network.vpcs", 1),
    ("compute.cpus", 4),
];

fn stack_line(name: &str) -> String {
    format!("/cloud-stack project_id:{P} template:web name:{name}")
}

async fn open(app: &App, who: Invoker, line: &str) -> LobbyView {
    match app.run(who, line).await {
        Reply::Lobby(view) => view,
        other => panic!("expected a lobby for {line}, got {other:?}"),
    }
}

async fn held(app: &App) -> Vec<(String, i64, i64)> {
    let rows = store::quotas::usage(&app.db.db, P).await.unwrap();
    let mut out: Vec<_> = rows
        .into_iter()
        .filter(|r| r.region == "*" && r.resource_type != QuotaType::BudgetMonthly)
        .map(|r| (r.resource_type.to_string(), r.used, r.reserved))
        .collect();
    out.sort();
    out
}

async fn names(app: &App) -> Vec<String> {
    store::resources::list(&app.db.db, P, None).await.unwrap().into_iter().map(|r| r.name).collect()
}

async fn assert_clean(app: &App) {
    let report = check::run(&app.db.db, &Catalog::builtin(), &app.terraform, Repair::Nothing).await.unwrap();
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
}

#[tokio::test]
async fn a_web_stack_reserves_every_line_and_approval_creates_and_writes_all_five() {
    each_backend(|db| async move {
        let app = start(db, settings()).await;
        let before = held(&app).await;
        let view = open(&app, ADMIN, &stack_line("shop")).await;
        assert_eq!(view.verdict.outcome, Outcome::Allowed, "{:?}", view.verdict);
        assert_eq!(view.template.as_deref(), Some("web"));
        let items: Vec<&str> = view.verdict.items.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(items, WEB, "the cost per resource");
        let total: i64 = view.verdict.items.iter().map(|i| i.hourly.micros()).sum();
        assert_eq!(view.verdict.hourly.micros(), total, "and in total");
        let after = held(&app).await;
        for (quota, amount) in LINES {
            let was = before.iter().find(|l| l.0 == quota).unwrap();
            let now = after.iter().find(|l| l.0 == quota).unwrap();
            assert_eq!(now.2 - was.2, amount, "{quota} reserved on open");
            let shown = view.verdict.quota.iter().find(|q| q.quota_type.as_str() == quota).unwrap();
            assert_eq!(shown.requested, amount, "{quota}: the lobby shows what it reserves");
        }

        let done = app.press(ADMIN, view.session_id, LobbyAction::Approve).await;
        let said = cloud_chatops::commands::text::approved(&done).unwrap_or_default();
        let Reply::StackDeployed(deployed) = done else { panic!("a stack is told as one: {done:?}") };
        assert_eq!(deployed.resources, WEB);
        assert!(said.starts_with("deployed stack "), "{said}");
        let live = names(&app).await;
        assert!(WEB.iter().all(|n| live.iter().any(|l| l == n)), "{live:?}");
        for (quota, amount) in LINES {
            let was = before.iter().find(|l| l.0 == quota).unwrap();
            let now = held(&app).await.into_iter().find(|l| l.0 == quota).unwrap();
            assert_eq!((now.1 - was.1, now.2 - was.2), (amount, 0), "{quota} used, nothing left reserved");
        }
        let dir = app.terraform.join(deployed.terraform_dir.unwrap());
        let all: String = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.path().extension().is_some_and(|x| x == "tf"))
            .map(|e| std::fs::read_to_string(e.path()).unwrap())
            .collect();
        for name in WEB {
            assert!(all.contains(&format!("\"{name}\"")), "{name} written");
        }
        let history = store::history::list_for_project(&app.db.db, P).await.unwrap();
        let entry = history.iter().find(|h| h.session_id == Some(view.session_id) && h.action == "stack");
        let details = entry.expect("one history entry for the approval").details.to_string();
        assert!(WEB.iter().all(|n| details.contains(n)), "naming every resource: {details}");
        assert_clean(&app).await;
        app.stop().await
    })
    .await;
}

#[tokio::test]
async fn a_stack_that_does_not_fit_one_line_is_refused_whole_and_reserves_nothing() {
    each_backend(|db| async move {
        let app = start(db, settings()).await;
        store::quotas::set_limit(&app.db.db, P, QuotaType::DatabaseInstances, 0).await.unwrap();
        let before = held(&app).await;
        let view = open(&app, ADMIN, &stack_line("shop")).await;
        assert_eq!(view.verdict.outcome, Outcome::Denied);
        assert!(
            view.verdict.violations.iter().any(|v| v.message.starts_with("shop-db:")),
            "the violation names its resource: {:?}",
            view.verdict.violations
        );
        assert_eq!(held(&app).await, before, "nothing reserved, not even the lines that fit");
        let pressed = app.press(ADMIN, view.session_id, LobbyAction::Approve).await;
        assert!(matches!(pressed, Reply::Refused { .. }), "{pressed:?}");
        assert_eq!(names(&app).await.len(), 3, "nothing created");
        app.stop().await
    })
    .await;
}

#[tokio::test]
async fn cancel_and_expiry_release_everything_a_stack_held() {
    let mut s = settings();
    s.lobby.timeout_secs = 600;
    let app = start(TestDb::sqlite().await, s).await;
    let before = held(&app).await;
    let cancelled = open(&app, ADMIN, &stack_line("one")).await;
    assert_ne!(held(&app).await, before);
    let closed = app.press(ADMIN, cancelled.session_id, LobbyAction::Cancel).await;
    assert!(matches!(closed, Reply::LobbyClosed { .. }), "{closed:?}");
    assert_eq!(held(&app).await, before, "cancel released every line");

    let expiring = open(&app, ADMIN, &stack_line("two")).await;
    assert_ne!(held(&app).await, before);
    tokio::time::pause();
    tokio::time::advance(Duration::from_secs(605)).await;
    for _ in 0..10 {
        tokio::task::yield_now().await;
    }
    tokio::time::resume();
    let mut app = app;
    let update = tokio::time::timeout(Duration::from_secs(20), app.updates.recv()).await.unwrap().unwrap();
    assert!(
        matches!(&update, Reply::LobbyClosed { session_id, status: SessionStatus::Expired, .. } if *session_id == expiring.session_id),
        "{update:?}"
    );
    assert_eq!(held(&app).await, before, "expiry released every line");
    assert_eq!(names(&app).await.len(), 3);
    app.stop().await.teardown().await;
}

#[tokio::test]
async fn stack_destroy_and_resize_lobbies_survive_a_restart() {
    each_backend(|db| async move {
        let app = start(db, settings()).await;
        let stack = open(&app, ADMIN, &stack_line("keep")).await;
        let destroy = open(&app, ADMIN, &format!("/cloud-destroy project_id:{P} resource_name:worker-01")).await;
        let resize = open(
            &app,
            ADMIN,
            &format!("/cloud-resize project_id:{P} resource_name:api-server-01 machine_type:e2-standard-2"),
        )
        .await;
        let (settings, db) = (app.settings.clone(), app.stop().await);
        // While down, the destroy lobby's deadline passes.
        let mut row = store::sessions::get(&db.db, destroy.session_id).await.unwrap().into_active_model();
        row.expires_at = Set(store::now() - chrono::TimeDelta::minutes(1));
        row.update(&db.db).await.unwrap();

        let mut app = start_on(db, settings).await;
        let update = tokio::time::timeout(Duration::from_secs(20), app.updates.recv()).await.unwrap().unwrap();
        assert!(
            matches!(&update, Reply::LobbyClosed { session_id, .. } if *session_id == destroy.session_id),
            "{update:?}"
        );
        for lobby in [&stack, &resize] {
            let done = app.press(ADMIN, lobby.session_id, LobbyAction::Approve).await;
            assert!(
                matches!(done, Reply::StackDeployed(_) | Reply::Resized(_)),
                "rehydrated {:?}: {done:?}",
                lobby.lobby
            );
        }
        assert!(names(&app).await.iter().any(|n| n == "keep-db"));
        assert!(names(&app).await.iter().any(|n| n == "worker-01"), "the expired destroy removed nothing");
        let instances = held(&app).await.into_iter().find(|l| l.0 == "compute.instances").unwrap();
        assert_eq!((instances.1, instances.2), (5, 0));
        assert_clean(&app).await;
        app.stop().await
    })
    .await;
}

/// Two stacks and four single VMs race for the last two instances and the last database: every
/// stack ends whole or absent, and the quota ends exact.
#[tokio::test]
async fn stacks_and_single_deploys_racing_for_the_last_units_end_all_or_nothing() {
    each_backend(|db| async move {
        let app = Arc::new(start(db, settings()).await);
        store::quotas::set_limit(&app.db.db, P, QuotaType::ComputeInstances, 5).await.unwrap();
        store::quotas::set_limit(&app.db.db, P, QuotaType::DatabaseInstances, 1).await.unwrap();
        let mut tasks = Vec::new();
        for i in 0..6 {
            let app = app.clone();
            tasks.push(tokio::spawn(async move {
                let line = if i < 2 {
                    stack_line(&format!("race{i}"))
                } else {
                    format!(
                        "/cloud-deploy project_id:{P} resource_type:vm resource_name:solo-{i} machine_type:e2-micro"
                    )
                };
                let who = if i < 2 { ADMIN } else { USER };
                match app.run(who, &line).await {
                    Reply::Lobby(view) if view.verdict.outcome == Outcome::Allowed => {
                        app.press(who, view.session_id, LobbyAction::Approve).await.approval().is_some()
                    }
                    _ => false,
                }
            }));
        }
        let mut approved = 0;
        for task in tasks {
            approved += usize::from(task.await.unwrap());
        }
        let live = names(&app).await;
        for i in 0..2 {
            let mine = live.iter().filter(|n| n.starts_with(&format!("race{i}-"))).count();
            assert!(mine == 0 || mine == 5, "stack race{i} is whole or absent: {live:?}");
        }
        let vms =
            store::resources::list(&app.db.db, P, Some(cloud_chatops::domain::ResourceKind::Vm)).await.unwrap().len()
                as i64;
        let instances = held(&app).await.into_iter().find(|l| l.0 == "compute.instances").unwrap();
        assert_eq!((instances.1, instances.2), (vms, 0), "used = live VMs, nothing reserved");
        assert_eq!(vms, 5, "the last two instances went to someone");
        assert!(approved >= 1);
        let app = Arc::into_inner(app).expect("tasks done");
        assert_clean(&app).await;
        app.stop().await
    })
    .await;
}

#[tokio::test]
async fn who_may_open_and_approve_a_stack() {
    each_backend(|db| async move {
        let app = start(db, settings()).await;
        for who in [VIEWER, STRANGER] {
            let view = open(&app, who, &stack_line(&format!("s{}", who.user_id))).await;
            assert_eq!(view.verdict.outcome, Outcome::Denied, "{who:?}");
            let pressed = app.press(ADMIN, view.session_id, LobbyAction::Approve).await;
            assert!(matches!(pressed, Reply::Refused { .. }), "{pressed:?}");
        }
        // The sample CloudUser's grant allows every kind of the stack, in the project's region.
        let user = open(&app, USER, &stack_line("mine")).await;
        assert_eq!(user.verdict.outcome, Outcome::Allowed, "{:?}", user.verdict);
        // Outside the grant's regions, each violation names its resource.
        let far =
            open(&app, USER, &format!("/cloud-stack project_id:{P} template:web name:far region:europe-west1")).await;
        assert_eq!(far.verdict.outcome, Outcome::Denied, "{:?}", far.verdict);
        assert!(far.verdict.violations.iter().all(|v| v.message.starts_with("far-")), "{:?}", far.verdict.violations);
        let other = app.press(STRANGER, user.session_id, LobbyAction::Approve).await;
        assert!(matches!(other, Reply::Refused { .. }), "a stranger never approves: {other:?}");
        let admin = open(&app, ADMIN, &stack_line("theirs")).await;
        assert_eq!(admin.verdict.outcome, Outcome::Allowed);
        let by_user = app.press(USER, admin.session_id, LobbyAction::Approve).await;
        assert!(matches!(by_user, Reply::Refused { .. }), "a CloudUser never approves another's: {by_user:?}");
        let by_admin = app.press(ADMIN, admin.session_id, LobbyAction::Approve).await;
        assert!(matches!(by_admin, Reply::StackDeployed(_)), "{by_admin:?}");
        app.stop().await
    })
    .await;
}

#[tokio::test]
async fn bad_stack_requests_are_refused_and_change_nothing() {
    each_backend(|db| async move {
        let app = start(db, settings()).await;
        let before = held(&app).await;
        let refuse = |reply: Reply| match reply {
            Reply::Refused { message } | Reply::Error { message } => message,
            other => panic!("expected a refusal, got {other:?}"),
        };
        let unknown = refuse(app.run(ADMIN, &format!("/cloud-stack project_id:{P} template:nope name:x")).await);
        assert!(unknown.contains("web") && unknown.contains("worker"), "names the templates: {unknown}");
        let long = refuse(app.run(ADMIN, &stack_line(&"a".repeat(70))).await);
        assert!(long.contains("stack name"), "{long}");
        let upper = refuse(app.run(ADMIN, &stack_line("Shop")).await);
        assert!(upper.contains("stack name"), "{upper}");
        let tier = format!("/cloud-stack project_id:{P} template:worker name:w database_tier:db-g1-small");
        assert!(refuse(app.run(ADMIN, &tier).await).contains("no option `database_tier`"));
        let size = format!("/cloud-stack project_id:{P} template:web name:big machine_type:z9-huge");
        let sized = open(&app, ADMIN, &size).await;
        assert_eq!(sized.verdict.outcome, Outcome::Denied, "an unknown machine type: {:?}", sized.verdict);
        assert!(sized.verdict.violations.iter().any(|v| v.message.starts_with("big-vm-1:")), "{:?}", sized.verdict);
        // A name already taken by a stack resource.
        let first = open(&app, ADMIN, &stack_line("dup")).await;
        assert!(matches!(app.press(ADMIN, first.session_id, LobbyAction::Approve).await, Reply::StackDeployed(_)));
        let again = refuse(app.run(ADMIN, &stack_line("dup")).await);
        assert!(again.contains("already exists"), "{again}");
        let after = held(&app).await;
        for ((quota, used, reserved), (_, was_used, was_reserved)) in after.iter().zip(&before) {
            assert_eq!(*reserved, *was_reserved, "{quota}: nothing left reserved");
            assert!(*used >= *was_used);
        }
        app.stop().await
    })
    .await;
}

/// A team's own template whose wiring the generator could not write (a database on one network
/// whose client VM is on another) is refused when the lobby opens, holding nothing.
#[tokio::test]
async fn a_stack_whose_wiring_cannot_be_written_is_refused_at_open() {
    each_backend(|db| async move {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("stacks.toml");
        std::fs::write(
            &path,
            r#"
            [split]
            description = "a database on its network, its client elsewhere"
            options = ["region"]
            resources = [
              { suffix = "net", kind = "network" },
              { suffix = "vm", kind = "vm" },
              { suffix = "db", kind = "database", network = "net", clients = ["vm"] },
            ]
            "#,
        )
        .unwrap();
        let mut s = settings();
        s.catalog.stacks_path = path.display().to_string();
        let app = start(db, s).await;
        let before = held(&app).await;
        let reply = app.run(ADMIN, &format!("/cloud-stack project_id:{P} template:split name:odd")).await;
        let (Reply::Refused { message } | Reply::Error { message }) = &reply else { panic!("{reply:?}") };
        assert!(message.contains("cannot be written") && message.contains("odd-vm"), "{message}");
        assert_eq!(held(&app).await, before, "nothing reserved");
        app.stop().await
    })
    .await;
}
