//! Cloud resources: create, list by project and kind, remove, decommission or resize, hourly spend.

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, TransactionSession,
    TransactionTrait,
};
use uuid::Uuid;

use entities::cloud_resources::{self, Column};

use super::{StoreError, StoreResult, now};
use crate::domain::{Money, Provider, RecordStatus, ResourceKind};

/// Longest resource name stored (provider rules are checked before this, in the domain).
pub const MAX_NAME_LEN: usize = 100;

/// A resource to record.
#[derive(Debug, Clone)]
pub struct NewResource {
    /// Project.
    pub project_id: String,
    /// Provider.
    pub provider: Provider,
    /// Kind.
    pub kind: ResourceKind,
    /// Name, unique per project and kind among active resources.
    pub name: String,
    /// Region.
    pub region: String,
    /// Machine type, tier, node count and options, as JSON.
    pub config: serde_json::Value,
    /// Estimated cost per hour.
    pub hourly_cost: Money,
    /// Member who deployed it.
    pub created_by: i64,
    /// Lobby that deployed it.
    pub session_id: Option<Uuid>,
}

/// Records an active resource; a taken name is a `Duplicate` conflict.
///
/// Like every change of a project's resources, it takes the project's revision and writes the row
/// in one transaction (a savepoint inside the caller's): a revision is never seen without its row.
pub async fn create<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    new: NewResource,
) -> StoreResult<cloud_resources::Model> {
    let (project_id, key) = (new.project_id.clone(), key_of(&new));
    let mut model = active_model(new)?;
    let txn = db.begin().await?;
    model.revision = Set(super::revisions::next(&txn, &project_id).await?);
    let row = cloud_resources::Entity::insert(model)
        .exec_with_returning(&txn)
        .await
        .map_err(|e| insert_error(e, &project_id, key))?;
    txn.commit().await?;
    Ok(row)
}

/// `project/kind/name`, as a duplicate names it.
pub fn key_of(new: &NewResource) -> String {
    format!("{}/{}/{}", new.project_id, new.kind, new.name)
}

/// The row of a resource to record, checked; [`create`] stores one, `store::effects` many at once.
pub fn active_model(new: NewResource) -> StoreResult<cloud_resources::ActiveModel> {
    if new.name.is_empty() || new.name.chars().count() > MAX_NAME_LEN || new.name.chars().any(char::is_control) {
        return Err(StoreError::InvalidInput(format!(
            "resource name must be 1 to {MAX_NAME_LEN} printable characters"
        )));
    }
    if new.hourly_cost < Money::ZERO {
        return Err(StoreError::InvalidInput("hourly cost must not be negative".into()));
    }
    Ok(cloud_resources::ActiveModel {
        project_id: Set(new.project_id),
        provider: Set(new.provider),
        resource_type: Set(new.kind),
        name: Set(new.name),
        region: Set(new.region),
        config: Set(new.config),
        status: Set(RecordStatus::Active),
        hourly_cost_micros: Set(new.hourly_cost.micros()),
        created_by: Set(new.created_by),
        session_id: Set(new.session_id),
        created_at: Set(now()),
        deleted_at: Set(None),
        ..Default::default()
    })
}

/// A failed insert: an unknown project is "not found", a taken name (`key`) a duplicate.
pub(super) fn insert_error(e: sea_orm::DbErr, project_id: &str, key: String) -> StoreError {
    match e.sql_err() {
        Some(sea_orm::SqlErr::ForeignKeyConstraintViolation(_)) => StoreError::not_found("project", project_id),
        _ => StoreError::from_db(e, "resource", key),
    }
}

/// A project's live resources (active and not being decommissioned: what quotas and costs count),
/// optionally of one kind, by kind then name.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    project_id: &str,
    kind: Option<ResourceKind>,
) -> StoreResult<Vec<cloud_resources::Model>> {
    let mut query = cloud_resources::Entity::find()
        .filter(Column::ProjectId.eq(project_id))
        .filter(Column::Status.eq(RecordStatus::Active))
        .filter(Column::DecommissionedAt.is_null());
    if let Some(kind) = kind {
        query = query.filter(Column::ResourceType.eq(kind));
    }
    Ok(query.order_by_asc(Column::ResourceType).order_by_asc(Column::Name).all(db).await?)
}

/// Every resource a project's Terraform still holds: the live ones and those being decommissioned.
pub async fn list_written<C: ConnectionTrait>(
    db: &C,
    project_id: &str,
    kind: Option<ResourceKind>,
) -> StoreResult<Vec<cloud_resources::Model>> {
    let mut query = cloud_resources::Entity::find()
        .filter(Column::ProjectId.eq(project_id))
        .filter(Column::Status.eq(RecordStatus::Active));
    if let Some(kind) = kind {
        query = query.filter(Column::ResourceType.eq(kind));
    }
    Ok(query.order_by_asc(Column::ResourceType).order_by_asc(Column::Name).all(db).await?)
}

/// Marks an active resource deleted; its name becomes free again.
pub async fn mark_deleted<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    project_id: &str,
    kind: ResourceKind,
    name: &str,
) -> StoreResult<()> {
    let txn = db.begin().await?;
    let revision = super::revisions::next(&txn, project_id).await?;
    let res = cloud_resources::Entity::update_many()
        .col_expr(Column::Status, Expr::value(RecordStatus::Deleted))
        .col_expr(Column::DeletedAt, Expr::value(now()))
        .col_expr(Column::Revision, Expr::value(revision))
        .filter(Column::ProjectId.eq(project_id))
        .filter(Column::ResourceType.eq(kind))
        .filter(Column::Name.eq(name))
        .filter(Column::Status.eq(RecordStatus::Active))
        .exec(&txn)
        .await?;
    if res.rows_affected == 0 {
        return Err(StoreError::not_found("resource", format!("{project_id}/{kind}/{name}")));
    }
    txn.commit().await?;
    Ok(())
}

/// What a lifecycle change does to a resource that is still as its lobby saw it.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// Removed: status `deleted`, its name free again.
    Remove,
    /// Its deletion protection lifted, no longer counted (a second destroy removes it).
    Decommission,
    /// Resized: new price, and the keys of its configuration that change (`size`,
    /// `node_count`), set on the configuration it has when the change commits, so a key written
    /// after the lobby opened (a pinned `physical` name) is kept.
    Resize {
        /// The configuration keys to set.
        set: serde_json::Map<String, serde_json::Value>,
        /// The new price per hour.
        hourly_cost: Money,
    },
}

/// Applies `change` to resource `id` of `project_id` if it is still live as the lobby saw it
/// (`decommissioning`: whether it was being decommissioned then; `hourly_cost`: its price then).
/// A resource changed or removed meanwhile is a conflict, and nothing changes.
pub async fn change<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    project_id: &str,
    id: i64,
    decommissioning: bool,
    hourly_cost: Money,
    change: &Change,
) -> StoreResult<()> {
    let txn = db.begin().await?;
    let revision = super::revisions::next(&txn, project_id).await?;
    let mut update = cloud_resources::Entity::update_many().col_expr(Column::Revision, Expr::value(revision));
    update = match change {
        Change::Remove => update
            .col_expr(Column::Status, Expr::value(RecordStatus::Deleted))
            .col_expr(Column::DeletedAt, Expr::value(now())),
        Change::Decommission => update.col_expr(Column::DecommissionedAt, Expr::value(now())),
        Change::Resize { set, hourly_cost } => {
            let row = cloud_resources::Entity::find_by_id(id).one(&txn).await?;
            let mut config = row.map(|r| r.config).unwrap_or_else(|| serde_json::json!({}));
            if let Some(object) = config.as_object_mut() {
                object.extend(set.clone());
            }
            update
                .col_expr(Column::Config, Expr::value(config))
                .col_expr(Column::HourlyCostMicros, Expr::value(hourly_cost.micros()))
        }
    };
    let seen =
        if decommissioning { Column::DecommissionedAt.is_not_null() } else { Column::DecommissionedAt.is_null() };
    let res = update
        .filter(Column::Id.eq(id))
        .filter(Column::ProjectId.eq(project_id))
        .filter(Column::Status.eq(RecordStatus::Active))
        .filter(Column::HourlyCostMicros.eq(hourly_cost.micros()))
        .filter(seen)
        .exec(&txn)
        .await?;
    if res.rows_affected == 0 {
        return Err(StoreError::Conflict(super::Conflict::InvalidState {
            entity: "resource",
            key: id.to_string(),
            state: "changed since the lobby opened".into(),
            by: None,
        }));
    }
    txn.commit().await?;
    Ok(())
}

/// Sum of the hourly cost of a project's active resources.
pub async fn project_hourly_spend<C: ConnectionTrait>(db: &C, project_id: &str) -> StoreResult<Money> {
    hourly_sum(db, project_spend_query(project_id)).await
}

/// Sum of the hourly cost of the active resources a member deployed in a guild's projects of a provider.
pub async fn user_hourly_spend<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    guild_id: i64,
    provider: Provider,
) -> StoreResult<Money> {
    hourly_sum(db, user_spend_query(user_id, guild_id, provider)).await
}

/// The statement [`project_hourly_spend`] runs (the index `ix_resources_spend` covers it).
pub fn project_spend_query(project_id: &str) -> sea_orm::Select<cloud_resources::Entity> {
    with_total(
        cloud_resources::Entity::find()
            .filter(Column::ProjectId.eq(project_id))
            .filter(Column::Status.eq(RecordStatus::Active))
            .filter(Column::DecommissionedAt.is_null()),
    )
}

/// The statement [`user_hourly_spend`] runs (the index `ix_resources_spend` covers it).
pub fn user_spend_query(user_id: i64, guild_id: i64, provider: Provider) -> sea_orm::Select<cloud_resources::Entity> {
    use entities::cloud_projects;
    use sea_orm::{JoinType, QuerySelect, RelationTrait};
    with_total(
        cloud_resources::Entity::find()
            .join(JoinType::InnerJoin, cloud_resources::Relation::CloudProjects.def())
            .filter(cloud_projects::Column::GuildId.eq(guild_id))
            .filter(Column::CreatedBy.eq(user_id))
            .filter(Column::Provider.eq(provider))
            .filter(Column::Status.eq(RecordStatus::Active))
            .filter(Column::DecommissionedAt.is_null()),
    )
}

/// `query` selecting only `SUM(hourly_cost_micros)`, cast to BIGINT, since PostgreSQL sums a
/// BIGINT column as NUMERIC.
fn with_total(query: sea_orm::Select<cloud_resources::Entity>) -> sea_orm::Select<cloud_resources::Entity> {
    use sea_orm::QuerySelect;
    use sea_orm::sea_query::{Alias, Func};
    let cost = Func::sum(Expr::col((cloud_resources::Entity, Column::HourlyCostMicros)));
    let total = Func::cast_as(Func::coalesce([Expr::from(cost), Expr::val(0_i64)]), Alias::new("BIGINT"));
    query.select_only().expr(total)
}

/// The sum a [`with_total`] statement selects, summed by the database: every lobby open and
/// approval asks, and loading the rows to add them up grew with the project (issue 19).
async fn hourly_sum<C: ConnectionTrait>(db: &C, query: sea_orm::Select<cloud_resources::Entity>) -> StoreResult<Money> {
    let sum: Option<i64> = query.into_tuple().one(db).await?;
    Ok(Money::from_micros(sum.unwrap_or(0)))
}
