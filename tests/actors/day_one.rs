//! The day-one commands through the actor tree: `/cloud-history`, `/cloud-whoami` and
//! `/cloud-quota-set` (refusals change nothing; the budget line moves the project's budget).

use cloud_chatops::commands::{LobbyAction, Reply};
use cloud_chatops::console::parse_line;
use cloud_chatops::domain::Money;
use cloud_chatops::store;

use crate::harness::{ADMIN, GUILD_ADMIN, STRANGER, USER, VIEWER, start};
use crate::support::{each_backend, settings};

#[tokio::test]
async fn history_shows_who_requested_and_who_decided_newest_first() {
    each_backend(|db| async move {
        let app = start(db, settings()).await;
        let lobby = app.open_vm(USER, "hist-web-1", "e2-small").await;
        let approved = app.press(ADMIN, lobby.session_id, LobbyAction::Approve).await;
        assert!(matches!(approved, Reply::Deployed(_)), "{approved:?}");

        let reply = app.run(VIEWER, "/cloud-history project_id:gcp-abc123").await;
        let Reply::History { project_id, entries } = reply else { panic!("{reply:?}") };
        assert_eq!(project_id, "gcp-abc123");
        let ours: Vec<_> = entries.iter().filter(|h| h.session_id == Some(lobby.session_id)).collect();
        assert_eq!(ours.len(), 2, "the request and the approval: {ours:?}");
        let (deploy, request) = (ours[0], ours[1]);
        assert_eq!((deploy.action.as_str(), deploy.outcome.as_str()), ("deploy", "success"), "newest first");
        assert_eq!(deploy.requested_by, USER.user_id);
        assert_eq!(deploy.decided_by, Some(ADMIN.user_id), "the approver is shown beside the requester");
        assert_eq!(deploy.hourly, Some(Money::from_micros(16_800)));
        assert_eq!((request.action.as_str(), request.decided_by), ("request", None));
        assert_eq!(request.verdict.as_deref(), Some("allowed"));
        assert_eq!(deploy.resource_name.as_deref(), Some("hist-web-1"));

        let one = app.run(VIEWER, "/cloud-history project_id:gcp-abc123 limit:1").await;
        assert!(matches!(&one, Reply::History { entries, .. } if entries.len() == 1), "{one:?}");
        let refused = app.run(STRANGER, "/cloud-history project_id:gcp-abc123").await;
        assert!(matches!(refused, Reply::Refused { .. }), "{refused:?}");
        let bad = parse_line("/cloud-history project_id:gcp-abc123 limit:0").err().map(|e| e.to_string());
        assert!(bad.as_deref().is_some_and(|e| e.contains("limit")), "{bad:?}");
        app.stop().await
    })
    .await;
}

#[tokio::test]
async fn whoami_shows_roles_limits_and_budget_left() {
    each_backend(|db| async move {
        let app = start(db, settings()).await;
        let reply = app.run(USER, "/cloud-whoami").await;
        let Reply::WhoAmI(me) = reply else { panic!("{reply:?}") };
        assert_eq!(me.user_id, USER.user_id);
        let gcp = me.roles.iter().find(|r| r.provider == "gcp").unwrap();
        assert_eq!(gcp.role.as_deref(), Some("CloudUser"));
        assert!(gcp.granted && gcp.summary.contains("VMs up to medium"), "{gcp:?}");
        let project = me.projects.iter().find(|p| p.project_id == "gcp-abc123").expect("the sample project");
        let budget = project.budget.expect("the sample project has a budget");
        assert_eq!(project.remaining, Some(Money::from_micros(budget.micros() - project.committed.micros())));
        assert!(project.committed > Money::ZERO, "the sample resources cost something");

        // An open lobby holds part of the budget until it ends.
        let lobby = app.open_vm(USER, "whoami-web", "e2-small").await;
        let Reply::WhoAmI(after) = app.run(USER, "/cloud-whoami").await else { panic!() };
        let held = after.projects.iter().find(|p| p.project_id == "gcp-abc123").unwrap();
        assert_eq!(held.held, lobby.verdict.monthly);
        assert_eq!(
            held.remaining.unwrap().micros(),
            project.remaining.unwrap().micros() - lobby.verdict.monthly.micros()
        );

        let Reply::WhoAmI(nobody) = app.run(STRANGER, "/cloud-whoami").await else { panic!() };
        assert!(nobody.roles.iter().all(|r| r.role.is_none()) && nobody.projects.is_empty(), "{nobody:?}");
        app.stop().await
    })
    .await;
}

#[tokio::test]
async fn quota_limits_are_set_by_guild_administrators_never_below_use() {
    each_backend(|db| async move {
        let app = start(db, settings()).await;
        let (used, _) = app.quota("gcp-abc123", "compute.instances").await;

        let refused =
            app.run(ADMIN, "/cloud-quota-set project_id:gcp-abc123 quota_type:compute.instances limit:20").await;
        assert!(matches!(refused, Reply::Refused { .. }), "a CloudAdmin is not a guild administrator: {refused:?}");

        let below = format!("/cloud-quota-set project_id:gcp-abc123 quota_type:compute.instances limit:{}", used - 1);
        let below = app.run(GUILD_ADMIN, &below).await;
        assert!(matches!(&below, Reply::Error { message } if message.contains("below")), "{below:?}");
        let fraction = parse_line("/cloud-quota-set project_id:gcp-abc123 quota_type:compute.cpus limit:2.5")
            .err()
            .map(|e| e.to_string());
        assert!(fraction.as_deref().is_some_and(|e| e.contains("whole")), "{fraction:?}");
        let limit = |rows: &[entities::cloud_quotas::Model], t: &str| {
            rows.iter().find(|r| r.resource_type.as_str() == t && r.region == "*").unwrap().quota_limit
        };
        let rows = store::quotas::usage(&app.db.db, "gcp-abc123").await.unwrap();
        assert_eq!(limit(&rows, "compute.instances"), 10, "refusals change nothing");

        let set =
            app.run(GUILD_ADMIN, "/cloud-quota-set project_id:gcp-abc123 quota_type:compute.instances limit:20").await;
        let Reply::QuotaSet { quota, .. } = &set else { panic!("{set:?}") };
        assert_eq!((quota.limit, quota.used), (20, used));

        let budget =
            app.run(GUILD_ADMIN, "/cloud-quota-set project_id:gcp-abc123 quota_type:budget.monthly limit:5000").await;
        assert!(matches!(budget, Reply::QuotaSet { .. }), "{budget:?}");
        let project = store::projects::get(&app.db.db, "gcp-abc123").await.unwrap();
        assert_eq!(project.monthly_budget_micros, Some(5_000_000_000), "the project's budget follows its line");
        let rows = store::quotas::usage(&app.db.db, "gcp-abc123").await.unwrap();
        assert_eq!(limit(&rows, "compute.instances"), 20);

        let history = store::history::list_for_project(&app.db.db, "gcp-abc123").await.unwrap();
        assert_eq!(history.iter().filter(|h| h.action == "quota-set").count(), 2, "each change is audited");
        app.stop().await
    })
    .await;
}

#[tokio::test]
async fn the_sample_policies_let_the_sample_grants_work() {
    use cloud_chatops::domain::validate::Outcome;
    each_backend(|db| async move {
        let app = start(db, settings()).await;
        // The sample CloudUser's second region is allowed by the sample region policy.
        let asia = app
            .run(USER, "/cloud-deploy project_id:gcp-abc123 resource_type:vm resource_name:asia-web machine_type:e2-small region:asia-southeast1")
            .await;
        let Reply::Lobby(asia) = asia else { panic!("{asia:?}") };
        assert!(!asia.verdict.violations.iter().any(|v| v.rule.starts_with("policy.region")), "{:?}", asia.verdict);
        assert_eq!(asia.verdict.outcome, Outcome::Allowed, "{:?}", asia.verdict);

        // An Azure project's regions are not blocked by the GCP and AWS region policies.
        let init = app.run(GUILD_ADMIN, "/cloud-init provider:azure project_name:\"Azure Trial\" region:eastus").await;
        let Reply::ProjectCreated { project } = init else { panic!("{init:?}") };
        for region in ["eastus", "westeurope"] {
            let line = format!(
                "/cloud-deploy project_id:{} resource_type:storage resource_name:trialbucket{region} region:{region}",
                project.id
            );
            let Reply::Lobby(lobby) = app.run(GUILD_ADMIN, &line).await else { panic!("{line}") };
            assert!(!lobby.verdict.violations.iter().any(|v| v.rule.starts_with("policy.region")), "{:?}", lobby.verdict);
        }
        // A GCP region outside the list is still refused by the GCP policy.
        let line = "/cloud-deploy project_id:gcp-abc123 resource_type:storage resource_name:west-bucket region:us-west1";
        let Reply::Lobby(west) = app.run(GUILD_ADMIN, line).await else { panic!("{line}") };
        assert!(west.verdict.violations.iter().any(|v| v.rule == "policy.region"), "{:?}", west.verdict);
        app.stop().await
    })
    .await;
}

#[tokio::test]
async fn a_project_created_without_a_budget_gets_one_that_counts_what_it_already_spends() {
    use cloud_chatops::check::{self, Repair};
    use cloud_chatops::domain::Catalog;
    each_backend(|db| async move {
        let app = start(db, settings()).await;
        let init = app.run(GUILD_ADMIN, "/cloud-init provider:gcp project_name:\"No Budget\" region:us-central1").await;
        let Reply::ProjectCreated { project } = init else { panic!("{init:?}") };
        let id = project.id.clone();
        let deploy = |name: &str| {
            format!("/cloud-deploy project_id:{id} resource_type:vm resource_name:{name} machine_type:e2-small")
        };
        let Reply::Lobby(first) = app.run(ADMIN, &deploy("nb-web-1")).await else { panic!() };
        let approved = app.press(ADMIN, first.session_id, LobbyAction::Approve).await;
        assert!(matches!(approved, Reply::Deployed(_)), "{approved:?}");
        let spend = first.verdict.monthly;
        assert!(spend > Money::ZERO);

        // An open lobby was priced without a budget: the first budget waits for it.
        let Reply::Lobby(open) = app.run(ADMIN, &deploy("nb-web-2")).await else { panic!() };
        let set = |limit: &str| format!("/cloud-quota-set project_id:{id} quota_type:budget.monthly limit:{limit}");
        let waiting = app.run(GUILD_ADMIN, &set("500")).await;
        assert!(matches!(&waiting, Reply::Error { message } if message.contains("open lobby")), "{waiting:?}");
        let cancelled = app.press(ADMIN, open.session_id, LobbyAction::Cancel).await;
        assert!(!matches!(cancelled, Reply::Error { .. }), "{cancelled:?}");
        let below = app.run(GUILD_ADMIN, &set("1")).await;
        assert!(matches!(&below, Reply::Error { message } if message.contains("cost a month")), "{below:?}");
        assert!(
            store::projects::get(&app.db.db, &id).await.unwrap().monthly_budget_micros.is_none(),
            "refusals change nothing"
        );

        let reply = app.run(GUILD_ADMIN, &set("500")).await;
        let Reply::QuotaSet { quota, .. } = &reply else { panic!("{reply:?}") };
        assert_eq!((quota.limit, quota.used), (500_000_000, spend.micros()), "the line starts at what is spent");
        assert_eq!(store::projects::get(&app.db.db, &id).await.unwrap().monthly_budget_micros, Some(500_000_000));
        let findings =
            check::run(&app.db.db, &Catalog::builtin(), &app.terraform, Repair::Nothing).await.unwrap().findings;
        assert!(findings.is_empty(), "the books agree: {findings:#?}");

        // From now on lobbies are held to it and approvals move it.
        let Reply::Lobby(third) = app.run(ADMIN, &deploy("nb-web-3")).await else { panic!() };
        assert!(matches!(app.press(ADMIN, third.session_id, LobbyAction::Approve).await, Reply::Deployed(_)));
        let rows = store::quotas::usage(&app.db.db, &id).await.unwrap();
        let line = rows.iter().find(|r| r.resource_type.as_str() == "budget.monthly").unwrap();
        assert_eq!(line.used, spend.micros() + third.verdict.monthly.micros());
        let findings =
            check::run(&app.db.db, &Catalog::builtin(), &app.terraform, Repair::Nothing).await.unwrap().findings;
        assert!(findings.is_empty(), "{findings:#?}");
        app.stop().await
    })
    .await;
}
