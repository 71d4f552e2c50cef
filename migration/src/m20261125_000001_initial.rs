//! The seven tables, their keys, constraints and indices.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Tables in creation order; `down` drops them in reverse.
pub const TABLES: [&str; 7] = [
    "cloud_projects",
    "cloud_quotas",
    "user_cloud_permissions",
    "infrastructure_policies",
    "deployment_sessions",
    "deployment_history",
    "cloud_resources",
];

fn fk_project(table: &'static str, on_delete: ForeignKeyAction) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_project"))
        .from(table, "project_id")
        .to("cloud_projects", "id")
        .on_delete(on_delete)
        .on_update(ForeignKeyAction::Cascade)
        .to_owned()
}

/// An index of `table` over `cols`, in order; later migrations build theirs with it too.
pub(crate) fn index(table: &'static str, name: &str, cols: &[&'static str], unique: bool) -> IndexCreateStatement {
    let mut stmt = Index::create();
    stmt.name(name).table(table);
    for col in cols {
        stmt.col(*col);
    }
    if unique {
        stmt.unique();
    }
    stmt.to_owned()
}

fn check(expr: &str) -> Expr {
    Expr::cust(expr.to_owned())
}

const PROVIDER_CHECK: &str = "provider IN ('gcp', 'aws', 'azure')";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("cloud_projects")
                    .col(string_len("id", 32).primary_key())
                    .col(big_integer("guild_id"))
                    .col(big_integer("owner_user_id"))
                    .col(string_len("provider", 16))
                    .col(string_len("name", 100))
                    .col(string_len("default_region", 64))
                    .col(big_integer_null("monthly_budget_micros"))
                    .col(string_len("status", 16).default("active"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .check(check(PROVIDER_CHECK))
                    .check(check("status IN ('active', 'archived')"))
                    .check(check("monthly_budget_micros IS NULL OR monthly_budget_micros >= 0"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("cloud_projects", "ux_projects_guild_name", &["guild_id", "name"], true)).await?;
        manager
            .create_index(index("cloud_projects", "ix_projects_guild_owner", &["guild_id", "owner_user_id"], false))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("cloud_quotas")
                    .col(big_pk_auto("id"))
                    .col(string_len("project_id", 32))
                    .col(string_len("resource_type", 64))
                    .col(string_len("region", 64).default("*"))
                    .col(big_integer("quota_limit"))
                    .col(big_integer("used").default(0))
                    .col(big_integer("reserved").default(0))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk_project("cloud_quotas", ForeignKeyAction::Cascade))
                    .check(check("used >= 0 AND reserved >= 0 AND used + reserved <= quota_limit"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "cloud_quotas",
                "ux_quotas_project_type_region",
                &["project_id", "resource_type", "region"],
                true,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("user_cloud_permissions")
                    .col(big_pk_auto("id"))
                    .col(big_integer("user_id"))
                    .col(big_integer("guild_id"))
                    .col(string_len("provider", 16))
                    .col(string_len("role", 32))
                    .col(boolean("can_create_vm"))
                    .col(boolean("can_create_db"))
                    .col(boolean("can_create_k8s"))
                    .col(boolean("can_create_network"))
                    .col(boolean("can_create_storage"))
                    .col(boolean("can_delete"))
                    .col(string_len_null("max_vm_size", 16))
                    .col(json_null("allowed_regions"))
                    .col(big_integer_null("budget_limit_micros"))
                    .col(big_integer("granted_by"))
                    .col(timestamp_with_time_zone("granted_at"))
                    .check(check(PROVIDER_CHECK))
                    .check(check("role IN ('CloudViewer', 'CloudUser', 'CloudAdmin')"))
                    .check(check("budget_limit_micros IS NULL OR budget_limit_micros >= 0"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "user_cloud_permissions",
                "ux_permissions_user_guild_provider",
                &["user_id", "guild_id", "provider"],
                true,
            ))
            .await?;
        manager.create_index(index("user_cloud_permissions", "ix_permissions_guild", &["guild_id"], false)).await?;

        manager
            .create_table(
                Table::create()
                    .table("infrastructure_policies")
                    .col(big_pk_auto("id"))
                    .col(big_integer("guild_id"))
                    .col(string_len("name", 100))
                    .col(string_len("policy_type", 16))
                    .col(string_len("resource_pattern", 100))
                    .col(json("allowed_values"))
                    .col(json("denied_values"))
                    .col(big_integer_null("max_cost_per_hour_micros"))
                    .col(boolean("require_approval"))
                    .col(integer("priority"))
                    .col(boolean("is_active"))
                    .col(big_integer("created_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .check(check("policy_type IN ('permission', 'quota', 'region', 'cost', 'security')"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "infrastructure_policies",
                "ix_policies_guild_active_priority",
                &["guild_id", "is_active", "priority"],
                false,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("deployment_sessions")
                    .col(uuid("id").primary_key())
                    .col(string_len("project_id", 32))
                    .col(big_integer("user_id"))
                    .col(big_integer("guild_id"))
                    .col(big_integer("channel_id"))
                    .col(big_integer_null("message_id"))
                    .col(string_len("provider", 16))
                    .col(string_len("deployment_type", 32))
                    .col(json("request"))
                    .col(json("verdict"))
                    .col(json("reservation"))
                    .col(string_len("status", 16))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("expires_at"))
                    .col(timestamp_with_time_zone_null("completed_at"))
                    .foreign_key(&mut fk_project("deployment_sessions", ForeignKeyAction::Cascade))
                    .check(check("status IN ('pending', 'approved', 'cancelled', 'expired', 'failed')"))
                    .check(check("(status = 'pending') = (completed_at IS NULL)"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("deployment_sessions", "ix_sessions_status_expires", &["status", "expires_at"], false))
            .await?;
        manager
            .create_index(index("deployment_sessions", "ix_sessions_project_status", &["project_id", "status"], false))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("deployment_history")
                    .col(big_pk_auto("id"))
                    .col(big_integer("guild_id"))
                    .col(big_integer("user_id"))
                    .col(string_len_null("project_id", 32))
                    .col(uuid_null("session_id"))
                    .col(string_len("action", 32))
                    .col(string_len_null("provider", 16))
                    .col(string_len_null("resource_type", 32))
                    .col(string_len_null("resource_name", 100))
                    .col(json("details"))
                    .col(json_null("verdict"))
                    .col(string_len("outcome", 16))
                    .col(big_integer_null("cost_hourly_micros"))
                    .col(text_null("error"))
                    .col(timestamp_with_time_zone("created_at"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("deployment_history", "ix_history_created", &["created_at"], false)).await?;
        manager
            .create_index(index("deployment_history", "ix_history_guild_created", &["guild_id", "created_at"], false))
            .await?;
        manager
            .create_index(index(
                "deployment_history",
                "ix_history_project_created",
                &["project_id", "created_at"],
                false,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("cloud_resources")
                    .col(big_pk_auto("id"))
                    .col(string_len("project_id", 32))
                    .col(string_len("provider", 16))
                    .col(string_len("resource_type", 32))
                    .col(string_len("name", 100))
                    .col(string_len("region", 64))
                    .col(json("config"))
                    .col(string_len("status", 16))
                    .col(big_integer("hourly_cost_micros"))
                    .col(big_integer("created_by"))
                    .col(uuid_null("session_id"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("deleted_at"))
                    .foreign_key(&mut fk_project("cloud_resources", ForeignKeyAction::Restrict))
                    .check(check(PROVIDER_CHECK))
                    .check(check("status IN ('active', 'deleted')"))
                    .check(check("hourly_cost_micros >= 0"))
                    .to_owned(),
            )
            .await?;
        // Unique among active resources only, so a deleted name can be used again. Both SQLite and
        // PostgreSQL support partial indices; sea-query has no builder for the WHERE clause.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX ux_resources_project_type_name ON cloud_resources \
                 (project_id, resource_type, name) WHERE status = 'active'",
            )
            .await?;
        manager
            .create_index(index("cloud_resources", "ix_resources_project_status", &["project_id", "status"], false))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES.iter().rev() {
            manager.drop_table(Table::drop().table(*table).if_exists().to_owned()).await?;
        }
        Ok(())
    }
}
