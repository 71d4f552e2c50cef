//! A project's revision: every transaction that changes its resources takes the next one first
//! and stamps it on each row it writes (`cloud_resources.revision`). Taking it updates the
//! project's row, so such transactions follow each other per project, in every process: whoever
//! reads revision R reads every row stamped R or lower, committed. The Terraform generator reads
//! only the rows stamped after the revision it last read (`store::spec`), and so does the spend
//! every lobby sums (`store::spend`); [`Remembered`] is what both keep.

use sea_orm::sea_query::{Expr, ExprTrait};
use std::collections::BTreeSet;

use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use entities::cloud_projects::{self, Column};

use super::{StoreError, StoreResult};

/// Takes `project_id`'s next revision; call it inside the transaction that changes the project's
/// resources, before writing them (a revision committed without its rows would be read as having
/// none). An unknown project is "not found".
pub async fn next<C: ConnectionTrait>(db: &C, project_id: &str) -> StoreResult<i64> {
    let updated = cloud_projects::Entity::update_many()
        .col_expr(Column::Revision, Expr::col(Column::Revision).add(1))
        .filter(Column::Id.eq(project_id))
        .exec_with_returning(db)
        .await?;
    match updated.first() {
        Some(project) => Ok(project.revision),
        None => Err(StoreError::not_found("project", project_id)),
    }
}

/// Locks the rows of `projects` (PostgreSQL: `SELECT … FOR UPDATE`, in id order) for a batch that
/// will take their revisions after locking their quota rows: the request-by-request path takes a
/// project's revision before its quota rows, so the batch takes the project's row first too, and
/// two processes never wait on each other in opposite orders. SQLite has one writer: nothing to do.
pub async fn lock<C: ConnectionTrait>(db: &C, projects: &BTreeSet<&str>) -> StoreResult<()> {
    if projects.is_empty() || db.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    cloud_projects::Entity::find()
        .select_only()
        .column(Column::Id)
        .filter(Column::Id.is_in(projects.iter().copied()))
        .order_by_asc(Column::Id)
        .lock_exclusive()
        .into_tuple::<String>()
        .all(db)
        .await?;
    Ok(())
}

/// What a reader remembers of recent projects, each with the revision it read up to: the state
/// built from the rows stamped up to it, brought up to date by reading only the rows stamped later
/// (`store::spec`, `store::spend`). One reading of a project at a time, so a state and its revision
/// stay a pair.
pub struct Remembered<T> {
    projects: std::sync::Mutex<lru::LruCache<String, Entry<T>>>,
}

type Entry<T> = std::sync::Arc<tokio::sync::Mutex<Option<(i64, T)>>>;

impl<T: Default> Remembered<T> {
    /// Remembers up to `projects` projects, the least recently read forgotten first.
    pub fn new(projects: std::num::NonZeroUsize) -> Self {
        Remembered { projects: std::sync::Mutex::new(lru::LruCache::new(projects)) }
    }

    /// `project_id`'s state brought up to `revision` (read before the rows, so a row stamped later is
    /// read again next time, which must change nothing): `update` is given the revision the state
    /// was read up to (`None`: read everything) and that state (empty when `None`), and returns it
    /// with the rows read since applied. `read` then looks at the state, under the same hold.
    pub async fn with<R, E, U, F>(&self, project_id: &str, revision: i64, update: U, read: F) -> Result<R, E>
    where
        U: AsyncFnOnce(Option<i64>, T) -> Result<T, E>,
        F: FnOnce(&T) -> R,
    {
        let entry = {
            let mut projects = self.projects.lock().unwrap_or_else(|e| e.into_inner());
            projects.get_or_insert(project_id.to_owned(), Default::default).clone()
        };
        let mut held = entry.lock().await;
        // Taken out while it is brought up to date: a failed update leaves nothing remembered, and
        // the next reading reads everything.
        let (known, state) = match held.take() {
            Some((read_up_to, state)) if read_up_to <= revision => (Some(read_up_to), state),
            _ => (None, T::default()),
        };
        let state = if known == Some(revision) { state } else { update(known, state).await? };
        let answer = read(&state);
        *held = Some((revision, state));
        Ok(answer)
    }
}
