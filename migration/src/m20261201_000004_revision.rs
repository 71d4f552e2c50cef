//! Revisions: every transaction that changes a project's resources takes the project's next
//! revision and stamps it on the rows it writes, so the Terraform generator reads only the rows
//! changed since the revision it last wrote instead of the whole project on every approval.
//! Taking the revision updates the project's row, which serialises those transactions per project:
//! a reader that sees revision R sees every row stamped R or lower.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["cloud_projects", "cloud_resources"] {
            manager
                .alter_table(Table::alter().table(table).add_column(big_integer("revision").default(0)).to_owned())
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("ix_resources_project_revision")
                    .table("cloud_resources")
                    .col("project_id")
                    .col("revision")
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name("ix_resources_project_revision").table("cloud_resources").to_owned())
            .await?;
        for table in ["cloud_resources", "cloud_projects"] {
            manager.alter_table(Table::alter().table(table).drop_column("revision").to_owned()).await?;
        }
        Ok(())
    }
}
