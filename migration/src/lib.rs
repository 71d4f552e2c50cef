//! Schema migrations for cloud-chatops; `Migrator::up` runs at start-up.

pub use sea_orm_migration::prelude::*;

mod m20261125_000001_initial;
mod m20261201_000002_trust;
mod m20261201_000003_lifecycle;
mod m20261201_000004_revision;
mod m20261202_000005_spend_index;
mod m20261207_000006_guild_revision;
mod m20261208_000007_physical_names;

/// The seven tables, in creation order.
pub use m20261125_000001_initial::TABLES;

/// Applies the migrations in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261125_000001_initial::Migration),
            Box::new(m20261201_000002_trust::Migration),
            Box::new(m20261201_000003_lifecycle::Migration),
            Box::new(m20261201_000004_revision::Migration),
            Box::new(m20261202_000005_spend_index::Migration),
            Box::new(m20261207_000006_guild_revision::Migration),
            Box::new(m20261208_000007_physical_names::Migration),
        ]
    }
}
