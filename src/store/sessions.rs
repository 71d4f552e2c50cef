//! Deployment sessions (lobbies): create, get, list pending, attach the message, complete.

use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use entities::deployment_sessions::{self, Column};

use super::json::{self, JsonColumns, JsonText};
use super::quotas::QuotaAmount;
use super::{Conflict, StoreError, StoreResult, now};
use crate::domain::plan::Plan;
use crate::domain::validate::{DeployRequest, Verdict};
use crate::domain::{Provider, ResourceKind, SessionStatus};

/// A lobby about to open.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// Lobby id.
    pub id: Uuid,
    /// Project it deploys into.
    pub project_id: String,
    /// Requester.
    pub user_id: i64,
    /// Guild.
    pub guild_id: i64,
    /// Channel the lobby message lives in.
    pub channel_id: i64,
    /// Provider.
    pub provider: Provider,
    /// Kind of resource.
    pub kind: ResourceKind,
    /// The request as JSON.
    pub request: JsonText,
    /// The verdict as JSON.
    pub verdict: JsonText,
    /// Quota held while pending (empty when the verdict refused the request).
    pub reservation: Vec<QuotaAmount>,
    /// Deadline.
    pub expires_at: DateTime<Utc>,
    /// The existing resource a destroy or resize changes (`None` for new resources).
    pub target: Option<i64>,
}

/// Stores a pending lobby.
pub async fn create<C: ConnectionTrait>(db: &C, new: NewSession) -> StoreResult<deployment_sessions::Model> {
    let (id, project_id) = (new.id, new.project_id.clone());
    deployment_sessions::Entity::insert(active_model(new)?)
        .exec_with_returning(db)
        .await
        .map_err(|e| insert_error(e, id, &project_id))
}

/// The row of a lobby about to open, checked; [`create`] stores one, `store::effects` many at once.
pub fn active_model(new: NewSession) -> StoreResult<deployment_sessions::ActiveModel> {
    json::assemble(parts(new)?)
}

/// [`active_model`] with the JSON columns left unset and given as text beside it.
pub fn parts(
    new: NewSession,
) -> StoreResult<(deployment_sessions::ActiveModel, JsonColumns<deployment_sessions::ActiveModel>)> {
    let created_at = now();
    if new.expires_at <= created_at {
        return Err(StoreError::InvalidInput("a lobby must expire in the future".into()));
    }
    let json = vec![
        (Column::Request, Some(new.request)),
        (Column::Verdict, Some(new.verdict)),
        (Column::Reservation, Some(JsonText::of(&new.reservation)?)),
    ];
    let model = deployment_sessions::ActiveModel {
        id: Set(new.id),
        project_id: Set(new.project_id),
        user_id: Set(new.user_id),
        guild_id: Set(new.guild_id),
        channel_id: Set(new.channel_id),
        message_id: Set(None),
        provider: Set(new.provider),
        deployment_type: Set(new.kind),
        request: NotSet,
        verdict: NotSet,
        reservation: NotSet,
        status: Set(SessionStatus::Pending),
        created_at: Set(created_at),
        expires_at: Set(new.expires_at),
        completed_at: Set(None),
        decided_by: Set(None),
        target_resource_id: Set(new.target),
    };
    Ok((model, json))
}

/// A failed insert of lobby `id`: an unknown project is "not found", a taken id a duplicate.
pub(super) fn insert_error(e: sea_orm::DbErr, id: Uuid, project_id: &str) -> StoreError {
    match e.sql_err() {
        Some(sea_orm::SqlErr::ForeignKeyConstraintViolation(_)) => StoreError::not_found("project", project_id),
        // Lobby ids are fresh: a taken key is another pending lobby on the same resource.
        Some(sea_orm::SqlErr::UniqueConstraintViolation(text)) if text.contains("target") => {
            StoreError::Conflict(Conflict::Duplicate { entity: "pending lobby for resource", key: id.to_string() })
        }
        _ => StoreError::from_db(e, "session", id),
    }
}

/// Looks a lobby up.
pub async fn get<C: ConnectionTrait>(db: &C, id: Uuid) -> StoreResult<deployment_sessions::Model> {
    deployment_sessions::Entity::find_by_id(id).one(db).await?.ok_or_else(|| StoreError::not_found("session", id))
}

/// The quota a lobby holds, as stored.
pub fn reservation_of(session: &deployment_sessions::Model) -> StoreResult<Vec<QuotaAmount>> {
    serde_json::from_value(session.reservation.clone()).map_err(|e| {
        StoreError::InvalidInput(format!("stored reservation of session {} is unreadable: {e}", session.id))
    })
}

/// The change a lobby asks for and the verdict it was shown, as stored: `request.plan`, or
/// `request.request` (a deploy) in rows written before lobbies had kinds. A read-only view for
/// previews; the lobby actors keep their own reading of the row.
pub fn plan_of(session: &deployment_sessions::Model) -> StoreResult<(Plan, Verdict)> {
    #[derive(serde::Deserialize)]
    struct Stored {
        #[serde(default)]
        plan: Option<Plan>,
        #[serde(default)]
        request: Option<DeployRequest>,
    }
    let bad = |what: &str, e: String| {
        StoreError::InvalidInput(format!("stored {what} of session {} is unreadable: {e}", session.id))
    };
    let stored: Stored = serde_json::from_value(session.request.clone()).map_err(|e| bad("request", e.to_string()))?;
    let plan = match (stored.plan, stored.request) {
        (Some(plan), _) => plan,
        (None, Some(request)) => Plan::Deploy(request),
        (None, None) => return Err(bad("request", "no plan".into())),
    };
    let verdict = serde_json::from_value(session.verdict.clone()).map_err(|e| bad("verdict", e.to_string()))?;
    Ok((plan, verdict))
}

/// Every pending lobby, soonest deadline first (rehydration at start-up).
pub async fn list_pending<C: ConnectionTrait>(db: &C) -> StoreResult<Vec<deployment_sessions::Model>> {
    Ok(deployment_sessions::Entity::find()
        .filter(Column::Status.eq(SessionStatus::Pending))
        .order_by_asc(Column::ExpiresAt)
        .order_by_asc(Column::Id)
        .all(db)
        .await?)
}

/// Pending lobbies of one project.
pub async fn list_pending_for_project<C: ConnectionTrait>(
    db: &C,
    project_id: &str,
) -> StoreResult<Vec<deployment_sessions::Model>> {
    Ok(deployment_sessions::Entity::find()
        .filter(Column::ProjectId.eq(project_id))
        .filter(Column::Status.eq(SessionStatus::Pending))
        .order_by_asc(Column::ExpiresAt)
        .all(db)
        .await?)
}

/// Records the front end's message for the lobby, so timers can edit it later.
pub async fn set_message<C: ConnectionTrait>(db: &C, id: Uuid, message_id: i64) -> StoreResult<()> {
    let res = deployment_sessions::Entity::update_many()
        .col_expr(Column::MessageId, Expr::value(message_id))
        .filter(Column::Id.eq(id))
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(StoreError::not_found("session", id));
    }
    Ok(())
}

/// Ends a pending lobby with `status` (no member decided it: expiry, a repair).
pub async fn complete<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    status: SessionStatus,
) -> StoreResult<deployment_sessions::Model> {
    decide(db, id, status, None).await
}

/// Ends a pending lobby with `status`, decided by member `by`; a lobby that already ended is a
/// conflict naming its state and who decided it.
pub async fn decide<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    status: SessionStatus,
    by: Option<i64>,
) -> StoreResult<deployment_sessions::Model> {
    check_final(status)?;
    let res = deployment_sessions::Entity::update_many()
        .col_expr(Column::Status, Expr::value(status))
        .col_expr(Column::CompletedAt, Expr::value(now()))
        .col_expr(Column::DecidedBy, Expr::value(by))
        .filter(Column::Id.eq(id))
        .filter(Column::Status.eq(SessionStatus::Pending))
        .exec(db)
        .await?;
    let session = get(db, id).await?;
    if res.rows_affected == 1 {
        return Ok(session);
    }
    Err(ended(&session))
}

/// The conflict of a change that needed lobby `session` pending.
pub fn ended(session: &deployment_sessions::Model) -> StoreError {
    StoreError::Conflict(Conflict::InvalidState {
        entity: "session",
        key: session.id.to_string(),
        state: session.status.to_string(),
        by: session.decided_by,
    })
}

/// A lobby ends in any status but `pending`.
pub fn check_final(status: SessionStatus) -> StoreResult<()> {
    if status == SessionStatus::Pending {
        return Err(StoreError::InvalidInput("a lobby cannot be completed as pending".into()));
    }
    Ok(())
}

/// The guild's lobbies whose id starts with `prefix` (its hyphenated, lowercase form), at most
/// `limit` of them: the console accepts a unique prefix of a session id (`approve 1b1e`).
pub async fn ids_with_prefix<C: ConnectionTrait>(
    db: &C,
    guild_id: i64,
    prefix: &str,
    limit: usize,
) -> StoreResult<Vec<Uuid>> {
    let prefix = prefix.to_ascii_lowercase();
    if prefix.is_empty() || prefix.len() > 36 || !prefix.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
        return Err(StoreError::InvalidInput("a session id prefix is hex digits and dashes".into()));
    }
    // SQLite keeps a uuid as 16 bytes, PostgreSQL as a uuid: each is matched in its own text form
    // (and each query builder has its own placeholder).
    let like = match db.get_database_backend() {
        sea_orm::DbBackend::Sqlite => {
            let hex: String = prefix.chars().filter(|c| *c != '-').collect();
            Expr::cust_with_values("lower(hex(id)) LIKE ?", [format!("{hex}%")])
        }
        _ => Expr::cust_with_values("CAST(id AS TEXT) LIKE $1", [format!("{prefix}%")]),
    };
    let ids: Vec<Uuid> = deployment_sessions::Entity::find()
        .select_only()
        .column(Column::Id)
        .filter(Column::GuildId.eq(guild_id))
        .filter(like)
        .order_by_asc(Column::Id)
        .limit(limit as u64 + 1)
        .into_tuple()
        .all(db)
        .await?;
    // The hex match ignores where the dashes are; the hyphenated form decides.
    Ok(ids.into_iter().filter(|id| id.hyphenated().to_string().starts_with(&prefix)).take(limit).collect())
}
