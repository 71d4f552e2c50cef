//! Crash recovery: the binary is aborted at each step of an approval (`CLOUD_CHATOPS_CRASH_AT`),
//! then restarted. Each time the project ends either fully deployed (resource, quota, session,
//! history and, after `check --repair`, Terraform agree) or not deployed with its quota held only
//! by a live lobby, which can still be closed; never half.

#[path = "common/binary.rs"]
mod common_binary;

use common_binary::{binary, with_input};
use std::os::unix::process::ExitStatusExt;
use std::path::Path;

use cloud_chatops::check::{self, Repair};
use cloud_chatops::crash::STEPS;
use cloud_chatops::domain::Catalog;
use cloud_chatops::{seed, store};

const NAME: &str = "web-crash";

/// What the database and the disk say after the restart.
#[derive(Debug, Clone, PartialEq)]
struct State {
    resources: usize,
    quota: (i64, i64),
    session: String,
    deploy_entries: usize,
    terraform_has_it: bool,
}

async fn state(dir: &Path) -> State {
    let db = store::connect(&format!("sqlite://{}", dir.join("cloud_chatops.db").display())).await.unwrap();
    let resources = store::resources::list(&db, seed::PROJECT_ID, None).await.unwrap();
    let rows = store::quotas::usage(&db, seed::PROJECT_ID).await.unwrap();
    let row = rows.iter().find(|r| r.resource_type.as_str() == "compute.instances" && r.region == "*").unwrap();
    let history = store::history::list_for_project(&db, seed::PROJECT_ID).await.unwrap();
    let session = history.iter().find_map(|h| h.session_id).expect("the lobby opened");
    let status = store::sessions::get(&db, session).await.unwrap().status;
    let findings = check::run(&db, &Catalog::builtin(), &dir.join("tf"), Repair::Nothing).await.unwrap().findings;
    assert!(findings.is_empty(), "after recovery every invariant holds: {findings:#?}");
    db.close().await.ok();
    let compute = std::fs::read_to_string(dir.join("tf/terraform_gcp_gcp-abc123/compute.tf")).unwrap_or_default();
    State {
        resources: resources.iter().filter(|r| r.name == NAME).count(),
        quota: (row.used, row.reserved),
        session: status.to_string(),
        deploy_entries: history.iter().filter(|h| h.action == "deploy").count(),
        terraform_has_it: compute.contains(NAME),
    }
}

async fn pending_session(dir: &Path) -> Option<String> {
    let db = store::connect(&format!("sqlite://{}", dir.join("cloud_chatops.db").display())).await.unwrap();
    let pending = store::sessions::list_pending(&db).await.unwrap();
    db.close().await.ok();
    pending.first().map(|s| s.id.to_string())
}

#[tokio::test]
async fn an_approval_killed_at_any_step_ends_whole_or_not_at_all() {
    let deployed =
        State { resources: 1, quota: (4, 0), session: "approved".into(), deploy_entries: 1, terraform_has_it: true };
    let mut survived = 0;
    for step in STEPS {
        let dir = tempfile::tempdir().unwrap();
        let script = format!(
            "/cloud-deploy project_id:gcp-abc123 resource_type:vm resource_name:{NAME} machine_type:e2-small\napprove\n"
        );
        let mut crashing = binary(dir.path(), &["console", "--json"]);
        crashing.env("CLOUD_CHATOPS_CRASH_AT", step);
        let out = with_input(crashing, &script);
        assert_eq!(out.status.signal(), Some(libc::SIGABRT), "{step}: the process was killed there: {out:?}");
        assert!(
            !String::from_utf8_lossy(&out.stdout).contains("\"kind\":\"deployed\""),
            "{step}: died before replying"
        );

        // Restart: the repair, then the bot again, which closes a lobby left pending.
        let repair = binary(dir.path(), &["check", "--repair"]).output().unwrap();
        assert!(repair.status.success(), "{step}: {}", String::from_utf8_lossy(&repair.stdout));
        let leftovers: Vec<_> = std::fs::read_dir(dir.path().join("tf"))
            .map(|d| d.filter_map(Result::ok).map(|e| e.file_name().to_string_lossy().into_owned()).collect())
            .unwrap_or_default();
        assert!(leftovers.iter().all(|n| !n.contains(".tmp-")), "{step}: half-written directory left: {leftovers:?}");
        let cancel = pending_session(dir.path()).await.map(|id| format!("cancel {id}\n")).unwrap_or_default();
        let out = with_input(binary(dir.path(), &["console", "--json"]), &cancel);
        assert!(out.status.success(), "{step}: restart: {}", String::from_utf8_lossy(&out.stderr));

        let got = state(dir.path()).await;
        let expected = match step {
            // Killed with only the reservation made: the lobby lived on and was closed after the restart.
            "after_reserve" => State {
                resources: 0,
                quota: (3, 0),
                session: "cancelled".into(),
                deploy_entries: 0,
                terraform_has_it: false,
            },
            _ => deployed.clone(),
        };
        assert_eq!(got, expected, "{step}");
        survived += 1;
    }
    println!("crash recovery: {survived} crashes survived ({})", STEPS.join(", "));
    assert_eq!(survived, STEPS.len());
}
