//! Grants and policies kept in memory stay exact across processes: two `cloud-chatops console`
//! processes on one PostgreSQL database; one opens a lobby (reading, and keeping, the member's
//! grant and the guild's policies), the other revokes the grant, and the first one's approval is
//! decided on the revoked grant, not the kept one. Runs when `TEST_DATABASE_URL` names PostgreSQL.

#[path = "common/binary.rs"]
mod common_binary;
#[path = "common/console.rs"]
mod common_console;
#[path = "common/pg.rs"]
mod common_pg;

use common_binary::{binary, with_input};
use common_console::Console;
use common_pg::on_fresh_database;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_grant_revoked_by_another_process_counts_at_the_next_click() {
    on_fresh_database("chatops_2p_trust", |url| async move {
        let dir = tempfile::tempdir().unwrap();
        let on_db = |args: &[&str]| {
            let mut cmd = binary(dir.path(), args);
            cmd.env("DATABASE_URL", &url);
            cmd
        };
        let seeded = on_db(&["seed"]).output().unwrap();
        assert!(seeded.status.success(), "{}", String::from_utf8_lossy(&seeded.stderr));

        let mut first = Console::start(on_db(&["console", "--json"]));
        let line = "/cloud-deploy project_id:gcp-abc123 resource_type:vm resource_name:kept-web machine_type:e2-small";
        let warm = first.say(line);
        assert_eq!(warm["verdict"]["outcome"], "allowed", "{warm}");
        assert_eq!(first.say("cancel")["kind"], "lobby_closed");
        // The same member again: this lobby is decided on what the first process keeps.
        let lobby = first.say(line);
        assert_eq!(lobby["verdict"]["outcome"], "allowed", "{lobby}");

        let script = "as 222222222 admin\n/cloud-revoke user:111111111 provider:gcp\n";
        let revoked = with_input(on_db(&["console", "--json"]), script);
        let said = String::from_utf8_lossy(&revoked.stdout);
        assert!(revoked.status.success() && said.contains("\"existed\":true"), "{said}");

        let approved = first.say("approve");
        assert_ne!(approved["kind"], "deployed", "the revoked grant counts in the other process: {approved}");
        let again = first.say(line);
        assert_ne!(again["verdict"]["outcome"], "allowed", "nor may the member open another: {again}");
        first.finish();
    })
    .await;
}
