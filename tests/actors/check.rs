//! `cloud-chatops check`: a consistent database has no mismatch; each broken invariant is reported,
//! left alone without `--repair` and put right with it; start-up gives back orphaned reservations.

use chrono::TimeDelta;
use cloud_chatops::check::{self, Finding, Repair};
use cloud_chatops::commands::{LobbyAction, Reply};
use cloud_chatops::domain::Catalog;
use cloud_chatops::{seed, store};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, IntoActiveModel};

use crate::harness::{App, USER, start, start_on};
use crate::support::{each_backend, settings};

async fn run(app: &App, repair: Repair) -> Vec<Finding> {
    check::run(&app.db.db, &Catalog::builtin(), &app.terraform, repair).await.expect("check runs").findings
}

/// Adds `used` and `reserved` to a quota row behind every actor's back.
async fn skew(app: &App, quota_type: &str, used: i64, reserved: i64) {
    let rows = store::quotas::usage(&app.db.db, seed::PROJECT_ID).await.unwrap();
    let row = rows.into_iter().find(|r| r.resource_type.as_str() == quota_type && r.region == "*").unwrap();
    let (u, r) = (row.used, row.reserved);
    let mut row = row.into_active_model();
    row.used = Set(u + used);
    row.reserved = Set(r + reserved);
    row.update(&app.db.db).await.unwrap();
}

async fn deploy(app: &App, name: &str) -> String {
    let lobby = app.open_vm(USER, name, "e2-small").await;
    match app.press(USER, lobby.session_id, LobbyAction::Approve).await {
        Reply::Deployed(view) => view.terraform_dir.unwrap(),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_consistent_database_has_no_mismatch() {
    each_backend(|db| async move {
        let app = start(db, settings()).await;
        deploy(&app, "web-ok").await;
        let _pending = app.open_vm(USER, "web-pending", "e2-micro").await;
        let findings = run(&app, Repair::Nothing).await;
        assert!(findings.is_empty(), "{}: {findings:#?}", app.db.backend);
        app.stop().await
    })
    .await;
}

#[tokio::test]
async fn each_broken_invariant_is_reported_then_repaired() {
    each_backend(|db| async move {
        let app = start(db, settings()).await;
        let dir = app.terraform.join(deploy(&app, "web-ok").await);
        let late = app.open_vm(USER, "web-late", "e2-micro").await;
        assert_eq!(app.quota(seed::PROJECT_ID, "compute.instances").await, (4, 1));

        // Break one thing per invariant.
        skew(&app, "compute.instances", 0, 2).await; // reserved by no lobby
        skew(&app, "compute.cpus", 3, 0).await; // used by no resource
        let mut row = store::sessions::get(&app.db.db, late.session_id).await.unwrap().into_active_model();
        row.expires_at = Set(store::now() - TimeDelta::minutes(5));
        row.update(&app.db.db).await.unwrap();
        std::fs::write(dir.join("compute.tf"), "# edited by hand\n").unwrap();

        let found = run(&app, Repair::Nothing).await;
        let kinds: Vec<&str> = found.iter().map(|f| f.invariant).collect();
        for want in ["overdue", "reserved", "used", "terraform"] {
            assert!(kinds.contains(&want), "{want} missing from {found:#?}");
        }
        assert!(found.iter().all(|f| f.repaired.is_none()), "a plain check changes nothing");
        assert_eq!(app.quota(seed::PROJECT_ID, "compute.instances").await, (4, 3));
        assert_eq!(app.status(late.session_id).await, "pending");

        let repaired = run(&app, Repair::All).await;
        assert!(repaired.iter().all(|f| f.repaired.is_some()), "{repaired:#?}");
        assert_eq!(app.status(late.session_id).await, "expired");
        assert_eq!(app.quota(seed::PROJECT_ID, "compute.instances").await, (4, 0), "orphan and overdue released");
        let (cpus, _) = app.quota(seed::PROJECT_ID, "compute.cpus").await;
        assert_eq!(cpus, 8, "3 e2-medium/e2-small seed VMs and one e2-small: 4 x 2 vCPUs");
        assert!(std::fs::read_to_string(dir.join("compute.tf")).unwrap().contains("web-ok"));
        let history = store::history::list_for_project(&app.db.db, seed::PROJECT_ID).await.unwrap();
        assert!(history.iter().any(|h| h.action == "expire" && h.session_id == Some(late.session_id)));

        let again = run(&app, Repair::Nothing).await;
        assert!(again.is_empty(), "repair leaves nothing to find: {again:#?}");
        app.stop().await
    })
    .await;
}

#[tokio::test]
async fn start_up_gives_back_reservations_of_lobbies_that_no_longer_exist() {
    each_backend(|db| async move {
        let app = start(db, settings()).await;
        let live = app.open_vm(USER, "web-live", "e2-micro").await;
        skew(&app, "compute.instances", 0, 3).await;
        skew(&app, "compute.cpus", 5, 0).await;
        assert_eq!(app.quota(seed::PROJECT_ID, "compute.instances").await, (3, 4));
        let settings = app.settings.clone();
        let app = start_on(app.stop().await, settings).await;
        assert_eq!(app.quota(seed::PROJECT_ID, "compute.instances").await, (3, 1), "only the live lobby's unit");
        let (cpus, _) = app.quota(seed::PROJECT_ID, "compute.cpus").await;
        assert_eq!(cpus, 6 + 5, "start-up repairs reservations only; `used` waits for check --repair");
        assert_eq!(app.status(live.session_id).await, "pending");
        app.stop().await
    })
    .await;
}

#[tokio::test]
async fn a_first_start_leaves_nothing_for_check_to_find() {
    each_backend(|db| async move {
        let app = start(db, settings()).await;
        let findings = run(&app, Repair::Nothing).await;
        assert!(findings.is_empty(), "{}: the sample data's VMs got their Terraform: {findings:#?}", app.db.backend);
        let compute = std::fs::read_to_string(app.terraform.join("terraform_gcp_gcp-abc123/compute.tf")).unwrap();
        let web = compute.split("resource \"google_compute_instance\" \"api-server-01\"").nth(1).unwrap();
        assert!(web.contains("machine_type = \"e2-medium\""), "the size the seed priced:\n{compute}");
        app.stop().await
    })
    .await;
}

#[tokio::test]
async fn start_up_regenerates_a_directory_that_differs_from_the_database() {
    each_backend(|db| async move {
        let app = start(db, settings()).await;
        let dir = app.terraform.join(deploy(&app, "web-ok").await);
        // What a kill in the middle of approvals can leave: a stale file, a missing one.
        std::fs::write(dir.join("compute.tf"), "# Generated by cloud-chatops, but stale\n").unwrap();
        std::fs::remove_file(dir.join("outputs.tf")).unwrap();
        std::fs::write(dir.join("custom.tf"), "# the team's\n").unwrap();
        assert!(run(&app, Repair::Nothing).await.iter().any(|f| f.invariant == "terraform"));

        let report = check::on_startup(&app.db.db, &Catalog::builtin(), &app.terraform).await.unwrap();
        assert!(report.findings.iter().any(|f| f.invariant == "terraform" && f.repaired.is_some()), "{report:#?}");
        let again = run(&app, Repair::Nothing).await;
        assert!(again.is_empty(), "clean after the restart's check, without --repair: {again:#?}");
        assert!(std::fs::read_to_string(dir.join("compute.tf")).unwrap().contains("web-ok"));
        assert_eq!(std::fs::read_to_string(dir.join("custom.tf")).unwrap(), "# the team's\n");
        app.stop().await
    })
    .await;
}

#[tokio::test]
async fn a_write_killed_after_its_commit_is_finished_at_start_up() {
    each_backend(|db| async move {
        let app = start(db, settings()).await;
        let dir = app.terraform.join(deploy(&app, "web-ok").await);
        // What a kill between a write's commit and its last rename leaves: the committed set in
        // `.chatops/commit`, one file not yet moved into place.
        let commit = dir.join(".chatops/commit");
        std::fs::create_dir(&commit).unwrap();
        std::fs::rename(dir.join("compute.tf"), commit.join("compute.tf")).unwrap();
        std::fs::copy(dir.join(".chatops/manifest"), commit.join("manifest")).unwrap();
        let found = run(&app, Repair::Nothing).await;
        assert!(found.iter().any(|f| f.detail.contains("interrupted write")), "{found:#?}");

        check::on_startup(&app.db.db, &Catalog::builtin(), &app.terraform).await.unwrap();
        assert!(run(&app, Repair::Nothing).await.is_empty());
        assert!(std::fs::read_to_string(dir.join("compute.tf")).unwrap().contains("web-ok"));
        assert!(!commit.exists(), "the commit was rolled forward");
        app.stop().await
    })
    .await;
}
