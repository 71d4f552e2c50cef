//! The writes that commit or roll back together with a quota change (a lobby's session row,
//! its ending, the resources an approval records, the audit entry).
//!
//! They are data, not closures: the caller turns them into checked [`Rows`], which the QuotaActor can
//! write again after a rollback, and write for a whole batch of requests in a few multi-row
//! statements ([`write_all`]) instead of one statement per row. [`Rows::write`] writes one
//! request's rows statement by statement, as the exact fallback.

use std::collections::BTreeMap;

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ActiveValue, ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityName, EntityTrait, IdenStatic,
    Iterable, QueryFilter, Statement, UpdateMany, Value,
};
use uuid::Uuid;

use entities::{cloud_resources, deployment_history, deployment_sessions};

use super::history::{self, HistoryEntry};
use super::json::JsonColumns;
use super::permissions;
use super::resources::{self, NewResource};
use super::sessions::{self, NewSession};
use super::{StoreResult, now};
use crate::domain::{Money, Provider, SessionStatus};

/// Most rows in one multi-row statement: far below SQLite's and PostgreSQL's bound on bind parameters.
/// (256, a whole batch in one statement, measured slower: 15-17 -> 24-30 ms of writing per burst of
/// 1,000 lobby openings, with more distinct statement sizes to prepare.)
const MAX_ROWS_PER_STATEMENT: usize = 64;

/// Splits `n` rows into statements of power-of-two sizes (64, then 32, 16, ... 1). Each size is one
/// SQL text that a connection prepares once and reuses.
fn statement_sizes(mut n: usize) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        if n == 0 {
            return None;
        }
        let size = if n >= MAX_ROWS_PER_STATEMENT { MAX_ROWS_PER_STATEMENT } else { 1 << n.ilog2() };
        n -= size;
        Some(size)
    })
}

/// `items` cut into consecutive slices of [`statement_sizes`].
fn in_statements<T>(items: &[T]) -> impl Iterator<Item = &[T]> {
    let mut rest = items;
    statement_sizes(items.len()).map(move |size| {
        let (chunk, tail) = rest.split_at(size);
        rest = tail;
        chunk
    })
}

/// One write joined to a quota change.
#[derive(Debug, Clone)]
pub enum Write {
    /// Store a pending lobby.
    OpenSession(NewSession),
    /// End a pending lobby; a lobby that already ended fails the request, naming its state.
    EndSession {
        /// Lobby.
        id: Uuid,
        /// Final status.
        status: SessionStatus,
        /// The member who decided it (`None`: its deadline, or a repair).
        by: Option<i64>,
    },
    /// Record an active resource; a taken name fails the request.
    RecordResource(NewResource),
    /// Append an audit entry.
    Audit(HistoryEntry),
    /// Remove, decommission or resize an existing resource that is still as its lobby saw it.
    ChangeResource {
        /// Project.
        project_id: String,
        /// `cloud_resources.id`.
        id: i64,
        /// Whether it was being decommissioned when the lobby opened.
        decommissioning: bool,
        /// Its price when the lobby opened.
        hourly_cost: Money,
        /// What happens to it.
        change: resources::Change,
    },
    /// Refuse the change if it takes a member over their grant's monthly budget, decided in the
    /// transaction (see `permissions::hold_budget`).
    MemberBudget {
        /// The member.
        user_id: i64,
        /// Guild of the grant.
        guild_id: i64,
        /// Provider of the grant.
        provider: Provider,
        /// What the change adds per hour.
        adds_hourly: Money,
    },
}

/// A request's effects as rows, checked (bad input is found here, before anything is written), in
/// the order they are written: new lobbies, endings, resources, audit entries.
///
/// Built by the caller, off the QuotaActor, from the [`Write`]s it consumes: JSON columns are
/// rendered to text here, so the actor only copies strings into its statements.
#[derive(Default)]
pub struct Rows {
    sessions: Vec<(Row, Uuid, String)>,
    ends: Vec<(Uuid, SessionStatus, Option<i64>)>,
    resources: Vec<(cloud_resources::ActiveModel, String, String)>,
    history: Vec<Row>,
    budgets: Vec<(i64, i64, Provider, Money)>,
    changes: Vec<(String, i64, bool, Money, resources::Change)>,
}

/// One row to insert: `(column, value, is JSON)` for every column that is set.
type Row = Vec<(&'static str, Value, bool)>;

impl Rows {
    /// Checks and converts `effects`.
    pub fn of(writes: Vec<Write>) -> StoreResult<Self> {
        let mut rows = Rows::default();
        for effect in writes {
            match effect {
                Write::OpenSession(new) => {
                    let (id, project_id) = (new.id, new.project_id.clone());
                    rows.sessions.push((row(sessions::parts(new)?), id, project_id));
                }
                Write::EndSession { id, status, by } => {
                    sessions::check_final(status)?;
                    rows.ends.push((id, status, by));
                }
                Write::RecordResource(new) => {
                    let (key, project_id) = (resources::key_of(&new), new.project_id.clone());
                    rows.resources.push((resources::active_model(new)?, key, project_id));
                }
                Write::Audit(entry) => rows.history.push(row(history::parts(entry)?)),
                Write::ChangeResource { project_id, id, decommissioning, hourly_cost, change } => {
                    rows.changes.push((project_id, id, decommissioning, hourly_cost, change));
                }
                Write::MemberBudget { user_id, guild_id, provider, adds_hourly } => {
                    rows.budgets.push((user_id, guild_id, provider, adds_hourly));
                }
            }
        }
        Ok(rows)
    }

    /// Whether writing can fail on what the database holds (a lobby no longer pending, a name
    /// taken), not only on the rows' own content.
    pub fn depend_on_state(&self) -> bool {
        !self.ends.is_empty() || !self.resources.is_empty()
    }

    /// The projects these rows record resources in.
    pub fn recorded_projects(&self) -> impl Iterator<Item = &str> {
        self.resources.iter().map(|(_, _, project_id)| project_id.as_str())
    }

    /// Whether the rows carry a decision only the database can make in order, request after request
    /// (a member's budget, a resource that must still be as its lobby saw it): such a batch is
    /// written request by request, never by [`write_all`].
    pub fn in_order_only(&self) -> bool {
        !self.budgets.is_empty() || !self.changes.is_empty()
    }

    /// Writes these rows one statement each, with each store call's own errors: the exact fallback
    /// when a batch cannot be written by [`write_all`].
    pub async fn write<C: ConnectionTrait + sea_orm::TransactionTrait>(&self, db: &C) -> StoreResult<()> {
        // Budgets first: they lock the member's grant before anything else is touched.
        for &(user_id, guild_id, provider, adds_hourly) in &self.budgets {
            permissions::hold_budget(db, user_id, guild_id, provider, adds_hourly).await?;
        }
        for (row, id, project_id) in &self.sessions {
            insert(db, deployment_sessions::Entity.table_name(), &[row])
                .await
                .map_err(|e| sessions::insert_error(e, *id, project_id))?;
        }
        for &(id, status, by) in &self.ends {
            sessions::decide(db, id, status, by).await?;
        }
        for (project_id, id, decommissioning, hourly_cost, change) in &self.changes {
            resources::change(db, project_id, *id, *decommissioning, *hourly_cost, change).await?;
        }
        // One revision per project the rows record resources in (this runs in the caller's transaction).
        let mut revisions = BTreeMap::new();
        for project_id in self.recorded_projects() {
            if !revisions.contains_key(project_id) {
                revisions.insert(project_id, super::revisions::next(db, project_id).await?);
            }
        }
        for (model, key, project_id) in &self.resources {
            let mut model = model.clone();
            model.revision = ActiveValue::Set(revisions[project_id.as_str()]);
            cloud_resources::Entity::insert(model)
                .exec_without_returning(db)
                .await
                .map_err(|e| resources::insert_error(e, project_id, key.clone()))?;
        }
        for row in &self.history {
            insert(db, deployment_history::Entity.table_name(), &[row]).await?;
        }
        Ok(())
    }
}

/// The set columns of `model`, then its JSON columns as text.
fn row<A: ActiveModelTrait>((model, json): (A, JsonColumns<A>)) -> Row {
    let set = <A::Entity as EntityTrait>::Column::iter().filter_map(|column| {
        let value = model.get(column).into_value()?;
        Some((column.as_str(), value, false))
    });
    let json = json
        .into_iter()
        .map(|(column, text)| (column.as_str(), Value::String(text.map(|t| t.as_str().to_owned())), true));
    set.chain(json).collect()
}

/// Writes the rows of many requests in a few multi-row statements. `Ok(false)`: a lobby to end was
/// not pending (or was ended twice in the batch); the caller must roll back and use [`apply`], which
/// tells the requests apart. A constraint violation is an error, with the same meaning.
pub async fn write_all<C: ConnectionTrait>(db: &C, all: &[&Rows]) -> StoreResult<bool> {
    let sessions: Vec<&Row> = all.iter().flat_map(|r| r.sessions.iter().map(|(row, ..)| row)).collect();
    for chunk in in_statements(&sessions) {
        insert(db, deployment_sessions::Entity.table_name(), chunk).await?;
    }
    let mut ends: BTreeMap<(SessionStatus, Option<i64>), Vec<Uuid>> = BTreeMap::new();
    for &(id, status, by) in all.iter().flat_map(|r| &r.ends) {
        ends.entry((status, by)).or_default().push(id);
    }
    for ((status, by), ids) in ends {
        for ids in in_statements(&ids) {
            let ended = end_sessions(ids, status, by).exec(db).await?;
            if ended.rows_affected != ids.len() as u64 {
                return Ok(false);
            }
        }
    }
    // One revision per project the batch records resources in, taken in the projects' order.
    let mut revisions = BTreeMap::new();
    for (_, _, project_id) in all.iter().flat_map(|r| &r.resources) {
        revisions.entry(project_id.as_str()).or_insert(0);
    }
    for (project_id, revision) in &mut revisions {
        *revision = super::revisions::next(db, project_id).await?;
    }
    let resources: Vec<_> = all
        .iter()
        .flat_map(|r| r.resources.iter())
        .map(|(model, _, project_id)| {
            let mut model = model.clone();
            model.revision = ActiveValue::Set(revisions[project_id.as_str()]);
            model
        })
        .collect();
    for chunk in in_statements(&resources) {
        cloud_resources::Entity::insert_many(chunk.to_vec()).exec_without_returning(db).await?;
    }
    let history: Vec<&Row> = all.iter().flat_map(|r| &r.history).collect();
    for chunk in in_statements(&history) {
        insert(db, deployment_history::Entity.table_name(), chunk).await?;
    }
    Ok(true)
}

/// Ends every lobby of `ids` that is still pending, with `status`, decided by `by`.
pub fn end_sessions(ids: &[Uuid], status: SessionStatus, by: Option<i64>) -> UpdateMany<deployment_sessions::Entity> {
    deployment_sessions::Entity::update_many()
        .col_expr(deployment_sessions::Column::Status, Expr::value(status.as_str()))
        .col_expr(deployment_sessions::Column::CompletedAt, Expr::value(now()))
        .col_expr(deployment_sessions::Column::DecidedBy, Expr::value(by))
        .filter(deployment_sessions::Column::Id.is_in(ids.iter().copied()))
        // `(status = 'pending') = TRUE`, not `status = 'pending'`: with a few dozen ids and no
        // statistics, SQLite's planner otherwise walks the status index over every pending lobby
        // instead of looking the ids up (15 ms per 64 endings with 40,000 lobbies pending).
        .filter(Expr::expr(deployment_sessions::Column::Status.eq(SessionStatus::Pending.as_str())).eq(true))
}

/// One multi-row INSERT of `rows` (all set the same columns, as one `active_model` builds them).
/// Written out here rather than through sea-query's builder: for a batch of lobbies this statement
/// is most of the QuotaActor's work, and the builder's copies of every JSON tree were its largest
/// cost. Values are bound, never spliced; PostgreSQL is told which text is JSON.
async fn insert<C: ConnectionTrait>(db: &C, table: &str, rows: &[&Row]) -> Result<(), DbErr> {
    let Some(first) = rows.first() else { return Ok(()) };
    let backend = db.get_database_backend();
    let columns: Vec<String> = first.iter().map(|(name, ..)| format!("\"{name}\"")).collect();
    let mut sql = format!("INSERT INTO \"{table}\" ({}) VALUES ", columns.join(", "));
    let mut values = Vec::with_capacity(rows.len() * first.len());
    for (i, row) in rows.iter().enumerate() {
        sql.push_str(if i == 0 { "(" } else { ", (" });
        for (j, (_, value, json)) in row.iter().enumerate() {
            values.push(value.clone());
            let placeholder = match backend {
                DbBackend::Postgres => format!("${}", values.len()),
                _ => "?".to_owned(),
            };
            if j > 0 {
                sql.push_str(", ");
            }
            if *json && backend == DbBackend::Postgres {
                sql.push_str(&format!("CAST({placeholder} AS json)"));
            } else {
                sql.push_str(&placeholder);
            }
        }
        sql.push(')');
    }
    db.execute_raw(Statement::from_sql_and_values(backend, sql, values)).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statement_sizes_cover_every_row_with_few_distinct_sizes() {
        for n in 0..300 {
            let sizes: Vec<usize> = statement_sizes(n).collect();
            assert_eq!(sizes.iter().sum::<usize>(), n, "{n}");
            assert!(sizes.iter().all(|s| s.is_power_of_two() && *s <= MAX_ROWS_PER_STATEMENT), "{n}: {sizes:?}");
            assert!(sizes.len() <= n / MAX_ROWS_PER_STATEMENT + 6, "{n}: {sizes:?}");
        }
        let items: Vec<usize> = (0..75).collect();
        let chunks: Vec<&[usize]> = in_statements(&items).collect();
        assert_eq!(chunks.iter().map(|c| c.len()).collect::<Vec<_>>(), [64, 8, 2, 1]);
        assert_eq!(chunks.concat(), items);
    }
}
