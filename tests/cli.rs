//! The binary on a fresh directory: `migrate` creates the tables, `seed` twice leaves the same rows.

#[path = "common/binary.rs"]
mod common_binary;

use std::path::Path;

use common_binary::{binary, with_input};

fn run(dir: &Path, args: &[&str]) -> String {
    let out = binary(dir, args).output().expect("run cloud-chatops");
    assert!(out.status.success(), "{args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn migrate_then_seed_twice_on_a_fresh_directory() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["migrate"]);
    assert!(out.contains("up to date"), "{out}");
    assert!(dir.path().join("cloud_chatops.db").exists(), "the embedded default is a file in the working directory");

    let first = run(dir.path(), &["seed"]);
    assert!(first.contains("created project: gcp-abc123 \"Production API\""), "{first}");
    assert_eq!(first.lines().filter(|l| l.starts_with("created ")).count(), 11, "{first}");
    let second = run(dir.path(), &["seed"]);
    assert!(second.contains("nothing created"), "{second}");
}

#[test]
fn migrate_down_needs_confirmation() {
    let dir = tempfile::tempdir().unwrap();
    run(dir.path(), &["migrate"]);
    let out = binary(dir.path(), &["migrate", "--down"]).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--yes"));
    let out = run(dir.path(), &["migrate", "--down", "--yes"]);
    assert!(out.contains("rolled back"), "{out}");
}

fn run_with_input(dir: &Path, args: &[&str], input: &str) -> (String, String) {
    let out = with_input(binary(dir, args), input);
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    (String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

#[test]
fn the_seed_flow_through_a_piped_console_in_json() {
    let dir = tempfile::tempdir().unwrap();
    let script = "\
as 222222222 admin
/cloud-init provider:gcp project_name:\"Demo API\" region:us-central1 budget_limit:500
/cloud-grant user:111111111 provider:gcp role:user regions:us-central1,asia-southeast1 budget_limit:3000
as 111111111
/cloud-deploy project_id:gcp-abc123 resource_type:vm resource_name:web-server-04 machine_type:e2-small
approve
/cloud-quota project_id:gcp-abc123
/cloud-list project_id:gcp-abc123
/cloud-frobnicate
/cloud-projects
";
    let (stdout, _) = run_with_input(dir.path(), &["console", "--json"], script);
    let replies: Vec<serde_json::Value> =
        stdout.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l}: {e}"))).collect();
    let kinds: Vec<&str> = replies.iter().map(|r| r["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["project_created", "granted", "lobby", "deployed", "quota", "resources", "error", "projects"]);
    assert_eq!(replies[2]["verdict"]["outcome"], "allowed");
    assert_eq!(replies[2]["verdict"]["hourly"], "0.0168");
    assert_eq!(replies[3]["resources"][0], "web-server-04");
    assert!(dir.path().join("tf").join(replies[3]["terraform_dir"].as_str().unwrap()).join("compute.tf").exists());
    let instances =
        replies[4]["lines"].as_array().unwrap().iter().find(|l| l["quota_type"] == "compute.instances").unwrap();
    assert_eq!((instances["used"].as_i64(), instances["limit"].as_i64()), (Some(4), Some(10)));
    assert_eq!(replies[5]["resources"].as_array().unwrap().len(), 4);
    assert!(replies[6]["message"].as_str().unwrap().contains("unknown command"));
}

#[test]
fn the_demo_runs_on_a_fresh_directory() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["demo"]);
    for needle in ["deployed web-server-04", "QUOTA EXCEEDED", "can_create_vm", "expired", "demo finished"] {
        assert!(out.contains(needle), "demo output lacks {needle}:\n{out}");
    }
    assert!(!dir.path().join("cloud_chatops.db").exists(), "the demo uses its own temporary database");
}

#[test]
fn a_lost_chatops_folder_does_not_stop_the_next_approval_nor_check() {
    // `git clean -fdx` in a synced Terraform repository, or a sync that skips dot-folders.
    let dir = tempfile::tempdir().unwrap();
    run(dir.path(), &["seed"]);
    let project = dir.path().join("tf/terraform_gcp_gcp-abc123");
    std::fs::remove_dir_all(project.join(".chatops")).unwrap();
    let example = std::fs::read_to_string(project.join("terraform.tfvars.example")).unwrap();
    std::fs::write(project.join("terraform.tfvars"), format!("{example}gcp_project = \"acme-prod\"\n")).unwrap();
    assert!(run(dir.path(), &["check"]).contains("0 mismatch"));

    let script = "as 222222222 admin\n\
        /cloud-grant user:111111111 provider:gcp role:user regions:us-central1 budget_limit:3000\n\
        as 111111111\n\
        /cloud-deploy project_id:gcp-abc123 resource_type:vm resource_name:web-server-04 machine_type:e2-small\n\
        approve\n";
    let out = with_input(binary(dir.path(), &["console"]), script);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("deployed web-server-04"), "{stdout}");
    assert!(stdout.contains("terraform: terraform_gcp_gcp-abc123/"), "the approval wrote its files: {stdout}");
    assert!(std::fs::read_to_string(project.join("compute.tf")).unwrap().contains("web-server-04"));
    assert!(project.join(".chatops/manifest").exists(), "the manifest is written again");
    let tfvars = std::fs::read_to_string(project.join("terraform.tfvars")).unwrap();
    assert!(tfvars.ends_with("gcp_project = \"acme-prod\"\n"), "the team's variables are never claimed: {tfvars}");
    assert!(run(dir.path(), &["check"]).contains("0 mismatch"));
}
