//! SIGKILL at an arbitrary moment of a burst of approvals, then a restart: `check` (without
//! `--repair`) is clean every time, on SQLite and on PostgreSQL. The kill lands wherever the burst
//! happens to be (in a transaction, between the commit and the Terraform, mid-write); the start-up
//! check must leave accounts and Terraform agreeing with the database.

#[path = "common/binary.rs"]
#[allow(dead_code)]
mod common_binary;
#[path = "common/pg.rs"]
mod common_pg;

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common_binary::binary;

const TRIALS: usize = 10;
const BURST: usize = 40;

/// A pseudo-random sequence (the seed is printed, so a failure can be replayed).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

/// Runs a burst of deploy + approve lines and kills the process with SIGKILL after `after` reply
/// lines (or when it ends on its own); answers how many replies it gave.
fn burst_killed(mut cmd: Command, trial: usize, after: usize) -> usize {
    let mut child = cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    let script: String = (0..BURST)
        .map(|i| {
            format!(
                "/cloud-deploy project_id:gcp-abc123 resource_type:vm resource_name:k{trial}-{i} machine_type:e2-micro\napprove\n"
            )
        })
        .collect();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(script.as_bytes());
        // Kept open: the console must not reach the end of its input before the kill.
        std::thread::sleep(Duration::from_secs(30));
    });
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut seen = 0;
    let deadline = Instant::now() + Duration::from_secs(60);
    while seen < after && Instant::now() < deadline {
        match lines.next() {
            Some(Ok(_)) => seen += 1,
            _ => break,
        }
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    drop(writer);
    seen
}

fn must_succeed(mut cmd: Command, what: &str) -> String {
    let out = cmd.stdin(Stdio::null()).output().unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{what}: {text}");
    text
}

/// `TRIALS` kills on one database (`url`: PostgreSQL; `None`: the directory's SQLite file).
fn trials(dir: &Path, url: Option<&str>, seed: u64) {
    let with_db = |mut cmd: Command| {
        if let Some(url) = url {
            cmd.env("DATABASE_URL", url);
        }
        cmd
    };
    must_succeed(with_db(binary(dir, &["migrate"])), "migrate");
    must_succeed(with_db(binary(dir, &["seed"])), "seed");
    let mut rng = Lcg(seed);
    let mut kills = Vec::new();
    for trial in 0..TRIALS {
        let after = 1 + rng.below(2 * BURST as u64 - 1) as usize;
        let replies = burst_killed(with_db(binary(dir, &["console", "--json"])), trial, after);
        kills.push(replies);
        // The restart: start-up repairs what the kill left, then the console ends with its input.
        must_succeed(with_db(binary(dir, &["console", "--json"])), "restart");
        let report = must_succeed(with_db(binary(dir, &["check"])), &format!("trial {trial}: check after the restart"));
        assert!(report.contains("0 mismatch"), "trial {trial} (seed {seed}, killed after {replies} replies): {report}");
    }
    println!(
        "kill -9 during a burst ({}): {TRIALS} trials, killed after {kills:?} replies, check clean after every restart (seed {seed})",
        url.map_or("sqlite", |_| "postgres")
    );
}

fn seed() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64
}

#[test]
fn sqlite_a_kill_at_any_moment_of_a_burst_leaves_check_clean_after_the_restart() {
    let dir = tempfile::tempdir().unwrap();
    trials(dir.path(), None, seed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_a_kill_at_any_moment_of_a_burst_leaves_check_clean_after_the_restart() {
    common_pg::on_fresh_database("chatops_kill", |url| async move {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().to_path_buf();
        if let Err(e) = tokio::task::spawn_blocking(move || trials(&path, Some(&url), seed())).await {
            std::panic::resume_unwind(e.into_panic());
        }
    })
    .await;
}
