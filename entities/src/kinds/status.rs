//! Lifecycle states and policy kinds, stored as text.

use crate::text_enum;

/// State of a deployment lobby.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, sea_orm::DeriveValueType)]
#[sea_orm(value_type = "String")]
pub enum SessionStatus {
    /// Open, holding its reservation, buttons live.
    Pending,
    /// Approved and deployed.
    Approved,
    /// Cancelled by the requester or an admin.
    Cancelled,
    /// Reached its deadline.
    Expired,
    /// Approval was attempted and failed; nothing was deployed.
    Failed,
}

text_enum!(SessionStatus, "session status", {
    Pending => "pending",
    Approved => "approved",
    Cancelled => "cancelled",
    Expired => "expired",
    Failed => "failed",
});

/// Kind of rule an infrastructure policy expresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, sea_orm::DeriveValueType)]
#[sea_orm(value_type = "String")]
pub enum PolicyKind {
    /// Who may deploy what.
    Permission,
    /// Limits on how much one request may ask for.
    Quota,
    /// Allowed or denied regions.
    Region,
    /// Maximum hourly cost.
    Cost,
    /// Denied exposure values such as `public` or `0.0.0.0/0`.
    Security,
}

text_enum!(PolicyKind, "policy type", {
    Permission => "permission",
    Quota => "quota",
    Region => "region",
    Cost => "cost",
    Security => "security",
});

/// Whether a project or a resource still exists (rows are kept after deletion, for the audit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, sea_orm::DeriveValueType)]
#[sea_orm(value_type = "String")]
pub enum RecordStatus {
    /// Live: counted in quotas, written to Terraform.
    Active,
    /// Removed; its name is free again.
    Deleted,
}

text_enum!(RecordStatus, "record status", { Active => "active", Deleted => "deleted" });
