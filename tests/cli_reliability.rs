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
    let error = String::from_utf8_lossy(&found.stderr);
    assert!(error.contains("check --repair"), "the failure names the fix: {error}");
    assert!(text.contains("mismatch [terraform] gcp-abc123") && text.contains("compute.tf"), "{text}");

    let repaired = binary(dir.path(), &["check", "--repair"]).output().unwrap();
    let text = String::from_utf8_lossy(&repaired.stdout);
    assert!(repaired.status.success(), "{text}");
    assert!(text.contains("repaired: regenerated"), "{text}");
    assert_eq!(std::fs::read_to_string(&compute).unwrap(), original);
}

/// A console kept running on a pipe the test writes to, reading its JSON replies one by one.
struct Running {
    child: std::process::Child,
    stdin: std::process::ChildStdin,
    stdout: std::io::Lines<std::io::BufReader<std::process::ChildStdout>>,
}

impl Running {
    fn start(dir: &std::path::Path) -> Running {
        use std::io::BufRead;
        let mut child = binary(dir, &["console", "--json"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
        Running { child, stdin, stdout }
    }

    fn ask(&mut self, line: &str) -> serde_json::Value {
        use std::io::Write;
        writeln!(self.stdin, "{line}").unwrap();
        self.stdin.flush().unwrap();
        let reply = self.stdout.next().expect("a reply").unwrap();
        serde_json::from_str(&reply).unwrap()
    }
}

const DEPLOY: &str =
    "/cloud-deploy project_id:gcp-abc123 resource_type:vm resource_name:web-keep machine_type:e2-small";

/// With a shared-memory `-shm` file, truncating it under a running process kills it with SIGBUS.
/// The database keeps that index in the process's heap instead: whatever happens to a `-shm`
/// file beside it, the console goes on and loses nothing.
#[test]
fn a_truncated_or_unwritable_shm_file_does_not_kill_the_console() {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::ExitStatusExt;
    let dir = tempfile::tempdir().unwrap();
    let mut console = Running::start(dir.path());
    assert_eq!(console.ask(DEPLOY)["kind"], "lobby");
    assert_eq!(console.ask("approve")["kind"], "deployed");
    let shm = dir.path().join("cloud_chatops.db-shm");
    // The attack: an existing index is cut to nothing; a missing one is planted unwritable and empty.
    std::fs::OpenOptions::new().create(true).write(true).truncate(true).open(&shm).unwrap();
    std::fs::set_permissions(&shm, std::fs::Permissions::from_mode(0o000)).unwrap();
    for i in 0..3 {
        let lobby = console.ask(&DEPLOY.replace("web-keep", &format!("web-more{i}")));
        assert_eq!(lobby["kind"], "lobby", "{lobby}");
        assert_eq!(console.ask("approve")["kind"], "deployed");
    }
    assert_eq!(console.ask("/cloud-list project_id:gcp-abc123")["resources"].as_array().unwrap().len(), 7);
    drop(console.stdin);
    let status = console.child.wait().unwrap();
    assert_eq!(status.signal(), None, "killed by a signal: {status:?}");
    assert!(status.success());
    let after = with_input(binary(dir.path(), &["console", "--json"]), "/cloud-list project_id:gcp-abc123\n");
    assert!(String::from_utf8_lossy(&after.stdout).contains("web-more2"), "committed work survives");
}

/// The database file deleted under a running console: it stops serving within seconds with a clear
/// error and a non-zero exit, and saves everything committed beside the path.
#[test]
fn a_deleted_database_file_is_noticed_and_committed_work_is_saved() {
    let dir = tempfile::tempdir().unwrap();
    let mut console = Running::start(dir.path());
    assert_eq!(console.ask(DEPLOY)["kind"], "lobby");
    assert_eq!(console.ask("approve")["kind"], "deployed");
    std::fs::remove_file(dir.path().join("cloud_chatops.db")).unwrap();
    // Standard input stays open: only the fault can end the session.
    let (tx, rx) = std::sync::mpsc::channel();
    let mut child = console.child;
    std::thread::spawn(move || {
        let mut stderr = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
        let _ = tx.send((child.wait().unwrap(), stderr));
    });
    let (status, stderr) = rx.recv_timeout(std::time::Duration::from_secs(20)).expect("the console stops by itself");
    drop(console.stdin);
    assert!(!status.success(), "a fault is a failure exit: {stderr}");
    let error = stderr.lines().find(|l| l.starts_with("error:")).unwrap_or_else(|| panic!("no error line: {stderr}"));
    assert!(error.contains("deleted or replaced") && error.contains("saved to"), "{error}");
    assert_eq!(stderr.lines().filter(|l| l.starts_with("error:")).count(), 1, "said once: {stderr}");
    let rescued = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(Result::ok)
        .find(|e| e.file_name().to_string_lossy().starts_with("cloud_chatops.db.rescued-"))
        .expect("a rescued copy")
        .path();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let names = runtime.block_on(async {
        let db = cloud_chatops::store::connect(&format!("sqlite://{}", rescued.display())).await.unwrap();
        let rows = cloud_chatops::store::resources::list(&db, "gcp-abc123", None).await.unwrap();
        db.close().await.ok();
        rows.into_iter().map(|r| r.name).collect::<Vec<_>>()
    });
    assert!(names.contains(&"web-keep".to_owned()), "the approved resource is in the copy: {names:?}");
}

/// A bad configuration value: one error line naming the key, not repeated under "Caused by".
#[test]
fn a_configuration_error_is_printed_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = binary(dir.path(), &["console"]);
    cmd.env("CHATOPS_LOBBY__TIMEOUT_SECS", "soon");
    let out = with_input(cmd, "");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("timeout_secs") && !stderr.contains("Caused by"), "{stderr}");
    assert_eq!(stderr.matches("timeout_secs").count(), 1, "the cause is not repeated: {stderr}");
}
