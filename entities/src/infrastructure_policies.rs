//! `infrastructure_policies`: a guild's region, cost, security, quota and permission rules.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::kinds::PolicyKind;

/// A policy; lower `priority` runs first.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "infrastructure_policies")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub guild_id: i64,
    pub name: String,
    pub policy_type: PolicyKind,
    pub resource_pattern: String,
    /// JSON array of strings.
    pub allowed_values: Json,
    /// JSON array of strings.
    pub denied_values: Json,
    pub max_cost_per_hour_micros: Option<i64>,
    pub require_approval: bool,
    pub priority: i32,
    pub is_active: bool,
    pub created_by: i64,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
