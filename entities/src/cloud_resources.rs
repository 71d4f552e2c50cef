//! `cloud_resources`: the resources a project has, the source of its Terraform.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::kinds::{Provider, RecordStatus, ResourceKind};

/// A deployed (or deleted) resource; names are unique per project and type among active ones.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "cloud_resources")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub project_id: String,
    pub provider: Provider,
    pub resource_type: ResourceKind,
    pub name: String,
    pub region: String,
    pub config: Json,
    pub status: RecordStatus,
    pub hourly_cost_micros: i64,
    pub created_by: i64,
    pub session_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub deleted_at: Option<DateTimeUtc>,
    /// Set when a destroy lifted the resource's deletion protection: it no longer counts in quotas
    /// or costs, and is still written (unprotected) until a second destroy removes it.
    pub decommissioned_at: Option<DateTimeUtc>,
    /// The project's revision when this row last changed (see `store::revisions`).
    pub revision: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::cloud_projects::Entity",
        from = "Column::ProjectId",
        to = "super::cloud_projects::Column::Id",
        on_delete = "Restrict"
    )]
    CloudProjects,
}

impl Related<super::cloud_projects::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CloudProjects.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
