//! A revision per guild, taken by every change to its grants and policies in the change's own
//! transaction: the PolicyHandle keeps a guild's grants and policies and trusts them only while the
//! guild's revision (one primary-key read) is the one they were read at, in every process.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The table's name.
pub const TABLE: &str = "guild_revisions";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Alias::new(TABLE))
                    .if_not_exists()
                    .col(ColumnDef::new(Alias::new("guild_id")).big_integer().not_null().primary_key())
                    .col(ColumnDef::new(Alias::new("revision")).big_integer().not_null().default(0))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Alias::new(TABLE)).if_exists().to_owned()).await
    }
}
