//! AWS databases, load balancers and clusters are now written with the project's suffix
//! (`orders` in `aws-3f9a1c` is the RDS instance `orders-3f9a1c`), because their names are unique
//! per account and region. Those approved before keep the name they were created with: each one's
//! `config` gets `"physical": <its name>`, so the next generation renames (and so replaces) nothing.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The rows whose names the rule now changes, and that carry no pin yet.
const ROWS: &str = "provider = 'aws' AND resource_type IN ('database', 'load_balancer', 'k8s') AND status = 'active'";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let sql = match db.get_database_backend() {
            DbBackend::Postgres => format!(
                "UPDATE cloud_resources SET config = config::jsonb || jsonb_build_object('physical', name) \
                 WHERE {ROWS} AND (config::jsonb -> 'physical') IS NULL"
            ),
            _ => format!(
                "UPDATE cloud_resources SET config = json_set(config, '$.physical', name) \
                 WHERE {ROWS} AND json_extract(config, '$.physical') IS NULL"
            ),
        };
        db.execute_unprepared(&sql).await.map(|_| ())
    }

    /// The pins stay: taking them away would rename what they keep.
    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        Ok(())
    }
}
