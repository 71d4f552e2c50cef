//! The service files in `deploy/`: the systemd unit parses, runs subcommands the binary has, with
//! settings the binary accepts, and never holds the token; `systemd-analyze verify` accepts it where
//! systemd is installed. The Containerfile runs the same subcommands.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use cloud_chatops::settings::Settings;

const BIN: &str = env!("CARGO_BIN_EXE_cloud-chatops");
const INSTALLED: &str = "/usr/local/bin/cloud-chatops";

/// The unit as sections of (key, value) lines, in order; comments and blank lines dropped.
fn parse_unit(text: &str) -> BTreeMap<String, Vec<(String, String)>> {
    let mut sections: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    let mut current = None;
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            current = Some(name.to_owned());
            sections.entry(name.to_owned()).or_default();
            continue;
        }
        let (key, value) = line.split_once('=').unwrap_or_else(|| panic!("line {}: not key=value: {line}", n + 1));
        let section = current.clone().unwrap_or_else(|| panic!("line {}: outside a section", n + 1));
        sections.get_mut(&section).unwrap().push((key.trim().to_owned(), value.trim().to_owned()));
    }
    sections
}

fn values<'a>(section: &'a [(String, String)], key: &str) -> Vec<&'a str> {
    section.iter().filter(|(k, _)| k == key).map(|(_, v)| v.as_str()).collect()
}

#[test]
fn the_systemd_unit_runs_the_bot_with_settings_it_accepts() {
    let text = std::fs::read_to_string("deploy/cloud-chatops.service").unwrap();
    let unit = parse_unit(&text);
    assert_eq!(unit.keys().collect::<Vec<_>>(), ["Install", "Service", "Unit"]);
    let service = &unit["Service"];
    assert_eq!(values(service, "ExecStart"), [format!("{INSTALLED} run").as_str()]);
    assert_eq!(values(service, "ExecStartPre"), [format!("{INSTALLED} migrate").as_str()]);
    assert_eq!(values(service, "Restart"), ["on-failure"]);
    assert_eq!(values(service, "KillSignal"), ["SIGTERM"]);
    assert_eq!(values(&unit["Install"], "WantedBy"), ["multi-user.target"]);
    assert!(!values(service, "User").is_empty(), "not as root");
    let settings_lines = values(service, "Environment");
    assert!(
        !settings_lines.iter().any(|v| v.starts_with("DISCORD_TOKEN")),
        "the token lives in the EnvironmentFile, not the unit"
    );
    assert_eq!(values(service, "EnvironmentFile"), ["/etc/cloud-chatops.env"]);
    assert!(
        !settings_lines.iter().any(|v| v.starts_with("RUST_LOG")),
        "RUST_LOG would silently override log.level: the unit sets CHATOPS_LOG__LEVEL"
    );
    for (key, value) in [
        ("Type", "notify"),
        ("NotifyAccess", "main"),
        ("WatchdogSec", "30"),
        ("CapabilityBoundingSet", ""),
        ("ProtectClock", "yes"),
        ("SystemCallArchitectures", "native"),
    ] {
        assert_eq!(values(service, key), [value], "hardening: {key}");
    }
    assert!(values(service, "SystemCallFilter").contains(&"@system-service"), "hardening: SystemCallFilter");

    // The subcommands exist.
    for sub in ["run", "migrate"] {
        let status = Command::new(BIN).args([sub, "--help"]).output().unwrap();
        assert!(status.status.success(), "`cloud-chatops {sub}`: {}", String::from_utf8_lossy(&status.stderr));
    }

    // The environment it sets is what the bot reads.
    let env: std::collections::HashMap<String, String> = values(service, "Environment")
        .into_iter()
        .map(|v| {
            let (k, v) = v.split_once('=').unwrap();
            (k.to_owned(), v.to_owned())
        })
        .collect();
    let settings = Settings::load_from(Path::new("/nonexistent"), env).expect("the unit's settings load");
    assert_eq!(settings.database.url, "sqlite:///var/lib/cloud-chatops/cloud_chatops.db?mode=rwc");
    assert_eq!(settings.terraform.output_dir, Path::new("/var/lib/cloud-chatops/terraform"));
    assert!(values(service, "ReadWritePaths").contains(&"/var/lib/cloud-chatops"), "where the files land");

    // systemd itself accepts the unit (with this build as the binary), where systemd is installed.
    let analyze = Command::new("systemd-analyze").arg("--version").output();
    if analyze.is_ok_and(|o| o.status.success()) {
        let dir = tempfile::tempdir().unwrap();
        let local = text.replace(INSTALLED, BIN).replace("EnvironmentFile=/etc/", "EnvironmentFile=-/etc/");
        let path = dir.path().join("cloud-chatops.service");
        std::fs::write(&path, local).unwrap();
        let out = Command::new("systemd-analyze").arg("verify").arg(&path).output().unwrap();
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success() && !said.contains("cloud-chatops.service:"), "systemd-analyze verify: {said}");
    }
}

#[test]
fn the_containerfile_builds_the_binary_and_runs_the_same_subcommands() {
    let text = std::fs::read_to_string("deploy/Containerfile").unwrap();
    let instructions: Vec<&str> =
        text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).collect();
    let froms: Vec<&&str> = instructions.iter().filter(|l| l.starts_with("FROM ")).collect();
    assert_eq!(froms.len(), 2, "a build stage and a slim runtime stage");
    assert!(text.contains("cargo build --release --locked"));
    assert!(text.contains("cloud-chatops migrate && exec cloud-chatops run"), "migrates, then runs the bot");
    assert!(text.contains("USER cloud-chatops"), "not as root");
    assert!(!text.contains("DISCORD_TOKEN"), "the token comes from the environment at run time");
    assert!(instructions.last().unwrap().starts_with("ENTRYPOINT"));
    assert!(!text.contains("RUST_LOG"), "RUST_LOG would silently override log.level");
    let ignore = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(".containerignore"))
        .expect("a .containerignore keeps target/ out of the build context");
    for kept_out in ["target/", ".git/", "*.db"] {
        assert!(ignore.lines().any(|l| l.trim() == kept_out), ".containerignore lacks {kept_out}");
    }
}
