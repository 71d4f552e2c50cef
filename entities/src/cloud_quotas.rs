//! `cloud_quotas`: limit, used and reserved amounts per project, resource type and region.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::kinds::QuotaType;

/// One quota line; the database enforces `used + reserved <= quota_limit`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "cloud_quotas")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub project_id: String,
    pub resource_type: QuotaType,
    pub region: String,
    pub quota_limit: i64,
    pub used: i64,
    pub reserved: i64,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::cloud_projects::Entity",
        from = "Column::ProjectId",
        to = "super::cloud_projects::Column::Id",
        on_delete = "Cascade"
    )]
    CloudProjects,
}

impl Related<super::cloud_projects::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CloudProjects.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
