//! Spending is summed by the database on every lobby opening and approval (a project's hourly
//! spend and a member's across a guild's projects). This index holds every column those sums filter
//! on and the cost they add, so a sum reads the index alone: a member's spend is found directly
//! (not by reading every resource of each project), and a project's reads no table rows. It
//! replaces `ix_resources_project_status`, its first two columns: with both, SQLite's planner may
//! pick the narrower one and read every row again.

use sea_orm_migration::prelude::*;

use crate::m20261125_000001_initial::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

const NAME: &str = "ix_resources_spend";
const REPLACED: &str = "ix_resources_project_status";

/// The columns both sums filter on, then the cost they add.
const COLUMNS: [&str; 6] =
    ["project_id", "status", "decommissioned_at", "created_by", "provider", "hourly_cost_micros"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_index(index("cloud_resources", NAME, &COLUMNS, false)).await?;
        manager.drop_index(Index::drop().name(REPLACED).table("cloud_resources").to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_index(index("cloud_resources", REPLACED, &COLUMNS[..2], false)).await?;
        manager.drop_index(Index::drop().name(NAME).table("cloud_resources").to_owned()).await
    }
}
