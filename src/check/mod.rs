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
//! Start-up runs [`on_startup`]: the same check, repairing reservations, so quota held by lobbies
//! that no longer exist (a crash between two steps, a row edited by hand) comes back, and
//! regenerating every project whose Terraform differs from the database (a kill during an
//! approval, the sample data's first start), so `check` is clean after any restart.

mod accounts;
mod terraform;

use std::fmt;
use std::path::{Path, PathBuf};

use sea_orm::DatabaseConnection;

use crate::domain::Catalog;
use crate::settings::TerraformSettings;
use crate::store::{self, StoreResult};
use crate::terraform::GeneratorSettings;

/// Where the Terraform lives and how it is generated, as the generator of this installation does.
#[derive(Debug, Clone)]
pub struct TerraformTarget {
    /// The output root.
    pub root: PathBuf,
    /// What changes the generated files (remote state, Azure host encryption).
    pub settings: GeneratorSettings,
}

impl From<&TerraformSettings> for TerraformTarget {
    fn from(s: &TerraformSettings) -> Self {
        Self { root: s.output_dir.clone(), settings: s.into() }
    }
}

/// An output root with the default generator settings (local state).
impl From<&Path> for TerraformTarget {
    fn from(root: &Path) -> Self {
        Self { root: root.to_path_buf(), settings: GeneratorSettings::default() }
    }
}

impl From<&PathBuf> for TerraformTarget {
    fn from(root: &PathBuf) -> Self {
        root.as_path().into()
    }
}

/// What to repair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Repair {
    /// Report only.
    Nothing,
    /// Reservations and Terraform directories, not `used` (start-up).
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
    terraform: impl Into<TerraformTarget>,
    repair: Repair,
) -> StoreResult<Report> {
    let terraform = terraform.into();
    let source = store::spec::StoreSpecSource::new(db.clone(), catalog.clone().into(), terraform.settings.clone());
    let mut report = Report::default();
    // Overdue lobbies first: expiring them changes what the reservations should be.
    accounts::overdue(db, repair == Repair::All, &mut report.findings).await?;
    for project in store::check::all_projects(db).await? {
        report.projects += 1;
        accounts::quotas(db, catalog, &project, repair, &mut report.findings).await?;
        // Rendering is a few milliseconds per hundred resources, so start-up compares every
        // project too: a directory left stale by a crash must not wait for the next approval.
        terraform::directory(&source, &terraform.root, &project, repair != Repair::Nothing, &mut report.findings).await;
    }
    Ok(report)
}

/// The start-up check: logs every mismatch, gives back reservations no live lobby holds and
/// regenerates Terraform that differs from the database.
pub async fn on_startup(
    db: &DatabaseConnection,
    catalog: &Catalog,
    terraform: impl Into<TerraformTarget>,
) -> StoreResult<Report> {
    let report = run(db, catalog, terraform, Repair::Reservations).await?;
    for finding in &report.findings {
        let repaired =
            finding.repaired.as_deref().unwrap_or("left as it is; `cloud-chatops check --repair` may fix it");
        tracing::warn!(invariant = finding.invariant, subject = %finding.subject, detail = %finding.detail,
            repaired, "start-up check found a mismatch");
    }
    Ok(report)
}
