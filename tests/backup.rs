//! `cloud-chatops backup <file>`: made by the running process when one holds the SQLite file (its
//! control socket), made here when none does, refused over an existing file without `--force`,
//! refused for PostgreSQL with the advice to use pg_dump; a control socket left by a dead process
//! does not get in the way; `migrate` keeps a copy of the file before it changes the schema.

#[path = "common/binary.rs"]
mod common_binary;
#[path = "common/console.rs"]
mod common_console;

use std::path::Path;
use std::process::Output;

use common_binary::{binary, with_input};
use common_console::Console;

fn run(dir: &Path, args: &[&str]) -> Output {
    binary(dir, args).output().unwrap()
}

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

fn ok(dir: &Path, args: &[&str]) -> String {
    let out = run(dir, args);
    assert!(out.status.success(), "{args:?} failed: {}", text(&out));
    text(&out)
}

fn url(path: &Path) -> String {
    format!("sqlite://{}?mode=rwc", path.display())
}

/// `check` on another database file, with the same Terraform folder.
fn check_on(dir: &Path, database: &Path) -> Output {
    let mut cmd = binary(dir, &["check"]);
    cmd.env("DATABASE_URL", url(database));
    cmd.output().unwrap()
}

/// A console on another database file, fed `input`.
fn console_on(dir: &Path, database: &Path, input: &str) -> String {
    let mut cmd = binary(dir, &["console", "--json"]);
    cmd.env("DATABASE_URL", url(database));
    let out = with_input(cmd, input);
    assert!(out.status.success(), "{}", text(&out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_backup_while_a_console_holds_the_database_is_made_by_it_and_holds_the_approval() {
    let dir = tempfile::tempdir().unwrap();
    let mut console = Console::start(binary(dir.path(), &["console", "--json"]));
    console.tell("as 222222222 admin");
    let granted =
        console.say("/cloud-grant user:111111111 provider:gcp role:user regions:us-central1 budget_limit:3000");
    assert_eq!(granted["kind"], "granted", "{granted}");
    console.tell("as 111111111");
    let lobby = console
        .say("/cloud-deploy project_id:gcp-abc123 resource_type:vm resource_name:web-server-04 machine_type:e2-small");
    assert_eq!(lobby["verdict"]["outcome"], "allowed", "{lobby}");
    assert_eq!(console.say("approve")["kind"], "deployed");
    // A second lobby stays open, its quota reserved, while the copy is taken.
    let pending = console
        .say("/cloud-deploy project_id:gcp-abc123 resource_type:vm resource_name:web-server-05 machine_type:e2-small");
    assert_eq!(pending["verdict"]["outcome"], "allowed", "{pending}");

    // The console holds the file (one process at a time): only it can copy it.
    let socket = dir.path().join("cloud_chatops.db.control");
    {
        use std::os::unix::fs::{FileTypeExt, PermissionsExt};
        let meta = std::fs::metadata(&socket).expect("the console serves its control socket");
        assert!(meta.file_type().is_socket());
        assert_eq!(meta.permissions().mode() & 0o777, 0o600, "only its owner may ask for a copy");
    }
    let said = ok(dir.path(), &["backup", "copy.db"]);
    assert!(said.contains("copied by the running process"), "{said}");
    let copy = dir.path().join("copy.db");
    let refused = run(dir.path(), &["backup", "copy.db"]);
    assert!(!refused.status.success());
    assert!(text(&refused).contains("already exists; add --force"), "{}", text(&refused));
    assert!(ok(dir.path(), &["backup", "--force", "copy.db"]).contains("copied by the running process"));

    // The console goes on serving after the copy.
    assert_eq!(console.say("cancel")["kind"], "lobby_closed");
    console.finish();
    assert!(!socket.exists(), "the socket goes with the process");

    let checked = check_on(dir.path(), &copy);
    assert!(checked.status.success(), "the copy passes check: {}", text(&checked));
    assert!(text(&checked).contains("0 mismatch"), "{}", text(&checked));
    let listed = console_on(dir.path(), &copy, "/cloud-list project_id:gcp-abc123\n");
    assert!(listed.contains("web-server-04"), "the copy holds the approval: {listed}");
    assert!(!listed.contains("web-server-05"), "the pending lobby deployed nothing: {listed}");
}

#[test]
fn without_a_running_process_the_file_is_copied_here() {
    let dir = tempfile::tempdir().unwrap();
    ok(dir.path(), &["migrate"]);
    ok(dir.path(), &["seed"]);
    let said = ok(dir.path(), &["backup", "b.db"]);
    assert!(said.contains("backed up") && !said.contains("running process"), "{said}");
    let copy = dir.path().join("b.db");
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&copy).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "a copy is as private as the database");
    }
    let before = std::fs::read(&copy).unwrap();
    let refused = run(dir.path(), &["backup", "b.db"]);
    assert!(!refused.status.success() && text(&refused).contains("already exists"), "{}", text(&refused));
    assert_eq!(std::fs::read(&copy).unwrap(), before, "a refused backup leaves the file alone");
    ok(dir.path(), &["backup", "b.db", "--force"]);
    let checked = check_on(dir.path(), &copy);
    assert!(checked.status.success(), "{}", text(&checked));
    assert!(console_on(dir.path(), &copy, "/cloud-projects\n").contains("gcp-abc123"));
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().contains("partial"))
        .collect();
    assert!(leftovers.is_empty(), "no temporary file is left behind: {leftovers:?}");
}

#[test]
fn bad_targets_and_databases_get_a_clear_error_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let nothing = run(dir.path(), &["backup", "b.db"]);
    assert!(!nothing.status.success());
    assert!(text(&nothing).contains("there is no database at"), "{}", text(&nothing));
    assert!(!dir.path().join("cloud_chatops.db").exists(), "backup creates no database");
    ok(dir.path(), &["migrate"]);
    let missing = run(dir.path(), &["backup", "no/such/folder/b.db"]);
    assert!(text(&missing).contains("its folder does not exist"), "{}", text(&missing));
    let folder = run(dir.path(), &["backup", "."]);
    assert!(text(&folder).contains("it is a folder"), "{}", text(&folder));

    let mut cmd = binary(dir.path(), &["backup", "b.db"]);
    cmd.env("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test");
    let postgres = cmd.output().unwrap();
    assert!(!postgres.status.success());
    assert!(text(&postgres).contains("pg_dump"), "PostgreSQL is pointed to pg_dump: {}", text(&postgres));
    assert!(!dir.path().join("b.db").exists());
}

#[test]
fn a_control_socket_left_by_a_dead_process_gets_in_nobody_s_way() {
    let dir = tempfile::tempdir().unwrap();
    ok(dir.path(), &["migrate"]);
    let socket = dir.path().join("cloud_chatops.db.control");
    // A socket file nobody answers on, as a killed process leaves it.
    drop(std::os::unix::net::UnixListener::bind(&socket).unwrap());
    assert!(socket.exists());
    let said = ok(dir.path(), &["backup", "offline.db"]);
    assert!(!said.contains("running process"), "nobody answered, so the file was copied here: {said}");

    // A console started now takes the socket over and answers on it.
    let mut console = Console::start(binary(dir.path(), &["console", "--json"]));
    assert_eq!(console.say("/cloud-projects")["kind"], "projects");
    assert!(ok(dir.path(), &["backup", "online.db"]).contains("copied by the running process"));
    console.finish();
    assert!(dir.path().join("online.db").exists() && dir.path().join("offline.db").exists());
}

#[tokio::test]
async fn migrate_keeps_a_copy_of_the_file_before_it_changes_the_schema() {
    use migration::{Migrator, MigratorTrait};

    let dir = tempfile::tempdir().unwrap();
    let fresh = ok(dir.path(), &["migrate"]);
    assert!(!fresh.contains("copied the database"), "a new database has nothing to keep: {fresh}");
    let backups = |dir: &Path| -> Vec<std::path::PathBuf> {
        let mut found: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.to_string_lossy().contains(".pre-migrate-"))
            .collect();
        found.sort();
        found
    };
    assert!(backups(dir.path()).is_empty());
    ok(dir.path(), &["seed"]);
    let again = ok(dir.path(), &["migrate"]);
    assert!(!again.contains("copied the database"), "nothing to change, nothing kept: {again}");

    // An older schema: the last migration not yet applied, as after installing a newer binary.
    let database = dir.path().join("cloud_chatops.db");
    let total = {
        let db = cloud_chatops::store::connect(&url(&database)).await.unwrap();
        let total = Migrator::get_applied_migrations(&db).await.unwrap().len();
        Migrator::down(&db, Some(1)).await.unwrap();
        db.close().await.unwrap();
        total
    };
    let upgraded = ok(dir.path(), &["migrate"]);
    assert!(upgraded.contains("copied the database to"), "{upgraded}");
    assert!(upgraded.contains("1 applied now"), "{upgraded}");
    let kept = backups(dir.path());
    assert_eq!(kept.len(), 1, "{kept:?}");
    let copy = cloud_chatops::store::connect(&url(&kept[0])).await.unwrap();
    let applied = Migrator::get_applied_migrations(&copy).await.unwrap().len();
    assert_eq!(applied, total - 1, "the copy holds the schema as it was before the upgrade");
    copy.close().await.unwrap();
}
