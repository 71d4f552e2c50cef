//! `user_cloud_permissions`: a member's role and grants for one provider in one guild.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::kinds::{Provider, Role, SizeClass};

/// A grant; unique per (user, guild, provider).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "user_cloud_permissions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub user_id: i64,
    pub guild_id: i64,
    pub provider: Provider,
    pub role: Role,
    pub can_create_vm: bool,
    pub can_create_db: bool,
    pub can_create_k8s: bool,
    pub can_create_network: bool,
    pub can_create_storage: bool,
    pub can_delete: bool,
    pub max_vm_size: Option<SizeClass>,
    /// JSON array of region names; `NULL` allows every region.
    pub allowed_regions: Option<Json>,
    pub budget_limit_micros: Option<i64>,
    pub granted_by: i64,
    pub granted_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
