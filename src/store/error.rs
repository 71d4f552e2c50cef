//! The store's error type: not found, conflict, invalid input and database failure kept apart.

use sea_orm::{DbErr, SqlErr};

/// Why a store call failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    /// The row the call names does not exist.
    #[error("{entity} `{key}` was not found")]
    NotFound {
        /// Kind of row ("project", "session", ...).
        entity: &'static str,
        /// Its key as the caller gave it.
        key: String,
    },
    /// The call would break an invariant the database guards.
    #[error(transparent)]
    Conflict(#[from] Conflict),
    /// The arguments were refused before any SQL ran.
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// The database failed; the text is for logs, never for users.
    #[error("database error: {0}")]
    Database(DbErr),
}

/// An invariant a write would have broken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Conflict {
    /// Not enough quota left.
    #[error("quota exhausted for {quota_type} in {region}: {requested} requested, {available} available of {limit}")]
    QuotaExhausted {
        /// Quota type (`compute.instances`).
        quota_type: String,
        /// Quota row's region (`*` for project-wide).
        region: String,
        /// Amount asked for.
        requested: i64,
        /// `limit - used - reserved` at the time of the refusal.
        available: i64,
        /// The limit.
        limit: i64,
    },
    /// Fewer units are reserved (or used) than the call wants to give back.
    #[error("cannot return {requested} {quota_type}: only {held} held")]
    NotHeld {
        /// Quota type.
        quota_type: String,
        /// Amount asked to release or commit.
        requested: i64,
        /// Amount currently reserved (or used).
        held: i64,
    },
    /// A unique key is taken.
    #[error("{entity} `{key}` already exists")]
    Duplicate {
        /// Kind of row.
        entity: &'static str,
        /// The key that is taken.
        key: String,
    },
    /// A member's resources would cost more a month than their grant's budget allows.
    #[error("this approval adds {adds}/month to member {user_id}'s {spent}/month, over their budget of {limit}")]
    OverBudget {
        /// The member whose budget it is.
        user_id: i64,
        /// What their resources cost a month before this change.
        spent: crate::domain::Money,
        /// What this change adds a month.
        adds: crate::domain::Money,
        /// Their monthly budget.
        limit: crate::domain::Money,
    },
    /// The row is not in a state that allows the change (a lobby already completed, ...).
    #[error("{entity} `{key}` is already {state}")]
    InvalidState {
        /// Kind of row.
        entity: &'static str,
        /// Its key.
        key: String,
        /// Its current state.
        state: String,
        /// Who put it there, when known (the member who approved or cancelled a lobby).
        by: Option<i64>,
    },
}

impl StoreError {
    /// The status a lobby was found in when a change needed it pending, and who decided it
    /// (`None` for any other error).
    pub fn ended_session(&self) -> Option<(crate::domain::SessionStatus, Option<i64>)> {
        match self {
            StoreError::Conflict(Conflict::InvalidState { entity: "session", state, by, .. }) => {
                state.parse().ok().map(|s| (s, *by))
            }
            _ => None,
        }
    }

    /// Shorthand for [`StoreError::NotFound`].
    pub fn not_found(entity: &'static str, key: impl ToString) -> Self {
        StoreError::NotFound { entity, key: key.to_string() }
    }

    /// Maps a database error, turning a unique-key violation into [`Conflict::Duplicate`].
    pub fn from_db(err: DbErr, entity: &'static str, key: impl ToString) -> Self {
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => {
                StoreError::Conflict(Conflict::Duplicate { entity, key: key.to_string() })
            }
            _ => StoreError::Database(err),
        }
    }

    /// True when retrying the same call may succeed (SQLite busy, PostgreSQL serialization or deadlock).
    pub fn is_transient(&self) -> bool {
        let StoreError::Database(err) = self else { return false };
        let text = err.to_string();
        ["database is locked", "SQLITE_BUSY", "40001", "40P01", "could not serialize", "deadlock detected"]
            .iter()
            .any(|needle| text.contains(needle))
    }
}

impl From<DbErr> for StoreError {
    fn from(err: DbErr) -> Self {
        StoreError::Database(err)
    }
}

/// Result of a store call.
pub type StoreResult<T> = Result<T, StoreError>;
