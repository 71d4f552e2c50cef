//! `deployment_sessions`: one row per deployment lobby.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::kinds::{Provider, ResourceKind, SessionStatus};

/// A lobby: what was asked, the verdict, what it reserved and how it ended.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "deployment_sessions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub project_id: String,
    pub user_id: i64,
    pub guild_id: i64,
    pub channel_id: i64,
    pub message_id: Option<i64>,
    pub provider: Provider,
    pub deployment_type: ResourceKind,
    pub request: Json,
    pub verdict: Json,
    /// JSON array of `{quota_type, region, amount}` held while pending.
    pub reservation: Json,
    pub status: SessionStatus,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub completed_at: Option<DateTimeUtc>,
    /// The member who approved or cancelled it (`None` while pending, and for expiry).
    pub decided_by: Option<i64>,
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
