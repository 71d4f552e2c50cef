//! The binary's reliability promises: the Discord token never reaches a log line, even at `debug`;
//! `check` finds a hand-edited Terraform directory and `check --repair` puts it back.

#[path = "common/binary.rs"]
mod common_binary;

use common_binary::{binary, with_input};

/// A value that cannot appear in any output by accident.
const TOKEN: &str = "MTk4NjIyNDgzNDcxOTI1MjQ4.Cl2FMQ.ZnCjm1XVW7vRze4b7Cq4se7kKWs-marker-7f3a";

/// A full session: grants, policies, an approved deploy with Terraform, refusals, errors, a cancel.
const SCRIPT: &str = "\
as 222222222 admin
/cloud-init provider:gcp project_name:\"Secret Test\" region:us-central1
/cloud-grant user:111111111 provider:gcp role:user
/cloud-policy add name:no-eu policy_type:region resource_pattern:* denied_values:europe-west1
/cloud-policy list
as 111111111
/cloud-deploy project_id:gcp-abc123 resource_type:vm resource_name:web-secret machine_type:e2-small
approve
/cloud-deploy project_id:gcp-abc123 resource_type:vm resource_name:web-cancel machine_type:e2-micro
cancel
/cloud-deploy project_id:gcp-abc123 resource_type:vm resource_name:Bad_Name!
/cloud-quota project_id:gcp-ffffff
/cloud-list project_id:gcp-abc123
as 333333333
/cloud-grant user:1 provider:gcp role:admin
/cloud-nope
";

#[test]
fn the_token_never_reaches_the_logs_of_a_full_debug_run() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = binary(dir.path(), &["console", "--json"]);
    cmd.env("DISCORD_TOKEN", TOKEN).env("RUST_LOG", "debug");
    let out = with_input(cmd, SCRIPT);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    // The run really logged at debug and really deployed, so the search had something to search.
    assert!(stderr.contains("lobby approved") && stderr.contains("project created"), "expected logs, got:\n{stderr}");
    assert!(stdout.contains("\"kind\":\"deployed\""), "{stdout}");
    // Start-up work (the retention purge) must not make a member's first command fail.
    assert!(!stdout.contains("database is unavailable"), "{stdout}");
    for (name, text) in [("stderr", &stderr), ("stdout", &stdout)] {
        assert!(!text.contains(TOKEN), "the token leaked to {name}");
        // Any long-enough piece of it would do as much harm.
        for part in TOKEN.split('.') {
            assert!(!text.contains(part), "a part of the token ({part}) leaked to {name}");
        }
    }
}

#[test]
fn check_finds_a_hand_edited_directory_and_repair_restores_it() {
    let dir = tempfile::tempdir().unwrap();
    let deploy =
        "/cloud-deploy project_id:gcp-abc123 resource_type:vm resource_name:web-chk machine_type:e2-small\napprove\n";
    let out = with_input(binary(dir.path(), &["console", "--json"]), deploy);
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"kind\":\"deployed\""));
    let clean = binary(dir.path(), &["check"]).output().unwrap();
    let text = String::from_utf8_lossy(&clean.stdout);
    assert!(clean.status.success(), "{text}{}", String::from_utf8_lossy(&clean.stderr));
    assert!(text.contains("checked 1 project(s): 0 mismatch(es)"), "{text}");

    let compute = dir.path().join("tf/terraform_gcp_gcp-abc123/compute.tf");
    let original = std::fs::read_to_string(&compute).unwrap();
    std::fs::write(&compute, original.replace("e2-small", "e2-standard-8")).unwrap();
    let found = binary(dir.path(), &["check"]).output().unwrap();
    let text = String::from_utf8_lossy(&found.stdout);
    assert!(!found.status.success(), "a mismatch is a failure exit");
    assert!(text.contains("mismatch [terraform] gcp-abc123") && text.contains("compute.tf"), "{text}");

    let repaired = binary(dir.path(), &["check", "--repair"]).output().unwrap();
    let text = String::from_utf8_lossy(&repaired.stdout);
    assert!(repaired.status.success(), "{text}");
    assert!(text.contains("repaired: regenerated"), "{text}");
    assert_eq!(std::fs::read_to_string(&compute).unwrap(), original);
}
