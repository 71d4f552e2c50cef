//! The sample data of the original design document: guild 123456789 with three members, the
//! `gcp-abc123` "Production API" project at 3 of 10 instances, and the three example policies.
//! Loading it twice changes nothing the second time.
//!
//! It goes only where someone is trying the product: `seed` loads it on request, and a console's
//! first start loads it only into the default database file (`cloud_chatops.db` in the working
//! directory), never into a database an operator named. `run` never loads it, and
//! `sample_data.enabled = false` turns it off everywhere. Wherever it is loaded, the sample
//! project's Terraform is written with it, so `check` agrees at once.

use std::sync::Arc;

use sea_orm::{DatabaseConnection, TransactionTrait};

use crate::domain::{Catalog, Money, PolicyKind, Provider, QuotaType, ResourceKind, Role, SizeClass};
use crate::settings::{DefaultQuotas, Settings};
use crate::store::{self, StoreResult, permissions::Grant, policies::NewPolicy, quotas::QuotaAmount};
use crate::terraform::{FsWriter, GeneratorSettings, regenerate};

/// The sample guild.
pub const GUILD_ID: i64 = 123_456_789;
/// CloudUser for gcp: VMs up to medium, us-central1 and asia-southeast1, $3000 a month.
pub const USER_ID: i64 = 111_111_111;
/// CloudAdmin for gcp.
pub const ADMIN_ID: i64 = 222_222_222;
/// CloudViewer for gcp.
pub const VIEWER_ID: i64 = 333_333_333;
/// The sample project.
pub const PROJECT_ID: &str = "gcp-abc123";

/// The sample project's machines. None is named `web-server-01`, so the original design's first
/// example (deploy `web-server-01`, an e2-small, in `gcp-abc123`) runs on this data as written.
const VMS: [(&str, &str); 3] =
    [("api-server-01", "e2-medium"), ("api-server-02", "e2-medium"), ("worker-01", "e2-small")];

/// Why the sample data was not loaded on request.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    /// `sample_data.enabled = false`.
    #[error(
        "the sample data is turned off (`sample_data.enabled = false`, or CHATOPS_SAMPLE_DATA__ENABLED=false); nothing was loaded"
    )]
    TurnedOff,
    /// The database refused.
    #[error(transparent)]
    Store(#[from] store::StoreError),
    /// The data is in, but its Terraform could not be written.
    #[error("the sample data is loaded, but its Terraform could not be written: {0}")]
    Terraform(String),
}

/// What loading the sample data did.
#[derive(Debug, Default)]
pub struct Loaded {
    /// One line per thing created (nothing: it was all there).
    pub created: Vec<String>,
    /// The sample project's Terraform directory, when it was written.
    pub terraform: Option<String>,
}

/// `cloud-chatops seed`: loads what is missing of the sample data and writes the sample project's
/// Terraform, unless `sample_data.enabled` is off.
pub async fn on_request(db: &DatabaseConnection, settings: &Settings, catalog: &Catalog) -> Result<Loaded, SeedError> {
    if !settings.sample_data.enabled {
        return Err(SeedError::TurnedOff);
    }
    let created = load(db, &settings.quotas, catalog).await?;
    let terraform = write_terraform(db, settings, catalog).await?;
    Ok(Loaded { created, terraform })
}

/// A console's first start: loads the sample data only into the default database file, only when
/// it holds no project and no grant, and only while `sample_data.enabled`. Nothing loaded is an
/// empty [`Loaded`].
pub async fn on_first_console(
    db: &DatabaseConnection,
    settings: &Settings,
    catalog: &Catalog,
) -> Result<Loaded, SeedError> {
    if !settings.sample_data.enabled || !settings.database.is_default_file() || !store::seed::is_fresh(db).await? {
        return Ok(Loaded::default());
    }
    on_request(db, settings, catalog).await
}

/// Writes the sample project's Terraform as an approval would (nothing when the project is gone).
async fn write_terraform(
    db: &DatabaseConnection,
    settings: &Settings,
    catalog: &Catalog,
) -> Result<Option<String>, SeedError> {
    if store::projects::get(db, PROJECT_ID).await.is_err() {
        return Ok(None);
    }
    let generator = GeneratorSettings::from(&settings.terraform);
    let source = store::spec::StoreSpecSource::new(db.clone(), Arc::new(catalog.clone()), generator);
    let root = &settings.terraform.output_dir;
    let written = regenerate(root, &source, PROJECT_ID, Arc::new(FsWriter))
        .await
        .map_err(|e| SeedError::Terraform(e.to_string()))?;
    Ok(Some(written.dir.display().to_string()))
}

/// Loads whatever of the sample data is missing; returns one line per thing created.
///
/// One transaction, retried after a transient failure: on SQLite a transaction that read before
/// writing cannot wait for another writer (a running bot's start-up purge, say) and fails at once.
pub async fn load(db: &DatabaseConnection, quotas: &DefaultQuotas, catalog: &Catalog) -> StoreResult<Vec<String>> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        match load_once(db, quotas, catalog).await {
            Err(e) if e.is_transient() && attempt < 8 => {
                tracing::debug!(attempt, "sample data retried after a transient error");
                tokio::time::sleep(std::time::Duration::from_millis(4 << attempt)).await;
            }
            other => return other,
        }
    }
}

async fn load_once(db: &DatabaseConnection, quotas: &DefaultQuotas, catalog: &Catalog) -> StoreResult<Vec<String>> {
    let mut created = Vec::new();
    let txn = db.begin().await?;
    for (user, role) in [(USER_ID, Role::CloudUser), (ADMIN_ID, Role::CloudAdmin), (VIEWER_ID, Role::CloudViewer)] {
        if store::permissions::get(&txn, user, GUILD_ID, Provider::Gcp).await?.is_some() {
            continue;
        }
        let mut grant = Grant::for_role(user, GUILD_ID, Provider::Gcp, role, ADMIN_ID);
        if role == Role::CloudUser {
            grant.permissions.max_vm_size = Some(SizeClass::Medium);
            grant.permissions.allowed_regions = Some(vec!["us-central1".into(), "asia-southeast1".into()]);
            grant.permissions.budget_limit = Some(Money::from_dollars(3000));
        }
        store::permissions::grant(&txn, grant).await?;
        created.push(format!("permission: user {user} is {role} for gcp in guild {GUILD_ID}"));
    }

    if store::projects::get(&txn, PROJECT_ID).await.is_err() {
        let project = store::projects::create_with_id(
            &txn,
            PROJECT_ID,
            store::projects::NewProject {
                guild_id: GUILD_ID,
                owner_user_id: USER_ID,
                provider: Provider::Gcp,
                name: "Production API".into(),
                default_region: "us-central1".into(),
                monthly_budget: Some(Money::from_dollars(5000)),
                quotas: quotas.lines(),
            },
        )
        .await?;
        created.push(format!("project: {} \"{}\" in {}", project.id, project.name, project.default_region));
        for (name, machine_type) in VMS {
            let quote = catalog
                .quote(Provider::Gcp, ResourceKind::Vm, "us-central1", Some(machine_type), None, 1)
                .map_err(|e| store::StoreError::InvalidInput(e.to_string()))?;
            let monthly = (QuotaType::BudgetMonthly, quote.total_hourly.monthly_from_hourly().micros());
            let lines: Vec<QuotaAmount> = quote
                .consumption
                .iter()
                .copied()
                .chain([monthly])
                .map(|(q, n)| QuotaAmount::new(q, "us-central1", n))
                .collect();
            store::quotas::consume(&txn, PROJECT_ID, &lines).await?;
            store::resources::create(
                &txn,
                store::resources::NewResource {
                    project_id: PROJECT_ID.into(),
                    provider: Provider::Gcp,
                    kind: ResourceKind::Vm,
                    name: name.into(),
                    region: "us-central1".into(),
                    // As an approval records it, so `/cloud-list` and the generator read the same size.
                    config: serde_json::json!({ "size": machine_type }),
                    hourly_cost: quote.total_hourly,
                    created_by: USER_ID,
                    session_id: None,
                },
            )
            .await?;
            created.push(format!("resource: vm {name} ({machine_type}) in {PROJECT_ID}"));
        }
    }

    let existing: Vec<String> =
        store::policies::list_active(&txn, GUILD_ID).await?.into_iter().map(|p| p.name).collect();
    for policy in sample_policies() {
        if existing.contains(&policy.name) {
            continue;
        }
        let policy = store::policies::create(&txn, policy).await?;
        created.push(format!(
            "policy: #{} {} ({}, priority {})",
            policy.id, policy.name, policy.policy_type, policy.priority
        ));
    }
    txn.commit().await?;
    Ok(created)
}

fn sample_policies() -> Vec<NewPolicy> {
    let base = |name: &str, kind, pattern: &str, priority| NewPolicy {
        guild_id: GUILD_ID,
        name: name.into(),
        kind,
        resource_pattern: pattern.into(),
        allowed_values: vec![],
        denied_values: vec![],
        max_cost_per_hour: None,
        require_approval: false,
        priority,
        created_by: ADMIN_ID,
    };
    vec![
        // Scoped to a provider each, so they never block a region of another provider; they allow
        // the sample grant's regions (us-central1, asia-southeast1), and Azure is left open.
        NewPolicy {
            allowed_values: vec!["us-central1".into(), "asia-southeast1".into(), "europe-west1".into()],
            ..base("Production Regions Only", PolicyKind::Region, "provider:gcp", 10)
        },
        NewPolicy {
            allowed_values: vec!["us-east-1".into(), "eu-west-1".into()],
            ..base("AWS Production Regions", PolicyKind::Region, "provider:aws", 11)
        },
        NewPolicy {
            max_cost_per_hour: Some(Money::from_micros(500_000)),
            require_approval: true,
            ..base("Max $0.50/hour per VM", PolicyKind::Cost, "type:compute.instances", 50)
        },
        NewPolicy {
            denied_values: vec!["public".into(), "0.0.0.0/0".into()],
            require_approval: true,
            ..base("No Public Databases", PolicyKind::Security, "type:database", 5)
        },
    ]
}
