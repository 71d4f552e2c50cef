//! Where the sample data goes: `seed` on request (with its Terraform, so `check` agrees), a
//! console's first start on the default database file, never a database an operator named, never
//! anywhere when `sample_data.enabled` is off; and the original design's examples, run verbatim on it.

#[path = "common/binary.rs"]
mod common_binary;

use std::path::Path;
use std::process::Output;

use common_binary::{binary, with_input};

fn ok(out: Output, what: &str) -> (String, String) {
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{what} failed:\n{stdout}\n{stderr}");
    (stdout.into_owned(), stderr.into_owned())
}

fn json_lines(stdout: &str) -> Vec<serde_json::Value> {
    stdout.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l}: {e}"))).collect()
}

#[test]
fn migrate_seed_check_in_the_readmes_order_exit_zero() {
    let dir = tempfile::tempdir().unwrap();
    ok(binary(dir.path(), &["migrate"]).output().unwrap(), "migrate");
    let (seeded, _) = ok(binary(dir.path(), &["seed"]).output().unwrap(), "seed");
    assert!(seeded.contains("terraform of gcp-abc123 is in"), "{seeded}");
    assert!(dir.path().join("tf/terraform_gcp_gcp-abc123/compute.tf").exists(), "seed writes the sample Terraform");
    let (checked, stderr) = ok(binary(dir.path(), &["check"]).output().unwrap(), "check after seed");
    assert!(checked.contains("0 mismatch"), "{checked}");
    assert!(!format!("{seeded}{stderr}").contains("INFO"), "no migrator INFO lines on seed and check:\n{stderr}");
}

#[test]
fn a_console_on_a_database_the_operator_named_starts_empty() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("team.db").display());
    let mut cmd = binary(dir.path(), &["console", "--json", "--guild", "77"]);
    cmd.env("DATABASE_URL", &url);
    let (stdout, stderr) = ok(with_input(cmd, "/cloud-projects\n"), "console on team.db");
    assert_eq!(json_lines(&stdout)[0]["projects"], serde_json::json!([]), "{stdout}");
    assert!(!stderr.contains("sample data"), "{stderr}");
    assert!(!dir.path().join("tf").exists(), "no sample Terraform written");
    // The same database, asked as the sample guild: nothing there either.
    let mut cmd = binary(dir.path(), &["console", "--json"]);
    cmd.env("DATABASE_URL", &url);
    let (stdout, _) = ok(with_input(cmd, "/cloud-list project_id:gcp-abc123\n"), "console as the sample guild");
    assert_eq!(json_lines(&stdout)[0]["kind"], "error", "{stdout}");
}

#[test]
fn the_first_console_on_the_default_file_loads_it_once_and_says_so_in_words() {
    let dir = tempfile::tempdir().unwrap();
    let (stdout, stderr) = ok(with_input(binary(dir.path(), &["console"]), "/cloud-projects\n"), "first console");
    assert!(stderr.contains("This is a new database, so the sample data"), "{stderr}");
    assert!(stderr.contains("sample_data.enabled = false"), "{stderr}");
    assert!(
        !stderr.contains("repaired=") && !stderr.contains("Some("),
        "start-up says nothing in debug text: {stderr}"
    );
    assert!(stdout.contains("gcp-abc123"), "{stdout}");
    let (_, again) = ok(with_input(binary(dir.path(), &["console"]), "/cloud-projects\n"), "second console");
    assert!(!again.contains("sample data"), "said once: {again}");
    let (checked, _) = ok(binary(dir.path(), &["check"]).output().unwrap(), "check");
    assert!(checked.contains("0 mismatch"), "the first start wrote the sample Terraform: {checked}");
}

#[test]
fn sample_data_turned_off_is_off_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let off = |mut cmd: std::process::Command| {
        cmd.env("CHATOPS_SAMPLE_DATA__ENABLED", "false");
        cmd
    };
    let (stdout, stderr) =
        ok(with_input(off(binary(dir.path(), &["console", "--json"])), "/cloud-projects\n"), "console");
    assert_eq!(json_lines(&stdout)[0]["projects"], serde_json::json!([]), "{stdout}{stderr}");
    let seeded = off(binary(dir.path(), &["seed"])).output().unwrap();
    assert!(!seeded.status.success(), "seed refuses while the sample data is off");
    assert!(String::from_utf8_lossy(&seeded.stderr).contains("sample_data.enabled"), "{seeded:?}");
}

/// The three validation examples of the original design, in its words, on its sample data.
const EXAMPLES: &str = "\
/cloud-deploy project_id:gcp-abc123 resource_type:vm resource_name:web-server-01 machine_type:e2-small
approve
as 333333333
/cloud-deploy project_id:gcp-abc123 resource_type:vm resource_name:test-vm
cancel
as 111111111
/cloud-deploy project_id:gcp-abc123 resource_type:vm resource_name:filler machine_type:e2-micro count:6
approve
/cloud-deploy project_id:gcp-abc123 resource_type:vm resource_name:another-vm machine_type:e2-micro
";

fn run_examples(dir: &Path, json: bool) -> String {
    let args: &[&str] = if json { &["console", "--json"] } else { &["console"] };
    ok(with_input(binary(dir, args), EXAMPLES), "the examples").0
}

#[test]
fn the_original_designs_examples_run_as_written_on_the_sample_data() {
    let dir = tempfile::tempdir().unwrap();
    let replies = json_lines(&run_examples(dir.path(), true));
    let kinds: Vec<&str> = replies.iter().map(|r| r["kind"].as_str().unwrap_or("?")).collect();
    assert_eq!(kinds, ["lobby", "deployed", "lobby", "lobby_closed", "lobby", "deployed", "lobby"], "{replies:?}");
    let instances = |reply: &serde_json::Value| {
        let line =
            reply["verdict"]["quota"].as_array().unwrap().iter().find(|l| l["quota_type"] == "compute.instances");
        let line = line.expect("a compute.instances line").clone();
        (line["used"].as_i64().unwrap(), line["reserved"].as_i64().unwrap(), line["limit"].as_i64().unwrap())
    };

    // Example 1: valid, 3 used of 10 (7 available), $0.0168 an hour.
    let valid = &replies[0];
    assert_eq!(valid["resource_name"], "web-server-01");
    assert_eq!(
        (valid["verdict"]["outcome"].as_str(), valid["verdict"]["violations"].as_array().map(Vec::len)),
        (Some("allowed"), Some(0))
    );
    assert_eq!(instances(valid), (3, 0, 10));
    assert_eq!(valid["verdict"]["hourly"], "0.0168");
    assert_eq!(replies[1]["resources"][0], "web-server-01");

    // Example 3: the CloudViewer lacks can_create_vm, and nothing else is wrong.
    let viewer = &replies[2];
    assert_eq!(viewer["verdict"]["outcome"], "denied");
    let rules: Vec<&str> =
        viewer["verdict"]["violations"].as_array().unwrap().iter().map(|v| v["rule"].as_str().unwrap()).collect();
    assert_eq!(rules, ["permission.can_create_vm"], "{viewer}");

    // Example 2: at 10 of 10 VMs, another e2-micro exceeds the quota.
    let exceeded = &replies[6];
    assert_eq!(exceeded["verdict"]["outcome"], "denied");
    assert_eq!(instances(exceeded), (10, 0, 10));
    let rules: Vec<&str> =
        exceeded["verdict"]["violations"].as_array().unwrap().iter().map(|v| v["rule"].as_str().unwrap()).collect();
    assert_eq!(rules, ["quota.compute.instances"], "{exceeded}");

    // The same run in text gives the design's warnings.
    let dir = tempfile::tempdir().unwrap();
    let text = run_examples(dir.path(), false);
    for needle in [
        "verdict: ✅ Validation passed - Ready to deploy",
        "verdict: ⛔ PERMISSION DENIED: User lacks can_create_vm permission\n",
        "verdict: ⛔ QUOTA EXCEEDED: Project has 0 compute.instances available (10 used + 0 reserved of 10)",
    ] {
        assert!(text.contains(needle), "lacks {needle:?}:\n{text}");
    }
}
