//! The binary on a fresh directory: `migrate` creates the tables, `seed` twice leaves the same rows.

use std::path::Path;
use std::process::Command;

fn run(dir: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_cloud-chatops"))
        .args(args)
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .env_remove("DISCORD_TOKEN")
        .env("RUST_LOG", "warn")
        .output()
        .expect("run cloud-chatops");
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
    assert_eq!(first.lines().filter(|l| l.starts_with("created ")).count(), 10, "{first}");
    let second = run(dir.path(), &["seed"]);
    assert!(second.contains("nothing created"), "{second}");
}

#[test]
fn migrate_down_needs_confirmation() {
    let dir = tempfile::tempdir().unwrap();
    run(dir.path(), &["migrate"]);
    let out = Command::new(env!("CARGO_BIN_EXE_cloud-chatops"))
        .args(["migrate", "--down"])
        .current_dir(dir.path())
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--yes"));
    let out = run(dir.path(), &["migrate", "--down", "--yes"]);
    assert!(out.contains("rolled back"), "{out}");
}
