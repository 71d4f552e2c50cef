//! Quota accounts: `reserved` against the pending lobbies, `used` against the active resources,
//! and lobbies left pending past their deadline.

use std::collections::HashMap;

use sea_orm::{DatabaseConnection, TransactionTrait};

use entities::{cloud_projects, cloud_quotas, cloud_resources};

use super::{Finding, Repair};
use crate::domain::quota::ANY_REGION;
use crate::domain::{Catalog, QuotaType, SessionStatus};
use crate::store::history::HistoryEntry;
use crate::store::quotas::QuotaAmount;
use crate::store::{self, Conflict, StoreError, StoreResult};

/// Finds pending lobbies past their deadline; with `repair`, expires each one and releases what it held.
pub(super) async fn overdue(db: &DatabaseConnection, repair: bool, out: &mut Vec<Finding>) -> StoreResult<()> {
    for session in store::check::overdue_sessions(db, store::now()).await? {
        let detail = format!("still pending {} after its deadline", store::now() - session.expires_at);
        let repaired = if repair { expire(db, &session).await? } else { None };
        out.push(Finding { invariant: "overdue", subject: format!("session {}", session.id), detail, repaired });
    }
    Ok(())
}

async fn expire(
    db: &DatabaseConnection,
    session: &entities::deployment_sessions::Model,
) -> StoreResult<Option<String>> {
    let txn = db.begin().await?;
    store::check::lock_quotas(&txn, &session.project_id).await?;
    match store::sessions::complete(&txn, session.id, SessionStatus::Expired).await {
        Ok(_) => {}
        // Its own actor (or another process) ended it meanwhile: nothing left to do.
        Err(StoreError::Conflict(Conflict::InvalidState { state, .. })) => {
            return Ok(Some(format!("already {state} meanwhile; nothing to do")));
        }
        Err(e) => return Err(e),
    }
    let held = store::sessions::reservation_of(session)?;
    let released = match store::quotas::release(&txn, &session.project_id, &held).await {
        Ok(()) => "reservation released",
        // The row no longer shows the reservation; the `reserved` check sets it right.
        Err(StoreError::Conflict(_)) => "reservation not on the quota rows (left to the reserved check)",
        Err(e) => return Err(e),
    };
    store::history::append(
        &txn,
        HistoryEntry {
            guild_id: session.guild_id,
            user_id: session.user_id,
            project_id: Some(session.project_id.clone()),
            session_id: Some(session.id),
            action: "expire".into(),
            provider: Some(session.provider),
            resource_type: Some(session.deployment_type),
            details: serde_json::json!({ "by": "cloud-chatops check --repair", "reservation": held }).into(),
            outcome: "expired".into(),
            ..Default::default()
        },
    )
    .await?;
    txn.commit().await?;
    Ok(Some(format!("expired; {released}")))
}

/// Compares a project's quota rows with its pending lobbies and active resources, under the
/// project's quota lock so no lobby opens or closes in between; repairs per `repair`.
pub(super) async fn quotas(
    db: &DatabaseConnection,
    catalog: &Catalog,
    project: &cloud_projects::Model,
    repair: Repair,
    out: &mut Vec<Finding>,
) -> StoreResult<()> {
    let txn = db.begin().await?;
    store::check::lock_quotas(&txn, &project.id).await?;
    let rows = store::quotas::usage(&txn, &project.id).await?;
    let mut held = Vec::new();
    for session in store::sessions::list_pending_for_project(&txn, &project.id).await? {
        held.extend(store::sessions::reservation_of(&session)?);
    }
    let resources = store::resources::list(&txn, &project.id, None).await?;
    let (consumed, unpriced) = consumption(catalog, &resources);

    let mut changed = false;
    for row in &rows {
        let want_reserved = matching(&held, row);
        let want_used = matching(&consumed, row);
        let subject = format!("{} {}/{}", project.id, row.resource_type, row.region);
        let mut set = (row.used, row.reserved);
        let mut notes = Vec::new();
        if row.reserved != want_reserved {
            notes.push(format!("reserved {} but pending lobbies hold {want_reserved}", row.reserved));
            if repair != Repair::Nothing {
                set.1 = want_reserved;
            }
        }
        if row.used != want_used {
            match &unpriced {
                None => notes.push(format!("used {} but active resources consume {want_used}", row.used)),
                Some(why) => notes.push(format!(
                    "used {} but the resources that could be priced consume {want_used} ({why})",
                    row.used
                )),
            }
            if repair == Repair::All && unpriced.is_none() {
                set.0 = want_used;
            }
        }
        if notes.is_empty() {
            continue;
        }
        let repaired = if set == (row.used, row.reserved) {
            None
        } else if set.0 + set.1 > row.quota_limit {
            out.push(Finding {
                invariant: "quota",
                subject: subject.clone(),
                detail: format!(
                    "cannot repair: used {} + reserved {} exceeds the limit {}",
                    set.0, set.1, row.quota_limit
                ),
                repaired: None,
            });
            None
        } else if store::check::set_usage_if(&txn, row.id, (row.used, row.reserved), set).await? {
            changed = true;
            Some(format!("used {} -> {}, reserved {} -> {}", row.used, set.0, row.reserved, set.1))
        } else {
            None
        };
        let invariant = if row.reserved != want_reserved { "reserved" } else { "used" };
        out.push(Finding { invariant, subject, detail: notes.join("; "), repaired });
    }
    if changed {
        txn.commit().await?;
    } else {
        txn.rollback().await?;
    }
    Ok(())
}

/// What the active resources consume, one line per resource and quota type, and why some could
/// not be priced (then `used` is not repaired: the figure would be a guess).
fn consumption(catalog: &Catalog, resources: &[cloud_resources::Model]) -> (Vec<QuotaAmount>, Option<String>) {
    let mut lines = Vec::new();
    let mut unpriced: HashMap<String, String> = HashMap::new();
    for r in resources {
        let quote = price(catalog, r);
        match quote {
            Ok(consumed) => {
                // The budget line holds what the resource costs a month, as approval recorded it.
                let monthly = (
                    QuotaType::BudgetMonthly,
                    r.hourly_cost_micros.saturating_mul(crate::domain::money::HOURS_PER_MONTH),
                );
                let all = consumed.into_iter().chain([monthly]);
                lines.extend(all.map(|(t, n)| QuotaAmount::new(t, r.region.clone(), n)));
            }
            Err(why) => {
                unpriced.insert(r.name.clone(), why);
            }
        }
    }
    let why = (!unpriced.is_empty()).then(|| {
        let mut names: Vec<String> = unpriced.into_iter().map(|(name, why)| format!("{name}: {why}")).collect();
        names.sort();
        format!("not priced: {}", names.join(", "))
    });
    (lines, why)
}

fn price(catalog: &Catalog, r: &cloud_resources::Model) -> Result<Vec<(crate::domain::QuotaType, i64)>, String> {
    let (provider, kind) = (r.provider, r.resource_type);
    // The same reading of the row as the generator's, so `used` is checked against what is written.
    let size = store::spec::stored_size(&r.config);
    let node_count = store::spec::stored_node_count(&r.config);
    catalog.quote(provider, kind, &r.region, size, node_count, 1).map(|q| q.consumption).map_err(|e| e.to_string())
}

/// The units of `lines` that land on `row`: same type, and the row is project-wide or their region's.
fn matching(lines: &[QuotaAmount], row: &cloud_quotas::Model) -> i64 {
    lines
        .iter()
        .filter(|l| l.quota_type == row.resource_type && (row.region == ANY_REGION || row.region == l.region))
        .map(|l| l.amount)
        .sum()
}
