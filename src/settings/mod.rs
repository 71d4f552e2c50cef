//! Layered configuration: the shipped `config/default.toml`, then `config/default.toml` and
//! `config/local.toml` in the working directory if present, then `CHATOPS_<SECTION>__<KEY>`
//! environment variables, then the conventional `DATABASE_URL`, `DISCORD_TOKEN`, `DISCORD_API_BASE`.

mod secret;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use config::{Config, Environment, File, FileFormat};
use serde::Deserialize;

pub use secret::Secret;

use crate::domain::QuotaType;
use crate::domain::catalog::{Catalog, CatalogError};
use crate::domain::stacks::StackCatalog;
use crate::domain::state::StateStores;

/// The defaults shipped with the binary, so it runs from any directory.
pub const BUILTIN_DEFAULTS: &str = include_str!("../../config/default.toml");

/// Why the configuration could not be loaded; the text names the offending key.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// A file did not parse, a key is unknown or a value has the wrong type.
    #[error("configuration: {0}")]
    Invalid(#[from] config::ConfigError),
    /// A value parsed but is out of range.
    #[error("configuration key `{key}`: {problem}")]
    OutOfRange {
        /// Dotted key (`lobby.timeout_secs`).
        key: &'static str,
        /// What is wrong and what would be valid.
        problem: String,
    },
    /// The pricing catalogue could not be read or is invalid.
    #[error("configuration key `catalog.path`: {0}")]
    Catalog(String),
    /// The stack templates could not be read or are invalid.
    #[error("configuration key `catalog.stacks_path`: {0}")]
    Stacks(String),
}

/// Every setting.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Database connection.
    pub database: DatabaseSettings,
    /// Lobby behaviour.
    pub lobby: LobbySettings,
    /// Terraform output.
    pub terraform: TerraformSettings,
    /// Audit log retention.
    pub history: HistorySettings,
    /// Logging.
    pub log: LogSettings,
    /// Pricing catalogue.
    pub catalog: CatalogSettings,
    /// Limits of a new project.
    pub quotas: DefaultQuotas,
    /// Discord connection.
    pub discord: DiscordSettings,
    /// The sample data of the original design.
    pub sample_data: SampleDataSettings,
    /// Health and metrics endpoints.
    pub metrics: MetricsSettings,
}

/// `[sample_data]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SampleDataSettings {
    /// `false` turns the sample data off everywhere: `seed` refuses and a console's first start on
    /// the default database file starts empty.
    pub enabled: bool,
}

/// `[database]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    /// sea-orm URL: `sqlite://file.db?mode=rwc` or `postgres://user@host/db`.
    pub url: String,
    /// SQLite: a folder the running process writes a timestamped copy of the database into every
    /// `backup_interval_secs`; empty takes none.
    #[serde(default)]
    pub backup_dir: String,
    /// Time between two periodic backups, in seconds.
    #[serde(default = "DatabaseSettings::default_backup_interval")]
    pub backup_interval_secs: u64,
    /// How many periodic backups are kept (the oldest beyond it are deleted).
    #[serde(default = "DatabaseSettings::default_backup_keep")]
    pub backup_keep: usize,
}

/// The embedded default database: `cloud_chatops.db` in the working directory.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://cloud_chatops.db?mode=rwc";

impl DatabaseSettings {
    /// Whether this is the embedded default, the file someone trying the product starts on.
    pub fn is_default_file(&self) -> bool {
        self.url.trim() == DEFAULT_DATABASE_URL
    }

    fn default_backup_interval() -> u64 {
        86_400
    }

    fn default_backup_keep() -> usize {
        7
    }

    /// The folder of periodic backups, when one is set.
    pub fn backup_dir(&self) -> Option<PathBuf> {
        let dir = self.backup_dir.trim();
        (!dir.is_empty()).then(|| PathBuf::from(dir))
    }
}

/// `[lobby]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LobbySettings {
    /// Lifetime of a lobby, in seconds.
    pub timeout_secs: u64,
}

/// `[terraform]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TerraformSettings {
    /// Output root.
    pub output_dir: PathBuf,
    /// Remote state of earlier versions: one name for every cloud (a GCS bucket, an S3 bucket in
    /// each project's default region, an Azure storage account, container `tfstate`), taken only
    /// when it is valid for all three; [`TerraformSettings::backend`] names a store per cloud.
    #[serde(default)]
    pub state_bucket: String,
    /// Remote state per cloud (`[terraform.backend.gcp|aws|azure]`); each project gets a generated
    /// `backend.tf` keyed by its id in its cloud's store.
    #[serde(default)]
    pub backend: BackendSettings,
    /// Azure VMs and AKS nodes encrypt their disks at host; needs the subscription feature
    /// `Microsoft.Compute/EncryptionAtHost` registered.
    #[serde(default)]
    pub azure_encryption_at_host: bool,
}

/// `[terraform.backend]`: one remote state store per cloud; an empty one keeps local state.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BackendSettings {
    /// `[terraform.backend.gcp]`.
    pub gcp: GcsBackendSettings,
    /// `[terraform.backend.aws]`.
    pub aws: S3BackendSettings,
    /// `[terraform.backend.azure]`.
    pub azure: AzureBackendSettings,
}

/// `[terraform.backend.gcp]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GcsBackendSettings {
    /// The GCS bucket.
    pub bucket: String,
}

/// `[terraform.backend.aws]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct S3BackendSettings {
    /// The S3 bucket.
    pub bucket: String,
    /// The region the bucket lives in.
    pub region: String,
}

/// `[terraform.backend.azure]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AzureBackendSettings {
    /// The storage account's resource group (optional with Azure AD auth).
    pub resource_group: String,
    /// The storage account.
    pub storage_account: String,
    /// The blob container; empty is `tfstate`.
    pub container: String,
}

impl TerraformSettings {
    /// The remote state stores, checked: each cloud's own, or the single name of earlier versions
    /// when it is valid for every cloud. The error names the key at fault.
    pub fn state_stores(&self) -> Result<StateStores, SettingsError> {
        use crate::domain::state::{self, AzureStore, GcsStore, S3Store};
        let bad = |key: &'static str, value: &str, expected: &str| SettingsError::OutOfRange {
            key,
            problem: format!("`{value}` is not {expected}"),
        };
        let b = &self.backend;
        let trimmed = |s: &String| s.trim().to_owned();
        let (gcs, s3, s3_region) = (trimmed(&b.gcp.bucket), trimmed(&b.aws.bucket), trimmed(&b.aws.region));
        let (account, container, group) =
            (trimmed(&b.azure.storage_account), trimmed(&b.azure.container), trimmed(&b.azure.resource_group));
        let any_new = [&gcs, &s3, &s3_region, &account, &container, &group].iter().any(|v| !v.is_empty());
        let legacy = self.state_bucket.trim();
        if !legacy.is_empty() {
            if any_new {
                return Err(SettingsError::OutOfRange {
                    key: "terraform.state_bucket",
                    problem: "set either it or [terraform.backend.gcp|aws|azure], not both".into(),
                });
            }
            let problem = state::gcs_bucket_problem(legacy)
                .or_else(|| state::s3_bucket_problem(legacy))
                .or_else(|| state::storage_account_problem(legacy));
            if let Some(expected) = problem {
                return Err(SettingsError::OutOfRange {
                    key: "terraform.state_bucket",
                    problem: format!(
                        "`{legacy}` is not a name every cloud's state store takes (it must be {expected}); \
                         set a store per cloud instead: terraform.backend.gcp.bucket, \
                         terraform.backend.aws.bucket and terraform.backend.aws.region, \
                         terraform.backend.azure.storage_account (and .container, .resource_group)"
                    ),
                });
            }
            return Ok(StateStores::one_name_for_all(legacy));
        }
        let mut stores = StateStores::default();
        if !gcs.is_empty() {
            if let Some(expected) = state::gcs_bucket_problem(&gcs) {
                return Err(bad("terraform.backend.gcp.bucket", &gcs, expected));
            }
            stores.gcp = Some(GcsStore { bucket: gcs });
        }
        match (s3.is_empty(), s3_region.is_empty()) {
            (true, true) => {}
            (true, false) => {
                return Err(SettingsError::OutOfRange {
                    key: "terraform.backend.aws.bucket",
                    problem: "is empty while terraform.backend.aws.region is set; name the bucket too".into(),
                });
            }
            (false, true) => {
                return Err(SettingsError::OutOfRange {
                    key: "terraform.backend.aws.region",
                    problem: "is empty: an S3 bucket lives in one region; name it (e.g. eu-west-1)".into(),
                });
            }
            (false, false) => {
                if let Some(expected) = state::s3_bucket_problem(&s3) {
                    return Err(bad("terraform.backend.aws.bucket", &s3, expected));
                }
                if let Some(expected) = state::aws_region_problem(&s3_region) {
                    return Err(bad("terraform.backend.aws.region", &s3_region, expected));
                }
                stores.aws = Some(S3Store { bucket: s3, region: Some(s3_region) });
            }
        }
        if account.is_empty() {
            if !container.is_empty() || !group.is_empty() {
                return Err(SettingsError::OutOfRange {
                    key: "terraform.backend.azure.storage_account",
                    problem: "is empty while its container or resource group is set; name the account".into(),
                });
            }
        } else {
            if let Some(expected) = state::storage_account_problem(&account) {
                return Err(bad("terraform.backend.azure.storage_account", &account, expected));
            }
            let container = if container.is_empty() { state::DEFAULT_CONTAINER.to_owned() } else { container };
            if let Some(expected) = state::container_problem(&container) {
                return Err(bad("terraform.backend.azure.container", &container, expected));
            }
            if !group.is_empty()
                && let Some(expected) = state::resource_group_problem(&group)
            {
                return Err(bad("terraform.backend.azure.resource_group", &group, expected));
            }
            stores.azure = Some(AzureStore {
                storage_account: account,
                container,
                resource_group: (!group.is_empty()).then_some(group),
            });
        }
        Ok(stores)
    }
}

/// `[history]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistorySettings {
    /// Days of history kept.
    pub retention_days: u32,
}

/// `[log]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSettings {
    /// tracing filter; `RUST_LOG`, when set, overrides it.
    pub level: String,
    /// `text` (human-readable lines) or `json` (one object per line); see [`LogSettings::json`].
    pub format: String,
}

impl LogSettings {
    /// The formats `log.format` accepts.
    pub const FORMATS: [&str; 2] = ["text", "json"];

    /// Whether logs are written as JSON objects, one per line.
    pub fn json(&self) -> bool {
        self.format.trim().eq_ignore_ascii_case("json")
    }
}

/// `[metrics]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsSettings {
    /// Address of `/healthz`, `/readyz` and `/metrics` (`127.0.0.1:9464`); empty serves none.
    pub listen: String,
}

impl MetricsSettings {
    /// The address to serve on, when one is set (checked when the settings load).
    pub fn address(&self) -> Option<std::net::SocketAddr> {
        self.listen.trim().parse().ok()
    }
}

/// `[catalog]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogSettings {
    /// Catalogue file; empty uses the shipped one.
    pub path: String,
    /// Stack templates file; empty uses the shipped `config/stacks.toml`.
    #[serde(default)]
    pub stacks_path: String,
}

/// `[quotas]`: limits every new project starts with.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct DefaultQuotas {
    pub compute_instances: i64,
    pub compute_cpus: i64,
    pub compute_ram_gb: i64,
    pub database_instances: i64,
    pub kubernetes_clusters: i64,
    pub storage_buckets: i64,
    pub network_vpcs: i64,
    pub network_load_balancers: i64,
}

impl DefaultQuotas {
    /// The limits as (type, limit) lines.
    pub fn lines(&self) -> Vec<(QuotaType, i64)> {
        vec![
            (QuotaType::ComputeInstances, self.compute_instances),
            (QuotaType::ComputeCpus, self.compute_cpus),
            (QuotaType::ComputeRamGb, self.compute_ram_gb),
            (QuotaType::DatabaseInstances, self.database_instances),
            (QuotaType::KubernetesClusters, self.kubernetes_clusters),
            (QuotaType::StorageBuckets, self.storage_buckets),
            (QuotaType::NetworkVpcs, self.network_vpcs),
            (QuotaType::NetworkLoadBalancers, self.network_load_balancers),
        ]
    }
}

/// `[discord]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiscordSettings {
    /// Bot token (from `DISCORD_TOKEN`).
    #[serde(default)]
    pub token: Option<Secret>,
    /// REST endpoint replacing Discord's (from `DISCORD_API_BASE`); empty for Discord itself.
    pub api_base: String,
    /// Guild to register commands in; 0 registers globally.
    pub guild_id: u64,
    /// Shard range (`0-1/4`); empty runs all.
    pub shards: String,
}

impl Settings {
    /// Loads from the process environment and the working directory.
    pub fn load() -> Result<Settings, SettingsError> {
        Settings::load_from(Path::new("."), std::env::vars().collect())
    }

    /// Loads with an explicit working directory and environment (tests use this).
    pub fn load_from(dir: &Path, env: HashMap<String, String>) -> Result<Settings, SettingsError> {
        let mut conventional = HashMap::new();
        for (var, key) in [
            ("DATABASE_URL", "database.url"),
            ("DISCORD_TOKEN", "discord.token"),
            ("DISCORD_API_BASE", "discord.api_base"),
        ] {
            if let Some(value) = env.get(var).filter(|v| !v.trim().is_empty()) {
                conventional.insert(key.to_owned(), value.clone());
            }
        }
        let mut builder = Config::builder()
            .add_source(File::from_str(BUILTIN_DEFAULTS, FileFormat::Toml))
            .add_source(File::from(dir.join("config/default.toml")).format(FileFormat::Toml).required(false))
            .add_source(File::from(dir.join("config/local.toml")).format(FileFormat::Toml).required(false))
            .add_source(
                Environment::with_prefix("CHATOPS")
                    .prefix_separator("_")
                    .separator("__")
                    .try_parsing(true)
                    .source(Some(env.into_iter().filter(|(k, _)| k.starts_with("CHATOPS_")).collect())),
            );
        for (key, value) in conventional {
            builder = builder.set_override(key, value)?;
        }
        let settings: Settings = builder.build()?.try_deserialize()?;
        settings.check()?;
        Ok(settings)
    }

    fn check(&self) -> Result<(), SettingsError> {
        let range = |key: &'static str, ok: bool, problem: &str| {
            if ok { Ok(()) } else { Err(SettingsError::OutOfRange { key, problem: problem.to_owned() }) }
        };
        range(
            "lobby.timeout_secs",
            (10..=86_400).contains(&self.lobby.timeout_secs),
            "must be between 10 seconds and 86400 (one day)",
        )?;
        range(
            "history.retention_days",
            (1..=36_500).contains(&self.history.retention_days),
            "must be 1 to 36500 days",
        )?;
        range(
            "database.url",
            ["sqlite:", "postgres://", "postgresql://"].iter().any(|p| self.database.url.starts_with(p)),
            "must start with sqlite:, postgres:// or postgresql://",
        )?;
        range(
            "database.backup_interval_secs",
            (60..=31_536_000).contains(&self.database.backup_interval_secs),
            "must be between 60 seconds and 31536000 (a year)",
        )?;
        range("database.backup_keep", (1..=10_000).contains(&self.database.backup_keep), "must be 1 to 10000")?;
        range(
            "database.backup_dir",
            self.database.backup_dir().is_none() || self.database.url.starts_with("sqlite:"),
            "periodic backups copy the SQLite file; with PostgreSQL leave it empty and schedule pg_dump",
        )?;
        range("terraform.output_dir", !self.terraform.output_dir.as_os_str().is_empty(), "must not be empty")?;
        self.terraform.state_stores()?;
        // A stack file that cannot be used stops the start, not the first /cloud-stack.
        self.stacks()?;
        for (quota, limit) in self.quotas.lines() {
            if !(0..=1_000_000).contains(&limit) {
                return Err(SettingsError::OutOfRange {
                    key: "quotas",
                    problem: format!("{quota} must be between 0 and 1000000, got {limit}"),
                });
            }
        }
        range(
            "log.format",
            LogSettings::FORMATS.iter().any(|f| self.log.format.trim().eq_ignore_ascii_case(f)),
            "must be \"text\" or \"json\"",
        )?;
        let listen = self.metrics.listen.trim();
        range(
            "metrics.listen",
            listen.is_empty() || listen.parse::<std::net::SocketAddr>().is_ok(),
            "must be empty (no endpoints) or an address with a port, e.g. 127.0.0.1:9464",
        )?;
        if !self.discord.shards.is_empty() {
            crate::settings::parse_shards(&self.discord.shards)
                .map_err(|problem| SettingsError::OutOfRange { key: "discord.shards", problem })?;
        }
        Ok(())
    }

    /// The pricing catalogue: the configured file, or the shipped one.
    pub fn catalog(&self) -> Result<Catalog, SettingsError> {
        if self.catalog.path.trim().is_empty() {
            return Ok(Catalog::builtin());
        }
        let text = std::fs::read_to_string(&self.catalog.path)
            .map_err(|e| SettingsError::Catalog(format!("cannot read {}: {e}", self.catalog.path)))?;
        Catalog::from_toml(&text).map_err(|e: CatalogError| SettingsError::Catalog(e.to_string()))
    }

    /// The stack templates: the configured file, or the shipped one.
    pub fn stacks(&self) -> Result<StackCatalog, SettingsError> {
        if self.catalog.stacks_path.trim().is_empty() {
            return Ok(StackCatalog::builtin());
        }
        let path = &self.catalog.stacks_path;
        let text =
            std::fs::read_to_string(path).map_err(|e| SettingsError::Stacks(format!("cannot read {path}: {e}")))?;
        StackCatalog::from_toml(&text).map_err(|e| SettingsError::Stacks(e.to_string()))
    }

    /// The Discord token, when one is configured.
    pub fn discord_token(&self) -> Option<&Secret> {
        self.discord.token.as_ref().filter(|t| !t.is_empty())
    }
}

impl Settings {
    /// The shards `discord.shards` names (`None`: every shard).
    pub fn shard_range(&self) -> Result<Option<crate::domain::ShardRange>, SettingsError> {
        let text = self.discord.shards.trim();
        if text.is_empty() {
            return Ok(None);
        }
        let (first, last, total) =
            parse_shards(text).map_err(|problem| SettingsError::OutOfRange { key: "discord.shards", problem })?;
        Ok(Some(crate::domain::ShardRange { first, last, total }))
    }
}

/// Parses a shard range `first-last/total` (or `n/total`) into (first, last, total).
pub fn parse_shards(text: &str) -> Result<(u32, u32, u32), String> {
    let bad = || format!("`{text}` is not a shard range; write first-last/total, e.g. 0-1/4");
    let (range, total) = text.split_once('/').ok_or_else(bad)?;
    let total: u32 = total.trim().parse().map_err(|_| bad())?;
    let (first, last) = match range.split_once('-') {
        Some((a, b)) => (a.trim().parse().map_err(|_| bad())?, b.trim().parse().map_err(|_| bad())?),
        None => {
            let n: u32 = range.trim().parse().map_err(|_| bad())?;
            (n, n)
        }
    };
    if total == 0 || first > last || last >= total {
        return Err(bad());
    }
    Ok((first, last, total))
}

#[cfg(test)]
mod terraform_tests {
    use super::*;

    fn load(env: &[(&str, &str)]) -> Result<Settings, SettingsError> {
        let env = env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        Settings::load_from(Path::new("/nonexistent"), env)
    }

    #[test]
    fn the_terraform_section_takes_a_state_bucket_and_host_encryption() {
        let s = load(&[]).unwrap();
        assert_eq!((s.terraform.state_bucket.as_str(), s.terraform.azure_encryption_at_host), ("", false));
        assert_eq!(s.terraform.state_stores().unwrap(), StateStores::default(), "local state by default");
        let s = load(&[
            ("CHATOPS_TERRAFORM__STATE_BUCKET", "acmetfstate"),
            ("CHATOPS_TERRAFORM__AZURE_ENCRYPTION_AT_HOST", "true"),
        ])
        .unwrap();
        assert_eq!((s.terraform.state_bucket.as_str(), s.terraform.azure_encryption_at_host), ("acmetfstate", true));
        assert_eq!(s.terraform.state_stores().unwrap(), StateStores::one_name_for_all("acmetfstate"));
        // Valid for S3 and GCS but not an Azure storage account: refused, naming the new keys.
        for bad in ["acme-tf-state", "Acme", "a", "bucket/with/slash", "-leading"] {
            let err = load(&[("CHATOPS_TERRAFORM__STATE_BUCKET", bad)]).unwrap_err().to_string();
            assert!(err.contains("terraform.state_bucket"), "{bad}: {err}");
            assert!(err.contains("terraform.backend.azure.storage_account"), "{bad}: {err}");
        }
    }

    #[test]
    fn each_cloud_names_its_own_state_store() {
        let s = load(&[
            ("CHATOPS_TERRAFORM__BACKEND__GCP__BUCKET", "acme-tf-state"),
            ("CHATOPS_TERRAFORM__BACKEND__AWS__BUCKET", "acme-tf-state-eu"),
            ("CHATOPS_TERRAFORM__BACKEND__AWS__REGION", "eu-west-1"),
            ("CHATOPS_TERRAFORM__BACKEND__AZURE__STORAGE_ACCOUNT", "acmetfstate"),
            ("CHATOPS_TERRAFORM__BACKEND__AZURE__RESOURCE_GROUP", "rg-platform"),
        ])
        .unwrap();
        let stores = s.terraform.state_stores().unwrap();
        assert_eq!(stores.gcp.unwrap().bucket, "acme-tf-state");
        let aws = stores.aws.unwrap();
        assert_eq!((aws.bucket.as_str(), aws.region.as_deref()), ("acme-tf-state-eu", Some("eu-west-1")));
        let azure = stores.azure.unwrap();
        assert_eq!(
            (azure.storage_account.as_str(), azure.container.as_str(), azure.resource_group.as_deref()),
            ("acmetfstate", "tfstate", Some("rg-platform"))
        );
        // Only GCP: the other clouds keep local state.
        let s = load(&[("CHATOPS_TERRAFORM__BACKEND__GCP__BUCKET", "acme")]).unwrap();
        let stores = s.terraform.state_stores().unwrap();
        assert!(stores.gcp.is_some() && stores.aws.is_none() && stores.azure.is_none());
        for (env, key) in [
            (vec![("CHATOPS_TERRAFORM__BACKEND__GCP__BUCKET", "Acme")], "terraform.backend.gcp.bucket"),
            (vec![("CHATOPS_TERRAFORM__BACKEND__AWS__BUCKET", "acme")], "terraform.backend.aws.region"),
            (vec![("CHATOPS_TERRAFORM__BACKEND__AWS__REGION", "eu-west-1")], "terraform.backend.aws.bucket"),
            (
                vec![
                    ("CHATOPS_TERRAFORM__BACKEND__AWS__BUCKET", "acme"),
                    ("CHATOPS_TERRAFORM__BACKEND__AWS__REGION", "Europe"),
                ],
                "terraform.backend.aws.region",
            ),
            (
                vec![("CHATOPS_TERRAFORM__BACKEND__AZURE__STORAGE_ACCOUNT", "acme-tf")],
                "terraform.backend.azure.storage_account",
            ),
            (vec![("CHATOPS_TERRAFORM__BACKEND__AZURE__CONTAINER", "tf")], "terraform.backend.azure.storage_account"),
            (
                vec![
                    ("CHATOPS_TERRAFORM__BACKEND__AZURE__STORAGE_ACCOUNT", "acme"),
                    ("CHATOPS_TERRAFORM__BACKEND__AZURE__CONTAINER", "T"),
                ],
                "terraform.backend.azure.container",
            ),
            (
                vec![("CHATOPS_TERRAFORM__STATE_BUCKET", "acme"), ("CHATOPS_TERRAFORM__BACKEND__GCP__BUCKET", "acme")],
                "terraform.state_bucket",
            ),
        ] {
            let err = load(&env).unwrap_err().to_string();
            assert!(err.contains(key), "{env:?}: `{err}` should name {key}");
        }
    }
}
