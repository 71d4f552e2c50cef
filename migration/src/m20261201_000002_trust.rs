//! Trust on current facts: who decided a lobby (so a second approval elsewhere is told who was
//! first), and a project's monthly budget as a quota line in micro-dollars, reserved and committed
//! like any other quota, so the database's guarded update keeps it across processes.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The quota type of a project's monthly budget (micro-dollars per month).
pub const BUDGET_QUOTA_TYPE: &str = "budget.monthly";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter().table("deployment_sessions").add_column(big_integer_null("decided_by")).to_owned(),
            )
            .await?;
        // Existing budgets become quota lines; what already runs is their `used` (capped at the
        // limit for a project that was over-committed before: `check` then reports the difference).
        let db = manager.get_connection();
        db.execute_unprepared(&format!(
            "INSERT INTO cloud_quotas (project_id, resource_type, region, quota_limit, used, reserved, updated_at) \
             SELECT p.id, '{BUDGET_QUOTA_TYPE}', '*', p.monthly_budget_micros, \
                    CASE WHEN COALESCE(s.monthly, 0) > p.monthly_budget_micros THEN p.monthly_budget_micros \
                         ELSE COALESCE(s.monthly, 0) END, \
                    0, CURRENT_TIMESTAMP \
             FROM cloud_projects p \
             LEFT JOIN (SELECT project_id, SUM(hourly_cost_micros) * 730 AS monthly FROM cloud_resources \
                        WHERE status = 'active' GROUP BY project_id) s ON s.project_id = p.id \
             WHERE p.monthly_budget_micros IS NOT NULL"
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared(&format!("DELETE FROM cloud_quotas WHERE resource_type = '{BUDGET_QUOTA_TYPE}'")).await?;
        manager.alter_table(Table::alter().table("deployment_sessions").drop_column("decided_by").to_owned()).await?;
        Ok(())
    }
}
