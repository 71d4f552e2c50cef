//! `deployment_history`: the append-only audit log.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::kinds::{Provider, ResourceKind};

/// One audited event: who did what, the verdict, the outcome and its cost.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "deployment_history")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub guild_id: i64,
    pub user_id: i64,
    pub project_id: Option<String>,
    pub session_id: Option<Uuid>,
    pub action: String,
    pub provider: Option<Provider>,
    pub resource_type: Option<ResourceKind>,
    pub resource_name: Option<String>,
    pub details: Json,
    pub verdict: Option<Json>,
    pub outcome: String,
    pub cost_hourly_micros: Option<i64>,
    pub error: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
