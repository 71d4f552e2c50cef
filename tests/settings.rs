//! Configuration: defaults, environment overrides, errors that name the key, secrets that never print.

use std::collections::HashMap;
use std::path::Path;

use cloud_chatops::settings::{Settings, SettingsError, parse_shards};

fn load(env: &[(&str, &str)]) -> Result<Settings, SettingsError> {
    let env: HashMap<String, String> = env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    Settings::load_from(Path::new("/nonexistent"), env)
}

#[test]
fn defaults_match_the_design() {
    let s = load(&[]).unwrap();
    assert_eq!(s.lobby.timeout_secs, 1800);
    assert_eq!(s.history.retention_days, 90);
    assert_eq!(s.terraform.output_dir, Path::new("./terraform"));
    assert_eq!(s.database.url, "sqlite://cloud_chatops.db?mode=rwc");
    assert_eq!((s.quotas.compute_instances, s.quotas.compute_cpus, s.quotas.compute_ram_gb), (10, 24, 64));
    assert_eq!((s.quotas.database_instances, s.quotas.storage_buckets), (5, 20));
    assert_eq!((s.quotas.network_vpcs, s.quotas.network_load_balancers), (5, 5));
    assert!(s.discord_token().is_none());
    assert_eq!((s.log.format.as_str(), s.log.json()), ("text", false));
    assert_eq!((s.metrics.listen.as_str(), s.metrics.address()), ("", None), "the endpoints are off by default");
}

#[test]
fn periodic_backups_are_off_by_default_and_set_from_the_environment() {
    let s = load(&[]).unwrap();
    assert_eq!(s.database.backup_dir(), None, "no periodic backups unless a folder is named");
    assert_eq!((s.database.backup_interval_secs, s.database.backup_keep), (86_400, 7));
    let s = load(&[
        ("CHATOPS_DATABASE__BACKUP_DIR", "/var/backups/chatops"),
        ("CHATOPS_DATABASE__BACKUP_INTERVAL_SECS", "3600"),
        ("CHATOPS_DATABASE__BACKUP_KEEP", "24"),
    ])
    .unwrap();
    assert_eq!(s.database.backup_dir(), Some(Path::new("/var/backups/chatops").to_path_buf()));
    assert_eq!((s.database.backup_interval_secs, s.database.backup_keep), (3600, 24));
    // PostgreSQL is backed up with pg_dump: a backup folder there is a mistake, said at start.
    let err = load(&[("DATABASE_URL", "postgres://db/chatops"), ("CHATOPS_DATABASE__BACKUP_DIR", "/b")])
        .unwrap_err()
        .to_string();
    assert!(err.contains("database.backup_dir") && err.contains("pg_dump"), "{err}");
}

#[test]
fn logs_and_metrics_are_set_from_the_environment() {
    let s = load(&[("CHATOPS_LOG__FORMAT", "json"), ("CHATOPS_METRICS__LISTEN", "127.0.0.1:9464")]).unwrap();
    assert!(s.log.json());
    assert_eq!(s.metrics.address(), Some("127.0.0.1:9464".parse().unwrap()));
}

#[test]
fn environment_overrides_sections_and_conventional_names() {
    let s = load(&[
        ("CHATOPS_LOBBY__TIMEOUT_SECS", "600"),
        ("CHATOPS_TERRAFORM__OUTPUT_DIR", "/srv/tf"),
        ("CHATOPS_QUOTAS__COMPUTE_INSTANCES", "3"),
        ("DATABASE_URL", "postgres://postgres@127.0.0.1/test"),
        ("DISCORD_TOKEN", "super-secret-token"),
        ("DISCORD_API_BASE", "http://127.0.0.1:8080"),
    ])
    .unwrap();
    assert_eq!(s.lobby.timeout_secs, 600);
    assert_eq!(s.terraform.output_dir, Path::new("/srv/tf"));
    assert_eq!(s.quotas.compute_instances, 3);
    assert_eq!(s.database.url, "postgres://postgres@127.0.0.1/test");
    assert_eq!(s.discord.api_base, "http://127.0.0.1:8080");
    assert_eq!(s.discord_token().unwrap().expose(), "super-secret-token");
    let printed = format!("{s:?}");
    assert!(!printed.contains("super-secret-token"), "Debug must not print the token: {printed}");
    assert!(printed.contains("redacted"));
}

#[test]
fn bad_values_fail_with_a_message_naming_the_key() {
    for (var, value, key) in [
        ("CHATOPS_LOBBY__TIMEOUT_SECS", "soon", "timeout_secs"),
        ("CHATOPS_LOBBY__TIMEOUT_SECS", "0", "lobby.timeout_secs"),
        ("CHATOPS_HISTORY__RETENTION_DAYS", "0", "history.retention_days"),
        ("DATABASE_URL", "mysql://x", "database.url"),
        ("CHATOPS_QUOTAS__COMPUTE_CPUS", "-4", "compute.cpus"),
        ("CHATOPS_DISCORD__SHARDS", "3-1/2", "discord.shards"),
        ("CHATOPS_LOG__FORMAT", "yaml", "log.format"),
        ("CHATOPS_METRICS__LISTEN", "localhost", "metrics.listen"),
        ("CHATOPS_METRICS__LISTEN", "127.0.0.1", "metrics.listen"),
        ("CHATOPS_DATABASE__BACKUP_INTERVAL_SECS", "5", "database.backup_interval_secs"),
        ("CHATOPS_DATABASE__BACKUP_KEEP", "0", "database.backup_keep"),
    ] {
        let err = load(&[(var, value)]).unwrap_err().to_string();
        assert!(err.contains(key), "{var}={value}: `{err}` should name {key}");
    }
}

#[test]
fn a_bad_config_file_fails_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("config")).unwrap();
    std::fs::write(dir.path().join("config/local.toml"), "[lobby]\ntimeout_secs = \"half an hour\"\n").unwrap();
    let err = Settings::load_from(dir.path(), HashMap::new()).unwrap_err().to_string();
    assert!(err.contains("timeout_secs"), "{err}");
    std::fs::write(dir.path().join("config/local.toml"), "[lobby]\ntimeout_minutes = 3\n").unwrap();
    let err = Settings::load_from(dir.path(), HashMap::new()).unwrap_err().to_string();
    assert!(err.contains("timeout_minutes"), "{err}");
    std::fs::write(dir.path().join("config/local.toml"), "[lobby]\ntimeout_secs = 120\n").unwrap();
    assert_eq!(Settings::load_from(dir.path(), HashMap::new()).unwrap().lobby.timeout_secs, 120);
}

#[test]
fn shard_ranges_parse() {
    assert_eq!(parse_shards("0-1/4"), Ok((0, 1, 4)));
    assert_eq!(parse_shards("2/4"), Ok((2, 2, 4)));
    for bad in ["", "4/4", "1-0/2", "a-b/c", "0-1", "0-1/0"] {
        assert!(parse_shards(bad).is_err(), "{bad}");
    }
}

#[test]
fn catalogue_path_errors_name_the_key() {
    let err = load(&[("CHATOPS_CATALOG__PATH", "/nonexistent/catalog.toml")]).unwrap().catalog().unwrap_err();
    assert!(err.to_string().contains("catalog.path"), "{err}");
}
