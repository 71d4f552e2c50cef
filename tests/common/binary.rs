//! Running the `cloud-chatops` binary in a test directory, with the environment that could change
//! its behaviour cleared, and feeding it a script on standard input.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// The binary with `args`, run in `dir`, on the embedded SQLite default, Terraform under `dir/tf`.
pub fn binary(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cloud-chatops"));
    cmd.args(args)
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .env_remove("DISCORD_TOKEN")
        .env_remove("CLOUD_CHATOPS_CRASH_AT")
        .env_remove("NOTIFY_SOCKET")
        .env_remove("WATCHDOG_USEC")
        .env("RUST_LOG", "warn")
        .env("CHATOPS_TERRAFORM__OUTPUT_DIR", dir.join("tf"));
    cmd
}

/// Runs `cmd` with `input` on its standard input and collects its output.
pub fn with_input(mut cmd: Command, input: &str) -> Output {
    let mut child = cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}
