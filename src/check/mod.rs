//! `cloud-chatops check [--repair]`: verifies the accounting invariants and, when asked, repairs
//! what can be repaired without guessing.
//!
//! - quota `reserved` equals what the project's pending lobbies hold (repair: set it to that);
//! - no pending lobby is past its deadline (repair: expire it, releasing its reservation);
//! - quota `used` equals the consumption of the active resources, recomputed with the catalogue
//!   from each resource's stored size and node count (repair: set it, only when every resource of
//!   the project could be priced, so the figure is provably right);
//! - each project's Terraform directory is what the database renders (repair: regenerate).
//!
//! Start-up runs [`on_startup`]: the same check, repairing only reservations, so quota held by
//! lobbies that no longer exist (a crash between two steps, a row edited by hand) comes back.

mod accounts;
mod terraform;

use std::fmt;
use std::path::Path;

use sea_orm::DatabaseConnection;

use crate::domain::Catalog;
use crate::store::{self, StoreResult};

/// What to repair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Repair {
    /// Report only.
    Nothing,
    /// Reservations only (start-up).
    Reservations,
    /// Everything that is safe.
    All,
}

/// One broken invariant and what was done about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Which invariant (`reserved`, `used`, `overdue`, `terraform`).
    pub invariant: &'static str,
    /// What it concerns (`gcp-abc123 compute.instances/*`, a session id, a directory).
    pub subject: String,
    /// What differs.
    pub detail: String,
    /// What the repair did, when it did something.
    pub repaired: Option<String>,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "mismatch [{}] {}: {}", self.invariant, self.subject, self.detail)?;
        match &self.repaired {
            Some(done) => write!(f, "\n  repaired: {done}"),
            None => Ok(()),
        }
    }
}

/// Everything one run found.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Projects examined.
    pub projects: usize,
    /// The mismatches, in the order found.
    pub findings: Vec<Finding>,
}

impl Report {
    /// Mismatches left as they were.
    pub fn unrepaired(&self) -> usize {
        self.findings.iter().filter(|f| f.repaired.is_none()).count()
    }
}

/// Runs every check over the whole database; repairs per `repair`.
pub async fn run(
    db: &DatabaseConnection,
    catalog: &Catalog,
    terraform_root: &Path,
    repair: Repair,
) -> StoreResult<Report> {
    let mut report = Report::default();
    // Overdue lobbies first: expiring them changes what the reservations should be.
    accounts::overdue(db, repair == Repair::All, &mut report.findings).await?;
    for project in store::check::all_projects(db).await? {
        report.projects += 1;
        accounts::quotas(db, catalog, &project, repair, &mut report.findings).await?;
        terraform::directory(db, terraform_root, &project, repair == Repair::All, &mut report.findings).await?;
    }
    Ok(report)
}

/// The start-up check: logs every mismatch and gives back reservations no live lobby holds.
pub async fn on_startup(db: &DatabaseConnection, catalog: &Catalog, terraform_root: &Path) -> StoreResult<Report> {
    let report = run(db, catalog, terraform_root, Repair::Reservations).await?;
    for finding in &report.findings {
        tracing::warn!(invariant = finding.invariant, subject = %finding.subject, detail = %finding.detail,
            repaired = ?finding.repaired, "start-up check");
    }
    Ok(report)
}
