//! Projects: create (with default quotas, in one transaction), get, list.

use rand::Rng;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, TransactionSession,
    TransactionTrait,
};

use entities::{cloud_projects, cloud_quotas};

use super::{StoreError, StoreResult, now};
use crate::domain::quota::ANY_REGION;
use crate::domain::{Money, Provider, QuotaType, RecordStatus};

/// Longest project name accepted.
pub const MAX_NAME_LEN: usize = 100;

/// What `/cloud-init` asks for.
#[derive(Debug, Clone)]
pub struct NewProject {
    /// Guild the project belongs to.
    pub guild_id: i64,
    /// Member who created it.
    pub owner_user_id: i64,
    /// Cloud provider.
    pub provider: Provider,
    /// Display name, unique in the guild.
    pub name: String,
    /// Region used when a request names none.
    pub default_region: String,
    /// Monthly budget, if any.
    pub monthly_budget: Option<Money>,
    /// Quota limits to create, project-wide.
    pub quotas: Vec<(QuotaType, i64)>,
}

/// Creates a project with a fresh id (`gcp-3f9a1c`) and its quota rows, atomically.
pub async fn create<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    new: NewProject,
) -> StoreResult<cloud_projects::Model> {
    let name = new.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > MAX_NAME_LEN || name.chars().any(char::is_control) {
        return Err(StoreError::InvalidInput(format!("project name must be 1 to {MAX_NAME_LEN} printable characters")));
    }
    if new.monthly_budget.is_some_and(|b| b < Money::ZERO) {
        return Err(StoreError::InvalidInput("budget must not be negative".into()));
    }
    if new.quotas.iter().any(|(_, limit)| *limit < 0) {
        return Err(StoreError::InvalidInput("quota limits must not be negative".into()));
    }
    // Six hex digits give 16.7M ids per provider; retry the rare collision with a new id.
    for _ in 0..8 {
        let id = format!("{}-{:06x}", new.provider, rand::rng().random_range(0..0x100_0000u32));
        match insert_with_id(db, &id, &name, &new).await {
            Err(StoreError::Conflict(super::Conflict::Duplicate { entity: "project id", .. })) => continue,
            other => return other,
        }
    }
    Err(StoreError::InvalidInput("could not allocate a project id; try again".into()))
}

/// Creates a project with a chosen id (sample data and tests); fails with a conflict if it exists.
pub async fn create_with_id<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    id: &str,
    new: NewProject,
) -> StoreResult<cloud_projects::Model> {
    let name = new.name.trim().to_owned();
    insert_with_id(db, id, &name, &new).await
}

async fn insert_with_id<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    id: &str,
    name: &str,
    new: &NewProject,
) -> StoreResult<cloud_projects::Model> {
    let taken = || StoreError::Conflict(super::Conflict::Duplicate { entity: "project id", key: id.to_owned() });
    if cloud_projects::Entity::find_by_id(id.to_owned()).one(db).await?.is_some() {
        return Err(taken());
    }
    // The transaction writes before it reads: on SQLite a transaction that read first cannot wait
    // for another writer (its snapshot goes stale) and fails at once with "database is locked".
    let txn = db.begin().await?;
    let at = now();
    let model = cloud_projects::ActiveModel {
        id: Set(id.to_owned()),
        guild_id: Set(new.guild_id),
        owner_user_id: Set(new.owner_user_id),
        provider: Set(new.provider),
        name: Set(name.to_owned()),
        default_region: Set(new.default_region.clone()),
        monthly_budget_micros: Set(new.monthly_budget.map(Money::micros)),
        status: Set(RecordStatus::Active),
        created_at: Set(at),
        updated_at: Set(at),
        revision: Set(0),
    };
    let project = match cloud_projects::Entity::insert(model).exec_with_returning(&txn).await {
        Ok(project) => project,
        Err(e) => {
            txn.rollback().await?;
            // The id was taken between the look-up and the insert: a new id will do.
            if cloud_projects::Entity::find_by_id(id.to_owned()).one(db).await?.is_some() {
                return Err(taken());
            }
            return Err(StoreError::from_db(e, "project", name));
        }
    };
    // A budget is a quota line in micro-dollars per month, held and committed like the others.
    let budget = new.monthly_budget.map(|b| (QuotaType::BudgetMonthly, b.micros()));
    let lines: Vec<(QuotaType, i64)> =
        new.quotas.iter().copied().filter(|(t, _)| *t != QuotaType::BudgetMonthly).chain(budget).collect();
    if !lines.is_empty() {
        let rows = lines.iter().map(|(quota_type, limit)| cloud_quotas::ActiveModel {
            project_id: Set(id.to_owned()),
            resource_type: Set(*quota_type),
            region: Set(ANY_REGION.to_owned()),
            quota_limit: Set(*limit),
            used: Set(0),
            reserved: Set(0),
            updated_at: Set(at),
            ..Default::default()
        });
        cloud_quotas::Entity::insert_many(rows).exec(&txn).await?;
    }
    txn.commit().await?;
    Ok(project)
}

/// Looks a project up by id.
pub async fn get<C: ConnectionTrait>(db: &C, id: &str) -> StoreResult<cloud_projects::Model> {
    cloud_projects::Entity::find_by_id(id.to_owned()).one(db).await?.ok_or_else(|| StoreError::not_found("project", id))
}

/// Looks a project up by id within one guild: another guild's project is "not found".
pub async fn get_in_guild<C: ConnectionTrait>(db: &C, guild_id: i64, id: &str) -> StoreResult<cloud_projects::Model> {
    match get(db, id).await {
        Ok(p) if p.guild_id == guild_id => Ok(p),
        Ok(_) => Err(StoreError::not_found("project", id)),
        Err(e) => Err(e),
    }
}

/// Projects a member owns in a guild, oldest first.
pub async fn list_for_user<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    guild_id: i64,
) -> StoreResult<Vec<cloud_projects::Model>> {
    Ok(cloud_projects::Entity::find()
        .filter(cloud_projects::Column::GuildId.eq(guild_id))
        .filter(cloud_projects::Column::OwnerUserId.eq(user_id))
        .filter(cloud_projects::Column::Status.eq(RecordStatus::Active))
        .order_by_asc(cloud_projects::Column::CreatedAt)
        .order_by_asc(cloud_projects::Column::Id)
        .all(db)
        .await?)
}

/// Every active project of a guild, oldest first.
pub async fn list_for_guild<C: ConnectionTrait>(db: &C, guild_id: i64) -> StoreResult<Vec<cloud_projects::Model>> {
    Ok(cloud_projects::Entity::find()
        .filter(cloud_projects::Column::GuildId.eq(guild_id))
        .filter(cloud_projects::Column::Status.eq(RecordStatus::Active))
        .order_by_asc(cloud_projects::Column::CreatedAt)
        .order_by_asc(cloud_projects::Column::Id)
        .all(db)
        .await?)
}
