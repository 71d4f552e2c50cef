//! `cloud_projects`: one row per cloud project a guild created.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::kinds::{Provider, RecordStatus};

/// A cloud project (`gcp-3f9a1c`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "cloud_projects")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub guild_id: i64,
    pub owner_user_id: i64,
    pub provider: Provider,
    pub name: String,
    pub default_region: String,
    pub monthly_budget_micros: Option<i64>,
    pub status: RecordStatus,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// Bumped by every transaction that changes the project's resources (see `store::revisions`).
    pub revision: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::cloud_quotas::Entity")]
    CloudQuotas,
    #[sea_orm(has_many = "super::cloud_resources::Entity")]
    CloudResources,
    #[sea_orm(has_many = "super::deployment_sessions::Entity")]
    DeploymentSessions,
}

impl Related<super::cloud_quotas::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CloudQuotas.def()
    }
}

impl Related<super::cloud_resources::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CloudResources.def()
    }
}

impl Related<super::deployment_sessions::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::DeploymentSessions.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
