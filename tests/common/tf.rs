//! The real `terraform` binary and this machine's provider mirror, for the tests that run them
//! (`terraform_cli.rs`: fmt and validate; `terraform_apply.rs`: apply against an emulator).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// `name` in a directory of PATH.
pub fn on_path(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// The folder above `registry.terraform.io` that holds hashicorp/aws 5.x
/// (`CLOUD_CHATOPS_TF_PLUGIN_DIR`, else `/opt/tf-plugins`).
pub fn plugin_dir() -> Option<PathBuf> {
    let dir =
        std::env::var_os("CLOUD_CHATOPS_TF_PLUGIN_DIR").map(PathBuf::from).unwrap_or_else(|| "/opt/tf-plugins".into());
    dir.join("registry.terraform.io/hashicorp/aws").is_dir().then_some(dir)
}

/// Only the AWS version pin changes for the local run: 6.x is not in this machine's mirror.
pub fn relax_aws_pin(body: &str) -> String {
    body.replace("version = \"~> 6.47\"", "version = \">= 5.100\"")
}

/// Runs `tf` with `args` in `dir`, unattended and without the version check.
pub fn run(tf: &Path, dir: &Path, args: &[&str]) -> Output {
    Command::new(tf)
        .args(args)
        .current_dir(dir)
        .env("TF_IN_AUTOMATION", "1")
        .env("CHECKPOINT_DISABLE", "1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_PROFILE")
        .output()
        .unwrap_or_else(|e| panic!("cannot run terraform: {e}"))
}

/// Standard output and error, for a failure message.
pub fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}
