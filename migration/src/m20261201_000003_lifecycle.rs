//! Resources that leave or change: a lobby may target an existing resource (a destroy or a
//! resize), and at most one pending lobby may target a given resource, which the database decides.
//! A resource under deletion protection is decommissioned in two steps: the first destroy lifts the
//! protection and frees its quota (`decommissioned_at`), the second removes it.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("deployment_sessions")
                    .add_column(big_integer_null("target_resource_id"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("cloud_resources")
                    .add_column(timestamp_with_time_zone_null("decommissioned_at"))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        db.execute_unprepared(
            "CREATE UNIQUE INDEX ux_sessions_pending_target ON deployment_sessions (target_resource_id) \
             WHERE status = 'pending' AND target_resource_id IS NOT NULL",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared("DROP INDEX ux_sessions_pending_target").await?;
        manager
            .alter_table(Table::alter().table("cloud_resources").drop_column("decommissioned_at").to_owned())
            .await?;
        manager
            .alter_table(Table::alter().table("deployment_sessions").drop_column("target_resource_id").to_owned())
            .await?;
        Ok(())
    }
}
