//! Crash recovery for destroy, resize and stack lobbies: the binary is aborted at each step of the
//! approval (`CLOUD_CHATOPS_CRASH_AT`) and restarted. Each time the project ends with the change
//! whole (resources, quota, session, history and, after `check --repair`, Terraform agree) or not
//! made at all with nothing left held; never half a stack, never a quota freed twice.

#[path = "common/binary.rs"]
mod common_binary;

use std::os::unix::process::ExitStatusExt;
use std::path::Path;

use cloud_chatops::check::{self, Repair};
use cloud_chatops::crash::STEPS;
use cloud_chatops::domain::Catalog;
use cloud_chatops::{seed, store};
use common_binary::{binary, with_input};

/// What the database and the disk say after the restart.
#[derive(Debug, Clone, PartialEq)]
struct State {
    /// Live resources of the project, by name.
    names: Vec<String>,
    /// (used, reserved) of compute.instances and compute.cpus.
    instances: (i64, i64),
    cpus: (i64, i64),
    session: String,
    /// Approval entries of the lobby's kind.
    entries: usize,
    /// The compute file's text.
    compute: String,
}

async fn state(dir: &Path, action: &str) -> State {
    let db = store::connect(&format!("sqlite://{}", dir.join("cloud_chatops.db").display())).await.unwrap();
    let mut names: Vec<String> =
        store::resources::list(&db, seed::PROJECT_ID, None).await.unwrap().into_iter().map(|r| r.name).collect();
    names.sort();
    let rows = store::quotas::usage(&db, seed::PROJECT_ID).await.unwrap();
    let line = |t: &str| {
        let row = rows.iter().find(|r| r.resource_type.as_str() == t && r.region == "*").unwrap();
        (row.used, row.reserved)
    };
    let history = store::history::list_for_project(&db, seed::PROJECT_ID).await.unwrap();
    let session = history.iter().rev().find_map(|h| h.session_id).expect("the lobby opened");
    let status = store::sessions::get(&db, session).await.unwrap().status;
    let findings = check::run(&db, &Catalog::builtin(), &dir.join("tf"), Repair::Nothing).await.unwrap().findings;
    assert!(findings.is_empty(), "after recovery every invariant holds: {findings:#?}");
    db.close().await.ok();
    State {
        names,
        instances: line("compute.instances"),
        cpus: line("compute.cpus"),
        session: status.to_string(),
        entries: history.iter().filter(|h| h.action == action && h.session_id == Some(session)).count(),
        compute: std::fs::read_to_string(dir.join("tf/terraform_gcp_gcp-abc123/compute.tf")).unwrap_or_default(),
    }
}

async fn pending_session(dir: &Path) -> Option<String> {
    let db = store::connect(&format!("sqlite://{}", dir.join("cloud_chatops.db").display())).await.unwrap();
    let pending = store::sessions::list_pending(&db).await.unwrap();
    db.close().await.ok();
    pending.first().map(|s| s.id.to_string())
}

/// Runs `line` as the sample CloudAdmin and approves it, killed at `step`; then the restart.
async fn crash_and_restart(step: &str, line: &str, action: &str) -> State {
    let dir = tempfile::tempdir().unwrap();
    let script = format!("as {}\n{line}\napprove\n", seed::ADMIN_ID);
    let mut crashing = binary(dir.path(), &["console", "--json"]);
    crashing.env("CLOUD_CHATOPS_CRASH_AT", step);
    let out = with_input(crashing, &script);
    assert_eq!(out.status.signal(), Some(libc::SIGABRT), "{step}: the process was killed there: {out:?}");

    let repair = binary(dir.path(), &["check", "--repair"]).output().unwrap();
    assert!(repair.status.success(), "{step}: {}", String::from_utf8_lossy(&repair.stdout));
    let cancel =
        pending_session(dir.path()).await.map(|id| format!("as {}\ncancel {id}\n", seed::ADMIN_ID)).unwrap_or_default();
    let out = with_input(binary(dir.path(), &["console", "--json"]), &cancel);
    assert!(out.status.success(), "{step}: restart: {}", String::from_utf8_lossy(&out.stderr));
    state(dir.path(), action).await
}

fn seed_names(extra: &[&str], without: &[&str]) -> Vec<String> {
    let mut names: Vec<String> = ["api-server-01", "api-server-02", "worker-01"]
        .iter()
        .chain(extra)
        .filter(|n| !without.contains(n))
        .map(|n| (*n).to_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn a_destroy_killed_at_any_step_removes_the_vm_once_or_not_at_all() {
    for step in STEPS {
        let got =
            crash_and_restart(step, "/cloud-destroy project_id:gcp-abc123 resource_name:worker-01", "destroy").await;
        if step == "after_reserve" {
            assert_eq!(got.names, seed_names(&[], &[]), "{step}");
            assert_eq!((got.instances, got.cpus, got.entries), ((3, 0), (6, 0), 0), "{step}");
            assert_eq!(got.session, "cancelled", "{step}");
            assert!(got.compute.contains("worker-01"), "{step}");
        } else {
            assert_eq!(got.names, seed_names(&[], &["worker-01"]), "{step}");
            assert_eq!((got.instances, got.cpus, got.entries), ((2, 0), (4, 0), 1), "{step}: freed once");
            assert_eq!(got.session, "approved", "{step}");
            assert!(!got.compute.contains("worker-01"), "{step}: gone from the Terraform");
        }
    }
}

#[tokio::test]
async fn a_resize_killed_at_any_step_changes_the_vm_once_or_not_at_all() {
    let line = "/cloud-resize project_id:gcp-abc123 resource_name:worker-01 machine_type:e2-standard-4";
    for step in STEPS {
        let got = crash_and_restart(step, line, "resize").await;
        assert_eq!(got.names, seed_names(&[], &[]), "{step}");
        let block = got.compute.split("resource ").find(|b| b.contains("\"worker-01\"")).unwrap_or_default().to_owned();
        if step == "after_reserve" {
            assert_eq!((got.instances, got.cpus, got.entries), ((3, 0), (6, 0), 0), "{step}");
            assert!(block.contains("\"e2-small\""), "{step}: {block}");
        } else {
            assert_eq!((got.instances, got.cpus, got.entries), ((3, 0), (8, 0), 1), "{step}: +2 CPUs once");
            assert!(block.contains("\"e2-standard-4\""), "{step}: {block}");
        }
    }
}

#[tokio::test]
async fn a_stack_killed_at_any_step_is_created_whole_or_not_at_all() {
    let stack = ["shop-db", "shop-lb", "shop-net", "shop-vm-1", "shop-vm-2"];
    for step in STEPS {
        let got = crash_and_restart(step, "/cloud-stack project_id:gcp-abc123 template:web name:shop", "stack").await;
        if step == "after_reserve" {
            assert_eq!(got.names, seed_names(&[], &[]), "{step}: none of the stack");
            assert_eq!((got.instances, got.cpus, got.entries), ((3, 0), (6, 0), 0), "{step}");
        } else {
            assert_eq!(got.names, seed_names(&stack, &[]), "{step}: all of the stack");
            assert_eq!((got.instances, got.cpus, got.entries), ((5, 0), (10, 0), 1), "{step}");
            assert!(got.compute.contains("shop-vm-2"), "{step}");
        }
    }
}
