//! Spending is summed by the database on every lobby opening and approval (a project's hourly
//! spend and a member's across a guild's projects). This index holds every column those sums filter
//! on and the cost they add, so a sum reads the index alone: a member's spend is found directly
//! (not by reading every resource of each project), and a project's reads no table rows. It
//! replaces `ix_resources_project_status`, its first two columns: with both, SQLite's planner may
//! pick the narrower one and read every row again.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const NAME: &str = "ix_resources_spend";
const REPLACED: &str = "ix_resources_project_status";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(NAME)
                    .table("cloud_resources")
                    .col("project_id")
                    .col("status")
                    .col("decommissioned_at")
                    .col("created_by")
                    .col("provider")
                    .col("hourly_cost_micros")
                    .to_owned(),
            )
            .await?;
        manager.drop_index(Index::drop().name(REPLACED).table("cloud_resources").to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create().name(REPLACED).table("cloud_resources").col("project_id").col("status").to_owned(),
            )
            .await?;
        manager.drop_index(Index::drop().name(NAME).table("cloud_resources").to_owned()).await
    }
}
