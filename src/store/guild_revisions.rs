//! A guild's revision: every change to its grants or policies takes the next one inside the
//! change's own transaction (`permissions::grant`/`revoke`, `policies::create`/`deactivate`), so
//! a reader that sees revision R has every grant and policy committed with R or before. The
//! PolicyHandle keeps what it read of a guild with the revision it read first, and trusts it only
//! while [`get`] (one primary-key read) still answers that revision, in whichever process.

use sea_orm::sea_query::{Alias, Expr, ExprTrait, OnConflict, Query};
use sea_orm::{ConnectionTrait, TransactionSession, TransactionTrait};

use super::StoreResult;

const TABLE: &str = "guild_revisions";

/// Takes the guild's next revision; call it inside the transaction of the change.
pub async fn bump<C: ConnectionTrait>(db: &C, guild_id: i64) -> StoreResult<()> {
    let (table, guild, revision) = (Alias::new(TABLE), Alias::new("guild_id"), Alias::new("revision"));
    let statement = Query::insert()
        .into_table(table.clone())
        .columns([guild.clone(), revision.clone()])
        .values_panic([guild_id.into(), 1i64.into()])
        .on_conflict(OnConflict::column(guild).value(revision.clone(), Expr::col((table, revision)).add(1)).to_owned())
        .to_owned();
    db.execute(&statement).await?;
    Ok(())
}

/// The guild's revision now (0 before its first change).
pub async fn get<C: ConnectionTrait>(db: &C, guild_id: i64) -> StoreResult<i64> {
    let statement = Query::select()
        .column(Alias::new("revision"))
        .from(Alias::new(TABLE))
        .and_where(Expr::col(Alias::new("guild_id")).eq(guild_id))
        .to_owned();
    let row = db.query_one(&statement).await?;
    Ok(match row {
        Some(row) => row.try_get_by_index::<i64>(0)?,
        None => 0,
    })
}

/// Runs `change` and takes the guild's next revision, in one transaction (a savepoint when `db`
/// is a transaction already).
pub async fn changing<C, T, F>(db: &C, guild_id: i64, change: F) -> StoreResult<T>
where
    C: ConnectionTrait + TransactionTrait,
    F: AsyncFnOnce(&<C as TransactionTrait>::Transaction) -> StoreResult<T>,
{
    let txn = db.begin().await?;
    let out = change(&txn).await?;
    bump(&txn, guild_id).await?;
    txn.commit().await?;
    Ok(out)
}
