//! Effects: the writes that commit or roll back together with a quota change (a lobby's session row,
//! its ending, the resources an approval records, the audit entry).
//!
//! They are data, not closures, so the QuotaActor can retry them after a rollback and can write the
//! effects of a whole batch of requests in a few multi-row statements ([`write_all`]) instead of one
//! statement per row. [`apply`] writes one request's effects row by row, as the exact fallback.

use std::collections::BTreeMap;

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use entities::{cloud_resources, deployment_history, deployment_sessions};

use super::history::{self, HistoryEntry};
use super::resources::{self, NewResource};
use super::sessions::{self, NewSession};
use super::{StoreResult, now};
use crate::domain::SessionStatus;

/// Rows per multi-row INSERT: far below SQLite's and PostgreSQL's bound on bind parameters.
const ROWS_PER_INSERT: usize = 100;

/// One write joined to a quota change.
#[derive(Debug, Clone)]
pub enum Effect {
    /// Store a pending lobby.
    OpenSession(NewSession),
    /// End a pending lobby; a lobby that already ended fails the request, naming its state.
    EndSession {
        /// Lobby.
        id: Uuid,
        /// Final status.
        status: SessionStatus,
    },
    /// Record an active resource; a taken name fails the request.
    RecordResource(NewResource),
    /// Append an audit entry.
    Audit(HistoryEntry),
}

impl Effect {
    /// Whether the effect can fail on what the database holds (a lobby no longer pending, a name
    /// taken), not only on its own content.
    pub fn depends_on_state(&self) -> bool {
        matches!(self, Effect::EndSession { .. } | Effect::RecordResource(_))
    }
}

/// Writes one request's effects in order, one statement each, with each store call's own errors.
pub async fn apply<C: ConnectionTrait>(db: &C, effects: &[Effect]) -> StoreResult<()> {
    for effect in effects {
        match effect.clone() {
            Effect::OpenSession(new) => drop(sessions::create(db, new).await?),
            Effect::EndSession { id, status } => drop(sessions::complete(db, id, status).await?),
            Effect::RecordResource(new) => drop(resources::create(db, new).await?),
            Effect::Audit(entry) => drop(history::append(db, entry).await?),
        }
    }
    Ok(())
}

/// One request's effects as rows, checked (bad input is found here, before anything is written).
#[derive(Default)]
pub struct Rows {
    sessions: Vec<deployment_sessions::ActiveModel>,
    ends: Vec<(Uuid, SessionStatus)>,
    resources: Vec<cloud_resources::ActiveModel>,
    history: Vec<deployment_history::ActiveModel>,
}

impl Rows {
    /// Checks and converts `effects`; the error is the one [`apply`] would report.
    pub fn of(effects: &[Effect]) -> StoreResult<Self> {
        let mut rows = Rows::default();
        for effect in effects {
            match effect.clone() {
                Effect::OpenSession(new) => rows.sessions.push(sessions::active_model(new)?),
                Effect::EndSession { id, status } => {
                    sessions::check_final(status)?;
                    rows.ends.push((id, status));
                }
                Effect::RecordResource(new) => rows.resources.push(resources::active_model(new)?),
                Effect::Audit(entry) => rows.history.push(history::active_model(entry)?),
            }
        }
        Ok(rows)
    }

    /// Adds another request's rows.
    pub fn extend(&mut self, other: Rows) {
        self.sessions.extend(other.sessions);
        self.ends.extend(other.ends);
        self.resources.extend(other.resources);
        self.history.extend(other.history);
    }
}

/// Writes the rows of many requests in a few multi-row statements. `Ok(false)`: a lobby to end was
/// not pending (or was ended twice in the batch); the caller must roll back and use [`apply`], which
/// tells the requests apart. A constraint violation is an error, with the same meaning.
pub async fn write_all<C: ConnectionTrait>(db: &C, rows: Rows) -> StoreResult<bool> {
    for chunk in chunks(rows.sessions) {
        deployment_sessions::Entity::insert_many(chunk).exec_without_returning(db).await?;
    }
    let mut ends: BTreeMap<SessionStatus, Vec<Uuid>> = BTreeMap::new();
    for (id, status) in rows.ends {
        ends.entry(status).or_default().push(id);
    }
    for (status, ids) in ends {
        for ids in ids.chunks(ROWS_PER_INSERT) {
            let ended = deployment_sessions::Entity::update_many()
                .col_expr(deployment_sessions::Column::Status, Expr::value(status.as_str()))
                .col_expr(deployment_sessions::Column::CompletedAt, Expr::value(now()))
                .filter(deployment_sessions::Column::Id.is_in(ids.iter().copied()))
                .filter(deployment_sessions::Column::Status.eq(SessionStatus::Pending.as_str()))
                .exec(db)
                .await?;
            if ended.rows_affected != ids.len() as u64 {
                return Ok(false);
            }
        }
    }
    for chunk in chunks(rows.resources) {
        cloud_resources::Entity::insert_many(chunk).exec_without_returning(db).await?;
    }
    for chunk in chunks(rows.history) {
        deployment_history::Entity::insert_many(chunk).exec_without_returning(db).await?;
    }
    Ok(true)
}

fn chunks<T>(mut rows: Vec<T>) -> Vec<Vec<T>> {
    let mut out = Vec::with_capacity(rows.len().div_ceil(ROWS_PER_INSERT));
    while rows.len() > ROWS_PER_INSERT {
        let rest = rows.split_off(ROWS_PER_INSERT);
        out.push(std::mem::replace(&mut rows, rest));
    }
    if !rows.is_empty() {
        out.push(rows);
    }
    out
}
